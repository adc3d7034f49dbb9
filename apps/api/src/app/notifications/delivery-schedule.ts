/**
 * When to try a failed delivery again, decided in pure code from the attempt number and `now`
 * (the deliverer's injected clock), so a test moves the clock instead of waiting.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; then the delivery is given up. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; it doubles for each attempt after that. */
  readonly baseDelayMs: number;
  /** No delay is longer than this (a Retry-After header included). */
  readonly maxDelayMs: number;
}

/** 8 attempts over about an hour: 30 s, 1, 2, 4, 8, 16 and 30 min (before jitter). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 };

/** What one attempt came to, as a channel reports it. */
export interface AttemptResult {
  readonly ok: boolean;
  /** Worth trying again: a network error, a timeout, 5xx, 429 or 408. */
  readonly retryable: boolean;
  /** The receiver asked to wait this long (Retry-After). */
  readonly retryAfterMs?: number | undefined;
}

export type AttemptDecision =
  | { readonly outcome: 'delivered' }
  | { readonly outcome: 'retry'; readonly nextAttemptAt: Date; readonly delayMs: number }
  | { readonly outcome: 'failed'; readonly reason: 'not-retryable' | 'max-attempts' };

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries of many
 * deliveries spread out (a receiver coming back is not hit by all of them at once) while each
 * still waits at least half its step.
 */
export function backoffDelayMs(attemptsMade: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(step / 2 + (step / 2) * r);
}

/** After attempt number `attempt` (1 for the first): delivered, try again at a time, or give up. */
export function decideAfterAttempt(input: { attempt: number; result: AttemptResult; now: Date; policy: RetryPolicy; random: () => number }): AttemptDecision {
  const { attempt, result, now, policy } = input;
  if (result.ok) return { outcome: 'delivered' };
  if (!result.retryable) return { outcome: 'failed', reason: 'not-retryable' };
  if (attempt >= policy.maxAttempts) return { outcome: 'failed', reason: 'max-attempts' };
  const backoff = backoffDelayMs(attempt, policy, input.random);
  const asked = result.retryAfterMs === undefined ? 0 : Math.min(policy.maxDelayMs, Math.max(0, result.retryAfterMs));
  const delayMs = Math.max(backoff, asked);
  return { outcome: 'retry', nextAttemptAt: new Date(now.getTime() + delayMs), delayMs };
}

/** Whether an HTTP status is worth retrying: the receiver's trouble or its request to slow down. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** Retry-After in either form (seconds, or an HTTP date relative to `now`); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
