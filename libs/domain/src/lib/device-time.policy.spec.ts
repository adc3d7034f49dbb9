import { correctDeviceClock } from './device-clock';
import { MAX_DEVICE_CLOCK_AHEAD_MS, judgeDeviceTime } from './device-time.policy';

const receivedAt = new Date('2026-12-03T08:00:00Z');

describe('the device time policy', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 'before-earliest'],
    ['1999-12-31T23:59:59.999Z', 'before-earliest'],
    ['2000-01-01T00:00:00Z', 'believable'], // the earliest bound itself
    ['2026-12-04T09:00:00Z', 'believable'], // a hub clock 25 h fast: corrected, not distrusted
    ['2026-12-10T08:00:00Z', 'believable'], // exactly receipt + 7 days
    ['2026-12-10T08:00:00.001Z', 'too-far-ahead'],
    ['9999-12-31T23:59:59Z', 'too-far-ahead'],
  ])('%s is %s', (iso, verdict) => {
    expect(judgeDeviceTime(new Date(iso), receivedAt)).toBe(verdict);
  });

  it('calls an unparseable time not a time, and moves with the receipt time and the configured lead', () => {
    expect(judgeDeviceTime(new Date(Number.NaN), receivedAt)).toBe('not-a-time');
    const june = new Date('2027-06-01T00:00:00Z');
    expect(judgeDeviceTime(june, receivedAt)).toBe('too-far-ahead');
    expect(judgeDeviceTime(june, new Date('2027-05-30T00:00:00Z'))).toBe('believable');
    expect(judgeDeviceTime(new Date('2026-12-03T09:00:00Z'), receivedAt, 30 * 60_000)).toBe('too-far-ahead');
    expect(MAX_DEVICE_CLOCK_AHEAD_MS).toBe(7 * 24 * 3_600_000);
  });

  // correctDeviceClock applies it: a reading is kept, placed at receipt and flagged, never refused.
  const place = (deviceTime: string, deviceClockAt: string | null) =>
    correctDeviceClock({ deviceTime: new Date(deviceTime), deviceClockAt: deviceClockAt === null ? null : new Date(deviceClockAt), receivedAt, maxSkewMs: 300_000, maxTransitMs: 300_000 });

  it.each([
    ['a device time just before 2000', '1999-12-31T23:59:59.999Z', null],
    ['a device time past receipt + 7 d', '2026-12-10T08:00:00.001Z', null],
    ['a sentAt past receipt + 7 d, with a believable device time', '2026-12-03T07:55:00Z', '2026-12-10T08:00:00.001Z'],
    ['a sentAt before 2000', '2026-12-03T07:55:00Z', '1999-12-31T23:59:59Z'],
    ['a device clock 8 days fast throughout (beyond what is corrected)', '2026-12-11T07:55:00Z', '2026-12-11T08:00:00Z'],
  ])('%s: placed at receipt, clock-unset and clock-skewed', (_label, deviceTime, sentAt) => {
    expect(place(deviceTime, sentAt)).toMatchObject({ measuredAt: receivedAt, correctionMs: 0, flags: ['clock-unset', 'clock-skewed'] });
  });

  it.each([
    ['2000-01-01 exactly, no sentAt: kept where the device put it', '2000-01-01T00:00:00Z', null, '2000-01-01T00:00:00.000Z', []],
    ['receipt + 7 d exactly, no sentAt: future-dated, placed at receipt', '2026-12-10T08:00:00Z', null, '2026-12-03T08:00:00.000Z', ['future-dated']],
    ['a clock 7 days fast exactly, with its sentAt: corrected', '2026-12-10T07:55:00Z', '2026-12-10T08:00:00Z', '2026-12-03T07:55:00.000Z', ['clock-corrected', 'clock-skewed']],
  ])('%s', (_label, deviceTime, sentAt, measuredAt, flags) => {
    const placed = place(deviceTime, sentAt);
    expect(placed.measuredAt.toISOString()).toBe(measuredAt);
    expect([...placed.flags].sort()).toEqual([...flags].sort());
  });
});
