import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

export interface SignInLimits {
  /** Failed sign-ins one account (an email, a device id) may have in the window before it is refused. */
  readonly accountFailures: number;
  readonly accountWindowSeconds: number;
  /** Attempts one address may have in flight or failed in its window; beyond it the address waits (429 + Retry-After). */
  readonly addressAttempts: number;
  readonly addressWindowSeconds: number;
  /**
   * What the address budget counts. 'attempts' (people): every attempt takes a point before its
   * check and a success gives it back, so parallel guesses are counted one by one. 'failures'
   * (devices): only failed checks count, because thousands of hubs legitimately reconnect at once
   * from one address (a carrier NAT after a blip, the load generator on 127.0.0.1); the account
   * budget is still taken before the check, so each device id still sees at most its budget of
   * guesses however many arrive at once.
   */
  readonly addressCounts?: 'attempts' | 'failures';
}

/**
 * For devices: 5 failures per device id in 15 minutes, 100 failures per address a minute (a
 * misconfigured hub retrying every second is slowed, the others behind its address are not).
 */
export const DEVICE_SIGN_IN_LIMITS: SignInLimits = { accountFailures: 5, accountWindowSeconds: 900, addressAttempts: 100, addressWindowSeconds: 60, addressCounts: 'failures' };

/**
 * Defaults: 5 failures per account in 15 minutes (OWASP's lockout guidance; the account is refused
 * for what is left of the window, whoever asks), and 30 unsuccessful attempts per address in 60 s —
 * high enough for a whole hospital site behind one NAT, where one nurse's typos must not lock out
 * the others, and low enough to cut a guessing run from one address to one password every 2 s.
 */
export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { accountFailures: 5, accountWindowSeconds: 900, addressAttempts: 30, addressWindowSeconds: 60 };

export type SignInAdmission =
  | { readonly admitted: true; readonly settle: (succeeded: boolean) => Promise<void> }
  | { readonly admitted: false; readonly scope: 'account' | 'address'; readonly retryAfterSeconds: number };

/** The store rate-limiter-flexible's Postgres limiter writes through: `query({ text, values })` (libs/storage's rateLimitStoreClient). */
export interface ThrottleStore {
  query(query: { text: string; values?: readonly unknown[] }): Promise<{ rows: unknown[]; rowCount: number }>;
}

/**
 * Sign-in limits that hold under concurrency and across instances (issue 17): before any password or
 * device secret is checked, one point is taken atomically from the account's budget and one from the
 * address's (rate-limiter-flexible's Postgres limiter: one upsert … RETURNING each, in the shared
 * `sign_in_limits` table), so a hundred parallel guesses are counted one by one and at most the
 * budget ever reaches scrypt. A success gives both points back: only failures spend the account's
 * budget, and a site's good sign-ins never count against it. Used by REST sign-in and MQTT CONNECT
 * alike, with their own key prefixes.
 *
 * The windows run on the library's clock (Date.now); tests exercise counts and concurrency, not the
 * passing of minutes.
 */
export class SignInThrottle {
  private readonly account: RateLimiterPostgres;
  private readonly address: RateLimiterPostgres;
  private readonly addressCountsFailures: boolean;

  constructor(store: ThrottleStore, prefix: string, limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS, table = 'sign_in_limits') {
    this.addressCountsFailures = limits.addressCounts === 'failures';
    const common = { storeClient: store, storeType: 'pool', tableName: table, tableCreated: true, clearExpiredByTimeout: true };
    this.account = new RateLimiterPostgres({ ...common, keyPrefix: `${prefix}:account`, points: limits.accountFailures, duration: limits.accountWindowSeconds });
    this.address = new RateLimiterPostgres({ ...common, keyPrefix: `${prefix}:address`, points: limits.addressAttempts, duration: limits.addressWindowSeconds });
  }

  /** Takes a point from the address and the account; refused when either budget is spent. Store errors propagate (the caller answers "try again"). */
  async admit(accountKey: string, addressKey: string): Promise<SignInAdmission> {
    const account = accountKey.toLowerCase();
    const address = this.addressCountsFailures ? await spentAlready(this.address, addressKey) : await take(this.address, addressKey);
    if (!address.ok) return { admitted: false, scope: 'address', retryAfterSeconds: address.retryAfterSeconds };
    const spent = await take(this.account, account);
    if (!spent.ok) {
      // Refused unchecked: no guess was made from there.
      if (!this.addressCountsFailures) await this.address.reward(addressKey, 1);
      return { admitted: false, scope: 'account', retryAfterSeconds: spent.retryAfterSeconds };
    }
    let settled = false;
    return {
      admitted: true,
      settle: async (succeeded) => {
        if (settled) return;
        settled = true;
        if (succeeded) {
          await Promise.all([this.account.reward(account, 1), this.addressCountsFailures ? undefined : this.address.reward(addressKey, 1)]);
        } else if (this.addressCountsFailures) {
          await this.address.penalty(addressKey, 1);
        }
      },
    };
  }
}

/** Whether the budget is already spent, taking nothing (failure-counted budgets: the failure is charged when it happens). */
async function spentAlready(limiter: RateLimiterPostgres, key: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
  const state = await limiter.get(key);
  if (state && state.consumedPoints >= limiter.points) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)) };
  return { ok: true };
}

async function take(limiter: RateLimiterPostgres, key: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
  try {
    await limiter.consume(key, 1);
    return { ok: true };
  } catch (outcome) {
    // The library rejects with a RateLimiterRes when the budget is spent, with an Error when the store failed.
    if (outcome instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
    throw outcome;
  }
}
