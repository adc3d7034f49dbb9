import type { Database } from './database';

/**
 * What rate-limiter-flexible's RateLimiterPostgres needs of its store when given `storeType: 'pool'`:
 * one `query({ text, values })` at a time. Served by the storage's own Database (pg pool or PGlite),
 * so the limiter needs no driver of its own and the counters live where the accounts do
 * (table `sign_in_limits`, migration 0013). The statement names the library gives are ignored:
 * the pool prepares nothing by name.
 */
export interface RateLimitStoreClient {
  query(query: { text: string; values?: readonly unknown[] }): Promise<{ rows: unknown[]; rowCount: number }>;
}

export const SIGN_IN_LIMITS_TABLE = 'sign_in_limits';

export function rateLimitStoreClient(db: Database): RateLimitStoreClient {
  return { query: ({ text, values }) => db.query(text, values) };
}
