import { dateTimeToDate, dateToDateTime, encodeDateTimeBytes, parseDateTime } from './date-time';

const octets = (...bytes: number[]) => Uint8Array.from(bytes);

describe('Date Time (0x2A08 layout)', () => {
  it('decodes year (little-endian), month, day, hours, minutes, seconds', () => {
    expect(parseDateTime(octets(0xe8, 0x07, 3, 15, 8, 30, 5))).toEqual({
      ok: true,
      value: { year: 2024, month: 3, day: 15, hours: 8, minutes: 30, seconds: 5 },
    });
  });

  it('reads 0 as "not known" for year, month and day, and then names no instant', () => {
    const parsed = parseDateTime(octets(0, 0, 0, 0, 12, 0, 0));
    expect(parsed).toEqual({ ok: true, value: { year: null, month: null, day: null, hours: 12, minutes: 0, seconds: 0 } });
    if (parsed.ok) expect(dateTimeToDate(parsed.value)).toBeNull();
    expect(dateTimeToDate({ year: 2024, month: null, day: 1, hours: 0, minutes: 0, seconds: 0 })).toBeNull();
  });

  it.each([
    ['year 1581', [0x2d, 0x06, 1, 1, 0, 0, 0], 'Year', 0],
    ['year 10000', [0x10, 0x27, 1, 1, 0, 0, 0], 'Year', 0],
    ['month 13', [0xe8, 0x07, 13, 1, 0, 0, 0], 'Month', 2],
    ['day 32', [0xe8, 0x07, 1, 32, 0, 0, 0], 'Day', 3],
    ['30 February', [0xe8, 0x07, 2, 30, 0, 0, 0], 'Day', 3],
    ['29 February 2023', [0xe7, 0x07, 2, 29, 0, 0, 0], 'Day', 3],
    ['31 April', [0xe8, 0x07, 4, 31, 0, 0, 0], 'Day', 3],
    ['hour 24', [0xe8, 0x07, 1, 1, 24, 0, 0], 'Hours', 4],
    ['minute 60', [0xe8, 0x07, 1, 1, 0, 60, 0], 'Minutes', 5],
    ['second 60', [0xe8, 0x07, 1, 1, 0, 0, 60], 'Seconds', 6],
  ])('rejects %s', (_name, bytes, part, relativeOffset) => {
    const parsed = parseDateTime(Uint8Array.from(bytes));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ part, relativeOffset });
  });

  it('accepts 29 February in a leap year, and when the year is not known', () => {
    expect(parseDateTime(octets(0xe8, 0x07, 2, 29, 0, 0, 0)).ok).toBe(true);
    expect(parseDateTime(octets(0, 0, 2, 29, 0, 0, 0)).ok).toBe(true);
  });

  it('reads the wall clock as UTC and adds minutes across midnight', () => {
    const value = { year: 2024, month: 12, day: 31, hours: 23, minutes: 50, seconds: 0 };
    expect(dateTimeToDate(value)?.toISOString()).toBe('2024-12-31T23:50:00.000Z');
    expect(dateTimeToDate(value, 15)?.toISOString()).toBe('2025-01-01T00:05:00.000Z');
    expect(dateTimeToDate(value, -20)?.toISOString()).toBe('2024-12-31T23:30:00.000Z');
  });

  it('round-trips through its octets and through a Date at an offset', () => {
    const value = dateToDateTime(new Date('2024-07-01T11:59:58Z'), 60);
    expect(value).toEqual({ year: 2024, month: 7, day: 1, hours: 12, minutes: 59, seconds: 58 });
    expect(parseDateTime(Uint8Array.from(encodeDateTimeBytes(value)))).toEqual({ ok: true, value });
  });

  it('refuses to encode a date the structure cannot hold', () => {
    expect(() => encodeDateTimeBytes({ year: 2024, month: 13, day: 1, hours: 0, minutes: 0, seconds: 0 })).toThrow(RangeError);
  });
});
