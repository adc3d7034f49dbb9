/**
 * Date Time, the 7-octet structure of GATT characteristic 0x2A08 that Time Stamp, Base Time and
 * Current Time fields reuse (GATT Specification Supplement, "Date Time"):
 *
 *   Year    uint16  1582–9999; 0 = year is not known
 *   Month   uint8   1–12;      0 = month is not known
 *   Day     uint8   1–31;      0 = day of month is not known
 *   Hours   uint8   0–23
 *   Minutes uint8   0–59
 *   Seconds uint8   0–59
 *
 * The structure carries no time zone: it is the device's wall clock. We read it as UTC wall-clock
 * time, unchanged, and leave the offset to the ingest pipeline's clock correction (it compares
 * the device's clock with the receipt time, which absorbs the zone and any drift alike).
 */

export const DATE_TIME_LENGTH = 7;

export interface DateTime {
  /** null when the device sent 0 ("not known"). */
  readonly year: number | null;
  readonly month: number | null;
  readonly day: number | null;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

export interface DateTimeProblem {
  readonly part: 'Year' | 'Month' | 'Day' | 'Hours' | 'Minutes' | 'Seconds';
  /** Offset of the offending octet(s) from the start of the Date Time. */
  readonly relativeOffset: number;
  readonly value: number;
  readonly problem: string;
}

type Parsed = { readonly ok: true; readonly value: DateTime } | { readonly ok: false; readonly error: DateTimeProblem };

/** Validates and decodes 7 octets (the caller has checked the length). */
export function parseDateTime(octets: Uint8Array): Parsed {
  const at = (i: number): number => octets[i] ?? 0;
  const year = at(0) | (at(1) << 8);
  const month = at(2);
  const day = at(3);
  const hours = at(4);
  const minutes = at(5);
  const seconds = at(6);
  const problem = (part: DateTimeProblem['part'], relativeOffset: number, value: number, text: string): Parsed => ({
    ok: false,
    error: { part, relativeOffset, value, problem: `is ${value}, ${text}` },
  });
  if (year !== 0 && (year < 1582 || year > 9999)) return problem('Year', 0, year, 'outside 1582–9999 (0 means not known)');
  if (month > 12) return problem('Month', 2, month, 'outside 1–12 (0 means not known)');
  if (day > 31) return problem('Day', 3, day, 'outside 1–31 (0 means not known)');
  if (day !== 0 && month !== 0 && day > daysInMonth(year === 0 ? null : year, month)) {
    return problem('Day', 3, day, `past the end of month ${month}${year === 0 ? '' : ` of ${year}`}`);
  }
  if (hours > 23) return problem('Hours', 4, hours, 'outside 0–23');
  if (minutes > 59) return problem('Minutes', 5, minutes, 'outside 0–59');
  if (seconds > 59) return problem('Seconds', 6, seconds, 'outside 0–59');
  return {
    ok: true,
    value: { year: year === 0 ? null : year, month: month === 0 ? null : month, day: day === 0 ? null : day, hours, minutes, seconds },
  };
}

/** The 7 octets of a Date Time. Throws a RangeError for a value the structure cannot hold. */
export function encodeDateTimeBytes(value: DateTime, field = 'Date Time'): number[] {
  const octets = [0, 0, 0, 0, 0, 0, 0];
  const year = value.year ?? 0;
  octets[0] = year & 0xff;
  octets[1] = (year >>> 8) & 0xff;
  octets[2] = value.month ?? 0;
  octets[3] = value.day ?? 0;
  octets[4] = value.hours;
  octets[5] = value.minutes;
  octets[6] = value.seconds;
  for (const [i, v] of [year, value.month ?? 0, value.day ?? 0, value.hours, value.minutes, value.seconds].entries()) {
    if (!Number.isInteger(v) || v < 0 || v > (i === 0 ? 0xffff : 0xff)) throw new RangeError(`${field}: ${v} does not fit.`);
  }
  const check = parseDateTime(Uint8Array.from(octets));
  if (!check.ok) throw new RangeError(`${field}: ${check.error.part} ${check.error.problem}.`);
  return octets;
}

/**
 * The instant a Date Time names, read as UTC wall-clock time; null when the year, month or day is
 * "not known" (a date without them is no time at all).
 */
export function dateTimeToDate(value: DateTime, plusMinutes = 0): Date | null {
  if (value.year === null || value.month === null || value.day === null) return null;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  date.setUTCFullYear(value.year, value.month - 1, value.day);
  date.setUTCHours(value.hours, value.minutes + plusMinutes, value.seconds, 0);
  return date;
}

/** The Date Time showing `date`'s wall clock at the given offset from UTC (minutes, e.g. 60 for BST). */
export function dateToDateTime(date: Date, utcOffsetMinutes = 0): DateTime {
  const local = new Date(date.getTime() + utcOffsetMinutes * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hours: local.getUTCHours(),
    minutes: local.getUTCMinutes(),
    seconds: local.getUTCSeconds(),
  };
}

function daysInMonth(year: number | null, month: number): number {
  if (month === 2) return year === null || isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
