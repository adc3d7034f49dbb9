import { type RetryPolicy, backoffDelayMs, decideAfterAttempt, isRetryableStatus, parseRetryAfter } from './delivery-schedule';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 6_000 };
const now = new Date('2026-12-03T08:00:00Z');
const low = () => 0;
const high = () => 1;
const JITTER = { lowest: low, highest: high };

describe('the retry schedule', () => {
  it.each([
    // attempts made, jitter, delay: the step doubles from the base, capped, and jitter spans its upper half
    [1, 'lowest', 500],
    [1, 'highest', 1_000],
    [2, 'lowest', 1_000],
    [2, 'highest', 2_000],
    [3, 'highest', 4_000],
    [4, 'highest', 6_000], // 8 s capped at 6
    [4, 'lowest', 3_000],
    [10, 'highest', 6_000],
  ] as const)('after %i attempt(s) with the %s jitter waits %i ms', (attempts, jitter, delay) => {
    expect(backoffDelayMs(attempts, policy, JITTER[jitter])).toBe(delay);
  });

  it('retries a retryable failure at now + the backoff, and says when', () => {
    const decision = decideAfterAttempt({ attempt: 2, result: { ok: false, retryable: true }, now, policy, random: () => 0.5 });
    expect(decision).toEqual({ outcome: 'retry', delayMs: 1_500, nextAttemptAt: new Date(now.getTime() + 1_500) });
  });

  it('delivers on success, gives up on a failure not worth retrying, and after the last attempt', () => {
    expect(decideAfterAttempt({ attempt: 1, result: { ok: true, retryable: false }, now, policy, random: low })).toEqual({ outcome: 'delivered' });
    expect(decideAfterAttempt({ attempt: 1, result: { ok: false, retryable: false }, now, policy, random: low })).toEqual({ outcome: 'failed', reason: 'not-retryable' });
    expect(decideAfterAttempt({ attempt: 4, result: { ok: false, retryable: true }, now, policy, random: low })).toMatchObject({ outcome: 'retry' });
    expect(decideAfterAttempt({ attempt: 5, result: { ok: false, retryable: true }, now, policy, random: low })).toEqual({ outcome: 'failed', reason: 'max-attempts' });
  });

  it('waits at least as long as the receiver asks (Retry-After), never longer than the cap', () => {
    expect(decideAfterAttempt({ attempt: 1, result: { ok: false, retryable: true, retryAfterMs: 4_000 }, now, policy, random: low })).toMatchObject({ delayMs: 4_000 });
    expect(decideAfterAttempt({ attempt: 1, result: { ok: false, retryable: true, retryAfterMs: 60_000 }, now, policy, random: low })).toMatchObject({ delayMs: 6_000 });
    expect(decideAfterAttempt({ attempt: 1, result: { ok: false, retryable: true, retryAfterMs: 10 }, now, policy, random: low })).toMatchObject({ delayMs: 500 });
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [408, true],
    [400, false],
    [401, false],
    [404, false],
    [410, false],
    [302, false],
  ])('HTTP %i is retryable: %p', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 03 Dec 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 03 Dec 2026 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
