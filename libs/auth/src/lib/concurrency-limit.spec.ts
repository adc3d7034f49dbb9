import { ConcurrencyLimit, ConcurrencyLimitFull } from './concurrency-limit';

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once, queues up to maxQueued, and refuses the rest at once', async () => {
    const limit = new ConcurrencyLimit(2, 3);
    let running = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const task = () =>
      new Promise<string>((resolve) => {
        running += 1;
        peak = Math.max(peak, running);
        gates.push(() => {
          running -= 1;
          resolve('done');
        });
      });
    const runs = Array.from({ length: 7 }, () => limit.run(task).catch((error: unknown) => error));
    await Promise.resolve();
    expect(limit.active).toBe(2);
    expect(limit.queued).toBe(3);
    const refused = await Promise.all(runs.slice(5));
    expect(refused.every((r) => r instanceof ConcurrencyLimitFull)).toBe(true);
    while (gates.length > 0 || limit.active > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(runs.slice(0, 5))).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(limit.active).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const limit = new ConcurrencyLimit(1, 0);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
