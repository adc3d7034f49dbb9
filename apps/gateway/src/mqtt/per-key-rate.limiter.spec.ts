import { PerKeyRateLimiter } from './per-key-rate.limiter';

describe('PerKeyRateLimiter', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 11, 3) + ms);

  it('allows one event per key per interval, judged by the time it is given', () => {
    const limiter = new PerKeyRateLimiter(1_000);
    expect([limiter.allow('a', at(0)), limiter.allow('a', at(999)), limiter.allow('b', at(999)), limiter.allow('a', at(1_000)), limiter.allow('a', at(1_500))]).toEqual([true, false, true, true, false]);
  });

  it('lets an event through when the clock went back (a reset clock never blocks a device)', () => {
    const limiter = new PerKeyRateLimiter(1_000);
    expect(limiter.allow('a', at(5_000))).toBe(true);
    expect(limiter.allow('a', at(1_000))).toBe(true);
  });

  it('keeps its table bounded: idle keys are forgotten, and a full table of busy keys is cleared', () => {
    const limiter = new PerKeyRateLimiter(1_000, 3);
    for (const key of ['a', 'b', 'c']) limiter.allow(key, at(0));
    expect(limiter.allow('d', at(2_000))).toBe(true); // a, b and c were idle for an interval: forgotten
    expect(limiter.allow('a', at(2_001))).toBe(true);
    expect(limiter.allow('e', at(2_002))).toBe(true);
    expect(limiter.allow('f', at(2_003))).toBe(true); // full of busy keys: cleared rather than blocking
    expect(limiter.allow('d', at(2_004))).toBe(true);
  });
});
