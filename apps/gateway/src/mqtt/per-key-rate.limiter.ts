/**
 * At most one event per key per interval, judged by the time the caller passes (the message's
 * receipt time), so tests move time instead of sleeping. Memory is bounded: keys idle for a
 * whole interval are forgotten when the table grows.
 */
export class PerKeyRateLimiter {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** True (and counted) when `key` had no allowed event in the last interval before `at`. */
  allow(key: string, at: Date): boolean {
    const now = at.getTime();
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < this.intervalMs && now >= previous) return false;
    if (this.last.size >= this.maxKeys) this.forgetIdle(now);
    this.last.set(key, now);
    return true;
  }

  private forgetIdle(now: number): void {
    for (const [key, at] of this.last) if (now - at >= this.intervalMs) this.last.delete(key);
    if (this.last.size >= this.maxKeys) this.last.clear(); // all busy: forgetting lets a few extra through, never blocks
  }
}
