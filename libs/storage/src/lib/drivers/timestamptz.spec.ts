import fc from 'fast-check';
import pg from 'pg';
import { defaultTimestamptzParser, parseIsoTimestamptz, parseTimestamptz } from './timestamptz';

// The fast parser must give exactly what pg's default parser (postgres-date) gives, for every text.
// This file loads timestamptz.ts and not the driver, so pg's registered parser is still the default.
const reference = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text');

// Fixed, so a failure is reproduced by running the spec again.
const SEED = 20_260_501;
const RUNS = 20_000;

/** Equal as the default's results go: the same instant (NaN too) for Dates, else the same value. */
function sameResult(actual: unknown, expected: unknown): boolean {
  if (expected instanceof Date) return actual instanceof Date && Object.is(actual.getTime(), expected.getTime());
  return !(actual instanceof Date) && Object.is(actual, expected);
}

function expectSame(text: string): void {
  const actual = parseTimestamptz(text);
  const expected = reference(text);
  if (!sameResult(actual, expected)) {
    throw new Error(`${JSON.stringify(text)}: fast ${String(actual instanceof Date ? actual.getTime() : actual)}, default ${String(expected instanceof Date ? expected.getTime() : expected)}`);
  }
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (year: number, month: number): number => (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!);

// Years across 1–9999, with the first century and the first millennium (Date.UTC's special
// reading of 0–99, and zero-padded years) drawn often.
const year = fc.oneof(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 100, max: 999 }), fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1960, max: 2100 }));
const date = year.chain((y) => fc.integer({ min: 1, max: 12 }).chain((m) => fc.integer({ min: 1, max: daysIn(y, m) }).map((d) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`)));
const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([h, m, s]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`);
// 0 to 6 digits, trailing zeros included (PostgreSQL drops them, but other senders may not).
const fraction = fc.oneof(fc.constant(''), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 6 }).map((digits) => `.${digits.join('')}`));
// Every shape PostgreSQL prints: ±HH, ±HH:MM (half and quarter hours), ±HH:MM:SS (historical
// local mean times such as Monrovia's -00:44:30).
const offset = fc.oneof(
  fc.constant('+00'),
  fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 15 })).map(([sign, h]) => `${sign}${pad(h, 2)}`),
  fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 59 })).map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
  fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([sign, h, m, s]) => `${sign}${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`),
);
const isoText = fc.tuple(date, time, fraction, offset).map(([d, t, f, o]) => `${d} ${t}${f}${o}`);

describe('parseTimestamptz (a fast path for ISO timestamptz text, else pg’s default parser)', () => {
  it('keeps the default parser as pg registered it', () => {
    expect(defaultTimestamptzParser).toBe(reference);
  });

  it('gives the default parser’s Date for generated ISO text, through the fast path', () => {
    fc.assert(
      fc.property(isoText, (text) => {
        expect(parseIsoTimestamptz(text)).toBeInstanceOf(Date);
        expectSame(text);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('truncates fractions beyond milliseconds as the default does, for every fraction of 1 to 5 digits and every 11th of 6', () => {
    // The floating-point near-misses of 1000 × 0.fffff are among them. (All 1,111,110 fractions
    // agree too, but take ten seconds here.)
    const offsets = ['+00', '-03:30', '+05:45', '-00:44:30', '+14', '-12'];
    for (let digits = 1; digits <= 6; digits++) {
      const step = digits === 6 ? 11 : 1;
      for (let n = 0; n < 10 ** digits; n += step) expectSame(`${n % 2 === 0 ? '2026' : '0042'}-05-01 12:34:56.${pad(n, digits)}${offsets[n % offsets.length]!}`);
    }
  });

  it('gives the default parser’s Date for every day of the first centuries and of the century turns', () => {
    const years = [1, 2, 3, 4, 5, 99, 100, 101, 399, 400, 401, 999, 1000, 1582, 1899, 1900, 1901, 1969, 1970, 1999, 2000, 2024, 9999];
    for (const y of years) {
      for (let m = 1; m <= 12; m++) {
        for (let d = 1; d <= daysIn(y, m); d++) {
          expectSame(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)} 00:00:00+00`);
          expectSame(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)} 23:59:59.999999-15:59:59`);
        }
      }
    }
  });

  it('rolls a day past its month\'s end over as the default does (PostgreSQL never sends one)', () => {
    for (const text of ['2026-02-30 12:00:00+00', '2026-04-31 12:00:00+00', '2023-02-29 12:00:00-01', '0003-02-29 12:00:00+00', '0100-02-29 12:00:00+00']) {
      expect(parseIsoTimestamptz(text)).toBeInstanceOf(Date);
      expectSame(text);
    }
  });

  it.each([
    ['infinity'],
    ['-infinity'],
    ['0044-03-15 12:00:00+00 BC'],
    ['0001-12-31 23:59:59.999999-00:01:15 BC'],
    ['12024-05-01 12:34:56+00'],
    ['294276-12-31 23:59:59.999999+00'],
    ['0000-02-29 12:00:00+00'],
    ['2026-13-01 12:00:00+00'],
    ['2026-05-01 24:00:00+00'],
    ['2026-05-01 12:60:00+00'],
    ['2026-05-01 12:00:60+00'],
    ['2026-05-01 12:34:56.1234567+00'],
    ['2026-05-01 12:34:56.+00'],
    ['2026-05-01 12:34:56Z'],
    ['2026-05-01T12:34:56+00'],
    ['2026-05-01 12:34:56'],
    ['2026-05-01 12:34:56+0530'],
    ['2026-05-01 12:34:56+05:3'],
    ['2026-05-01 12:34:56+05:30:1'],
    ['2026-05-01 12:34:56+05:30:15x'],
    ['2026-05-01 12:34:56+05 '],
    ['2026-05-01'],
    ['Fri May 01 12:34:56.123 2026 BST'],
    ['05/01/2026 12:34:56.123 BST'],
    ['01.05.2026 12:34:56.123 BST'],
    ['2026-05-01 12:34:56 Europe/London'],
    [''],
    ['garbage'],
  ])('leaves %p to the default parser, with its result', (text) => {
    expect(parseIsoTimestamptz(text)).toBeUndefined();
    expectSame(text);
  });

  it('gives the default parser’s result for ISO text with a character changed, dropped or added, and for any string', () => {
    const mutated = fc.tuple(isoText, fc.nat(), fc.constantFrom('change', 'drop', 'add'), fc.constantFrom(...'0123456789+-:. TZBC x')).map(([text, n, how, c]) => {
      const at = n % (text.length + 1);
      if (how === 'drop') return text.slice(0, at) + text.slice(at + 1);
      if (how === 'add') return text.slice(0, at) + c + text.slice(at);
      return text.slice(0, at) + c + text.slice(at + 1);
    });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789+-:. ') })), (text) => expectSame(text)),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
