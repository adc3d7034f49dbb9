import { restartDelayMs } from '../src/rules-worker-supervisor';

describe('restarting a crashed rules worker', () => {
  const backoff = { initialMs: 500, maxMs: 30_000, stableMs: 60_000 };

  it.each([
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [6, 16_000],
    [7, 30_000],
    [50, 30_000],
  ])('waits after crash %i in a row %i ms (doubling, capped)', (crashes, ms) => {
    expect(restartDelayMs(crashes, backoff)).toBe(ms);
  });
});
