import { decodeCurrentTime, currentTimeFromDate, currentTimeToDate } from './current-time.decoder';
import { encodeCurrentTime } from './current-time.encoder';

describe('setting a device clock through Current Time (0x2A2B)', () => {
  it('writes the wall clock of the given zone, with day of week and fractions', () => {
    // 2024-07-01 is a Monday; 11:59:58.500 UTC is 12:59:58.500 in British Summer Time.
    const time = currentTimeFromDate(new Date('2024-07-01T11:59:58.500Z'), { utcOffsetMinutes: 60 });
    expect(time).toEqual({
      dateTime: { year: 2024, month: 7, day: 1, hours: 12, minutes: 59, seconds: 58 },
      dayOfWeek: 'monday',
      fractions256: 128,
      adjustReason: ['external-reference-time-update'],
    });
    expect([...encodeCurrentTime(time)]).toEqual([
      0xe8, 0x07, // Year 2024
      0x07, //       Month 7
      0x01, //       Day 1
      0x0c, //       Hours 12
      0x3b, //       Minutes 59
      0x3a, //       Seconds 58
      0x01, //       Day of Week 1: Monday
      0x80, //       Fractions256 128 (0.5 s)
      0x02, //       Adjust Reason: external reference time update
    ]);
  });

  it('names Sunday 7, and crosses midnight with the offset', () => {
    const time = currentTimeFromDate(new Date('2024-03-30T23:30:00Z'), { utcOffsetMinutes: 60, adjustReason: ['manual-time-update'] });
    expect(time.dateTime).toEqual({ year: 2024, month: 3, day: 31, hours: 0, minutes: 30, seconds: 0 });
    expect(time.dayOfWeek).toBe('sunday');
    expect(encodeCurrentTime(time)[7]).toBe(7);
  });

  it('reads a device clock back as an instant, given its zone', () => {
    const decoded = decodeCurrentTime(Uint8Array.from([0xe8, 0x07, 0x07, 0x01, 0x0c, 0x3b, 0x3a, 0x01, 0x80, 0x00]));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(currentTimeToDate(decoded.value, 60)?.toISOString()).toBe('2024-07-01T11:59:58.500Z');
  });

  it('has no instant for a clock that does not know its date', () => {
    const time = { dateTime: { year: null, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0 }, dayOfWeek: null, fractions256: 0, adjustReason: [] };
    expect(currentTimeToDate(time)).toBeNull();
  });
});
