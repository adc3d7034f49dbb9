/**
 * The demo's one clock, for the gateway (receipts, device contact and status, refused messages)
 * and the rules engine alike. The demo replays the cohort's last days in seconds; judged against
 * the real clock, every patient would look silent for days at the start (their readings are still
 * days old) and the non-adherent one never would. So everything the demo stamps or judges follows
 * the replay: before it starts the clock stands at the timeline's start (the patients' admission),
 * during it the stepped replay sets it to each step's simulated moment (SteppedReplay), and once
 * the replay has reached the present it is the real clock. A backtest of the demo's ward then reads
 * exactly the times the engine judged by.
 */
export class ReplayClock {
  private at: number;
  private live = false;

  constructor(
    start: Date,
    private readonly realNow: () => number = Date.now,
  ) {
    this.at = start.getTime();
  }

  /** The replay's next step: simulated time moves on to `at` (never back). */
  set(at: Date): void {
    if (this.live) throw new Error('the replay clock already follows the real clock');
    if (at.getTime() < this.at) throw new Error(`the replay clock cannot go back from ${new Date(this.at).toISOString()} to ${at.toISOString()}`);
    this.at = at.getTime();
  }

  /** The replay has reached the present: from now on the clock is the real one. */
  toPresent(): void {
    this.live = true;
  }

  now(): Date {
    return new Date(this.live ? this.realNow() : this.at);
  }
}
