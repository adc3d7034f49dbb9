/** Runs `fn` after `ms` (a timer); tests pass their own to move time by hand. */
export type Schedule = (fn: () => void, ms: number) => void;

const realSchedule: Schedule = (fn, ms) => void setTimeout(fn, ms).unref();

/**
 * At most one wake-up per interval, never a lost one: the first poke after a quiet spell sends at
 * once (no added latency for a lone reading), pokes during the interval that follows collapse
 * into one send at its end. For the ingest pipeline's NOTIFY of new readings: one per commit
 * woke every LISTENing backend and its process each time, and a NOTIFY inside the write
 * transaction holds PostgreSQL's server-wide notify lock through that commit's WAL flush. A
 * consumer that misses one (the send failed) still polls.
 */
export class CoalescedWake {
  private cooling = false;
  private pending = false;

  constructor(
    private readonly send: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly schedule: Schedule = realSchedule,
  ) {}

  poke(): void {
    if (this.cooling) {
      this.pending = true;
      return;
    }
    this.fire();
  }

  private fire(): void {
    this.cooling = true;
    this.pending = false;
    this.send().catch(this.onError);
    this.schedule(() => {
      this.cooling = false;
      if (this.pending) this.fire();
    }, this.intervalMs);
  }
}
