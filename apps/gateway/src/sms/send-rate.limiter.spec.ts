import { SendRateLimiter } from './send-rate.limiter';

describe('SendRateLimiter', () => {
  it('lets a burst through, then spaces sends 1/rate apart', () => {
    const limiter = new SendRateLimiter(5);
    const t0 = 1_000_000;
    expect([0, 1, 2, 3, 4].map(() => limiter.reserve(t0))).toEqual([0, 0, 0, 0, 0]);
    expect(limiter.reserve(t0)).toBe(200);
    expect(limiter.reserve(t0)).toBe(400);
  });

  it('refills with time, never above the burst', () => {
    const limiter = new SendRateLimiter(2, 2);
    expect(limiter.reserve(0)).toBe(0);
    expect(limiter.reserve(0)).toBe(0);
    expect(limiter.reserve(0)).toBe(500);
    expect(limiter.reserve(60_000)).toBe(0);
    expect(limiter.reserve(60_000)).toBe(0);
    expect(limiter.reserve(60_000)).toBe(500);
  });

  it('a clock going backwards books no earlier slot', () => {
    const limiter = new SendRateLimiter(1, 1);
    expect(limiter.reserve(10_000)).toBe(0);
    expect(limiter.reserve(5_000)).toBe(1000);
  });
});
