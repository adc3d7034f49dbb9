import { Redis } from 'ioredis';

/** The Redis the multi-instance tests share state through (CI has one here; override with REDIS_URL). */
const REDIS_BASE = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const CLAIM_KEY = 'homeward:test:claimed-by';

export interface ScratchRedis {
  /** A URL naming a database index this run has to itself. */
  readonly url: string;
  dispose(): Promise<void>;
}

/**
 * An empty Redis database index (1–15) claimed for this test run, so runs side by side do not
 * see each other's sessions; flushed on dispose. No Redis is a failure with a clear message, not
 * a skip: these tests exist to prove the multi-instance gateway works.
 */
export async function scratchRedis(): Promise<ScratchRedis> {
  const admin = new Redis(REDIS_BASE, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `The multi-instance tests need a Redis at ${REDIS_BASE} (set REDIS_URL to use another): ${(error instanceof Error ? error.message : String(error)).replace(/\.$/, '')}. ` +
        'Start one, e.g. `redis-server --port 6379` or `docker run -p 6379:6379 redis:7`.',
    );
  }
  const me = `${process.pid}-${Date.now()}`;
  try {
    for (const index of shuffled([...Array(15).keys()].map((i) => i + 1))) {
      await admin.select(index);
      // Claim atomically, then make sure nothing else lives there.
      if ((await admin.set(CLAIM_KEY, me, 'EX', 3_600, 'NX')) !== 'OK') continue;
      if ((await admin.dbsize()) === 1) {
        const url = `${REDIS_BASE.replace(/\/\d+$/, '')}/${index}`;
        return {
          url,
          dispose: async () => {
            await admin.select(index);
            if ((await admin.get(CLAIM_KEY)) === me) await admin.flushdb();
            admin.disconnect();
          },
        };
      }
      await admin.del(CLAIM_KEY);
    }
  } catch (error) {
    admin.disconnect();
    throw error;
  }
  admin.disconnect();
  throw new Error(`No free Redis database index (1–15) at ${REDIS_BASE}: other runs hold them all.`);
}

function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
