import { type StoreRetryPolicy, retryDelay, retryWhileStoreDown } from './store-retry.policy';

const policy: StoreRetryPolicy = { initialDelayMs: 250, maxDelayMs: 10_000, giveUpAfterMs: 60_000 };

/** A clock the code under test advances by sleeping. */
function fakeTime() {
  const time = { now: 0, sleeps: [] as number[] };
  return {
    time,
    now: () => time.now,
    sleep: async (ms: number) => {
      time.sleeps.push(ms);
      time.now += ms;
    },
  };
}

describe('retryWhileStoreDown', () => {
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelay(policy, n))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('retries until the store answers, and returns its answer', async () => {
    const t = fakeTime();
    let calls = 0;
    const result = await retryWhileStoreDown(
      async () => {
        calls++;
        if (t.time.now < 3_000) throw new Error('connection refused');
        return 'stored';
      },
      { policy, now: t.now, sleep: t.sleep, stillWanted: () => true },
    );
    expect(result).toBe('stored');
    expect(t.time.sleeps).toEqual([250, 500, 1000, 2000]);
    expect(calls).toBe(5);
  });

  it('gives up with the last error once the next wait would pass the limit', async () => {
    const t = fakeTime();
    const retries: number[] = [];
    await expect(
      retryWhileStoreDown(async () => Promise.reject(new Error(`down at ${t.time.now}`)), { policy, now: t.now, sleep: t.sleep, stillWanted: () => true, onRetry: (_e, n) => retries.push(n) }),
    ).rejects.toThrow(/^down at 55750$/);
    // 250+500+…+8000 = 15,750, then 10 s waits while the total stays within 60 s: 55,750.
    expect(t.time.now).toBe(55_750);
    expect(retries).toHaveLength(t.time.sleeps.length);
  });

  it('stops as soon as nobody waits for the answer (the device disconnected)', async () => {
    const t = fakeTime();
    let wanted = true;
    let calls = 0;
    await expect(
      retryWhileStoreDown(
        async () => {
          calls++;
          if (calls === 2) wanted = false;
          throw new Error('down');
        },
        { policy, now: t.now, sleep: t.sleep, stillWanted: () => wanted },
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(2);
  });
});
