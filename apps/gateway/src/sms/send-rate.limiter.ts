/**
 * The operator's submit rate (texts per second) as a token bucket, judged by the time the caller
 * passes, so tests move a clock instead of sleeping. `reserve` books the next slot and says how
 * long to wait for it: 0 while the burst lasts, then 1/rate apart.
 */
export class SendRateLimiter {
  private tokens: number;
  private updatedAt: number | undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst = Math.max(1, Math.round(ratePerSecond)),
  ) {
    this.tokens = burst;
  }

  /** Milliseconds until the send booked now may go. */
  reserve(nowMs: number): number {
    if (this.updatedAt !== undefined && nowMs > this.updatedAt) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.updatedAt) * this.ratePerSecond) / 1000);
    }
    this.updatedAt = Math.max(nowMs, this.updatedAt ?? nowMs);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.ratePerSecond);
  }
}
