import { type AcceleratedClock, simulatedNow } from '@homeward/device-simulators';

/**
 * The demo's clock for the rules engine: the replay's simulated time, never ahead of the real
 * one. The demo replays the cohort's last days in seconds; judged against the real clock, every
 * patient would look silent for days at the start (their readings are still days old) and the
 * non-adherent one never would. So silence, escalations and reminders follow the replay: before
 * it starts the clock stands at the timeline's start (the patients' admission), during it it runs
 * at the replay's speed, and once the replay has caught up with the present it is the real clock.
 * Receipt times stay real (the gateway's clock), so they are after the engine's "now" during the
 * replay: a device heard from then counts as seen now, and lateness is measured up to "now".
 */
export class ReplayClock {
  private replay: AcceleratedClock | undefined;

  constructor(
    private readonly start: Date,
    private readonly realNow: () => number = Date.now,
  ) {}

  /** The replay has started: from now on the clock follows it. */
  follow(replay: AcceleratedClock): void {
    this.replay = replay;
  }

  now(): Date {
    const real = this.realNow();
    const simulated = this.replay ? simulatedNow(this.replay, real).getTime() : this.start.getTime();
    return new Date(Math.min(simulated, real));
  }
}
