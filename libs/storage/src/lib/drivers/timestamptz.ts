import pg from 'pg';

/**
 * pg's own parser for `timestamptz` text (postgres-date), kept before the driver replaces it: the
 * fast parser hands it every text it does not recognise. Returns a Date, ±Infinity for
 * 'infinity'/'-infinity', or null.
 */
export const defaultTimestamptzParser: (text: string) => unknown = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text');

const MS_PER_DAY = 86_400_000;

/** The two decimal digits at `at`, or -1 when either is not a digit (or past the end). */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (year 1 or later). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Parses `timestamptz` text as pg's default parser does, several times faster for the text
 * PostgreSQL sends with DateStyle ISO: `YYYY-MM-DD HH:MM:SS[.f{1,6}]±HH[:MM[:SS]]`. The rules
 * engine reads three such columns per reading, and the default's regular expressions cost a
 * tenth of its CPU. Anything else (BC, years past 9999, 'infinity', other DateStyles) goes to the
 * default parser, so the result is always the one the default gives.
 */
export function parseTimestamptz(text: string): unknown {
  return parseIsoTimestamptz(text) ?? defaultTimestamptzParser(text);
}

/**
 * The fast path alone: the Date for ISO text of the shape above, or undefined for any other text.
 *
 * Where the default is subtle, this matches it: a fraction beyond milliseconds is truncated, not
 * rounded (it passes 1000 × parseFloat('.ffffff') to Date.UTC, which truncates; n / 10^k is the
 * same double as parseFloat, being the correctly rounded quotient of the same decimal), and years
 * 1 to 99 stay in the first century (the default undoes Date.UTC's 19xx reading of them).
 */
export function parseIsoTimestamptz(text: string): Date | undefined {
  const length = text.length;
  // 'YYYY-MM-DD HH:MM:SS+HH' is 22 characters; with a 6-digit fraction and '+HH:MM:SS', 35.
  if (length < 22 || length > 35 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
    return undefined;
  }
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const year = century * 100 + yearOfCentury;
  // Out-of-range fields (PostgreSQL sends none) go to the default, which has its own roll-over
  // rules for them. A day past its month's end rolls over alike in both, so 1 to 31 are taken.
  if (century < 0 || yearOfCentury < 0 || year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }

  let at = 19;
  let millis = 0;
  if (text.charCodeAt(at) === 46) {
    let fraction = 0;
    let scale = 1;
    for (at++; at < length; at++) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      fraction = fraction * 10 + digit;
      scale *= 10;
    }
    // PostgreSQL prints at most microseconds.
    if (scale === 1 || scale > 1_000_000) return undefined;
    millis = Math.trunc(1000 * (fraction / scale));
  }

  const sign = text.charCodeAt(at);
  if (sign !== 43 && sign !== 45) return undefined;
  let offsetSeconds = twoDigits(text, at + 1) * 3600;
  if (offsetSeconds < 0) return undefined;
  at += 3;
  if (at < length) {
    const offsetMinutes = text.charCodeAt(at) === 58 ? twoDigits(text, at + 1) : -1;
    if (offsetMinutes < 0) return undefined;
    offsetSeconds += offsetMinutes * 60;
    at += 3;
    if (at < length) {
      const offsetSecondsPart = text.charCodeAt(at) === 58 ? twoDigits(text, at + 1) : -1;
      if (offsetSecondsPart < 0 || at + 3 !== length) return undefined;
      offsetSeconds += offsetSecondsPart;
    }
  }

  // Whole milliseconds throughout, so every step is exact, as in Date.UTC.
  const local = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  return new Date(sign === 45 ? local + offsetSeconds * 1000 : local - offsetSeconds * 1000);
}
