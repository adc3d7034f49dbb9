import { DEFAULT_MAX_DEVICE_CLOCK_AHEAD_MS, deviceTimeProblem, readingsPayloadTimeProblems } from './device-time-bounds';

const now = new Date('2026-12-03T08:00:00Z');
const bounds = { now, maxAheadMs: DEFAULT_MAX_DEVICE_CLOCK_AHEAD_MS };

describe('device time bounds', () => {
  it.each([
    ['2000-01-01T00:00:00Z', true],
    ['1999-12-31T23:59:59.999Z', false],
    ['1970-01-01T00:00:00Z', false],
    ['2026-12-04T09:00:00Z', true], // a hub clock 25 h fast: corrected, not refused
    ['2026-12-10T08:00:00Z', true], // exactly the bound
    ['2026-12-10T08:00:00.001Z', false],
    ['9999-12-31T23:59:59Z', false],
  ])('%s is within bounds: %s', (iso, within) => {
    expect(deviceTimeProblem('sentAt', new Date(iso), bounds) === undefined).toBe(within);
  });

  it('moves with the injected clock', () => {
    const iso = new Date('2027-06-01T00:00:00Z');
    expect(deviceTimeProblem('sentAt', iso, bounds)?.code).toBe('reading.time-out-of-range');
    expect(deviceTimeProblem('sentAt', iso, { ...bounds, now: new Date('2027-05-30T00:00:00Z') })).toBeUndefined();
  });

  it('names the field and the allowed range, and refuses an invalid date', () => {
    const problem = deviceTimeProblem('readings[2].deviceTime', new Date('9999-01-01T00:00:00Z'), bounds);
    expect(problem?.message).toContain('readings[2].deviceTime must be between 2000-01-01T00:00:00.000Z and 2026-12-10T08:00:00.000Z');
    expect(problem?.details).toEqual(expect.objectContaining({ field: 'readings[2].deviceTime', value: '9999-01-01T00:00:00.000Z' }));
    expect(deviceTimeProblem('sentAt', new Date(Number.NaN), bounds)?.details?.['value']).toBeNull();
  });

  it('refuses the message for sentAt, and only the item for a deviceTime', () => {
    const result = readingsPayloadTimeProblems(
      {
        sentAt: '9999-12-31T00:00:00Z',
        readings: [{ deviceTime: '2026-12-03T07:00:00Z' }, { deviceTime: '1980-01-01T00:00:00Z' }, {}],
        frames: [{ deviceTime: '9000-01-01T00:00:00Z' }],
      },
      bounds,
    );
    expect(result.message?.details?.['field']).toBe('sentAt');
    expect(result.items.map((i) => [i.index, i.error.details?.['field']])).toEqual([
      [1, 'readings[1].deviceTime'],
      [0, 'frames[0].deviceTime'],
    ]);
    expect(readingsPayloadTimeProblems({ sentAt: '2026-12-03T08:00:00Z', readings: [{}] }, bounds)).toEqual({ message: undefined, items: [] });
  });
});
