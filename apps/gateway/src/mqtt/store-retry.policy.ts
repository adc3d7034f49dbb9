export interface StoreRetryPolicy {
  /** First wait after a failure; doubles each time up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Give up (and let the caller drop the connection) once this long has passed since the first attempt. */
  readonly giveUpAfterMs: number;
}

export const DEFAULT_STORE_RETRY: StoreRetryPolicy = { initialDelayMs: 250, maxDelayMs: 10_000, giveUpAfterMs: 15 * 60_000 };

/** The wait before retry number `failures` (1-based): exponential, capped. */
export function retryDelay(policy: StoreRetryPolicy, failures: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(failures - 1, 30));
}

/**
 * Runs `attempt` until it succeeds while the store is down: a device message that cannot be
 * stored yet is held (its PUBACK withheld, its connection kept) instead of failing aedes' hook,
 * which would close the connection and lose the PUBACKs of the messages read with it. Stops with
 * the last error when `stillWanted()` turns false (the device went away; it will resend) or when
 * the next wait would pass `giveUpAfterMs`. Time comes from `now` and `sleep`, so tests move a
 * clock instead of waiting.
 */
export async function retryWhileStoreDown<T>(
  attempt: () => Promise<T>,
  options: {
    readonly policy: StoreRetryPolicy;
    readonly now: () => number;
    readonly sleep: (ms: number) => Promise<void>;
    readonly stillWanted: () => boolean;
    readonly onRetry?: (error: unknown, failures: number, delayMs: number) => void;
  },
): Promise<T> {
  const started = options.now();
  for (let failures = 1; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = retryDelay(options.policy, failures);
      if (!options.stillWanted() || options.now() + delay - started > options.policy.giveUpAfterMs) throw error;
      options.onRetry?.(error, failures, delay);
      await options.sleep(delay);
      if (!options.stillWanted()) throw error;
    }
  }
}
