import { correctDeviceClock } from './device-clock';

const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const base = { receivedAt, maxSkewMs: 5 * 60_000 };
const t = (iso: string) => new Date(iso);

describe('correctDeviceClock', () => {
  it('keeps a right clock as it is', () => {
    const result = correctDeviceClock({ ...base, deviceTime: t('2026-03-01T11:59:00Z'), deviceClockAt: t('2026-03-01T11:59:59.500Z') });
    expect(result).toEqual({ measuredAt: t('2026-03-01T11:59:00Z'), offsetMs: 500, flags: [] });
  });

  it('shifts a reading by the measured offset of a slow clock, flagging it corrected', () => {
    // The device thinks it is 11:57 when it is 12:00: its readings are 3 minutes behind.
    const result = correctDeviceClock({ ...base, deviceTime: t('2026-03-01T11:50:00Z'), deviceClockAt: t('2026-03-01T11:57:00Z') });
    expect(result).toEqual({ measuredAt: t('2026-03-01T11:53:00Z'), offsetMs: 180_000, flags: ['clock-corrected'] });
  });

  it('flags a clock off by more than the bound as skewed as well', () => {
    const result = correctDeviceClock({ ...base, deviceTime: t('2025-01-01T00:00:00Z'), deviceClockAt: t('2025-01-01T00:10:00Z') });
    expect(result.flags).toEqual(['clock-corrected', 'clock-skewed']);
    expect(result.measuredAt).toEqual(t('2026-03-01T11:50:00Z'));
  });

  it('places a reading with no device time at receipt, flagged clock-unset', () => {
    expect(correctDeviceClock({ ...base, deviceTime: null, deviceClockAt: null })).toEqual({ measuredAt: receivedAt, offsetMs: null, flags: ['clock-unset'] });
  });

  it('never places a reading after it arrived: future-dated, placed at receipt', () => {
    const result = correctDeviceClock({ ...base, deviceTime: t('2026-03-02T09:00:00Z'), deviceClockAt: null });
    expect(result).toEqual({ measuredAt: receivedAt, offsetMs: null, flags: ['future-dated'] });
  });

  it('keeps a backlog reading from days ago where it belongs when there is no coincident timestamp', () => {
    const result = correctDeviceClock({ ...base, deviceTime: t('2026-02-27T08:00:00Z'), deviceClockAt: null });
    expect(result).toEqual({ measuredAt: t('2026-02-27T08:00:00Z'), offsetMs: null, flags: [] });
  });

  it('tolerates transport delay at the edge (2 s) and corrects beyond it', () => {
    expect(correctDeviceClock({ ...base, deviceTime: t('2026-03-01T11:00:00Z'), deviceClockAt: t('2026-03-01T11:59:58Z') }).flags).toEqual([]);
    expect(correctDeviceClock({ ...base, deviceTime: t('2026-03-01T11:00:00Z'), deviceClockAt: t('2026-03-01T11:59:57.999Z') }).flags).toEqual(['clock-corrected']);
  });
});
