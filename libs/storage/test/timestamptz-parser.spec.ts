import pg from 'pg';
import { type Database, openScratchStorage } from '../src';
import { defaultTimestamptzParser, parseIsoTimestamptz, parseTimestamptz } from '../src/lib/drivers/timestamptz';


// Across 1–9999 with fractions of every length (the server drops trailing zeros), plus the
// values whose text takes the default parser: infinities, BC, and years past 9999.
const VALUES_SQL = `
  WITH generated AS (
    SELECT i, timestamptz '0001-01-01 00:00:00+00'
      + ((i::bigint * 2654435761) % 315537897600) * interval '1 second'
      + ((i * 7919) % 1000000) * interval '1 microsecond' AS t
    FROM generate_series(1, 300) AS i
  ), shaped AS (
    SELECT CASE i % 4 WHEN 0 THEN date_trunc('second', t) WHEN 1 THEN date_trunc('milliseconds', t) ELSE t END AS t FROM generated
    UNION ALL SELECT unnest($1::timestamptz[])
  )
  SELECT t AS value, t::text AS text,
    CASE WHEN isfinite(t) THEN (extract(epoch FROM t) * 1000000)::bigint::text END AS micros
  FROM shaped`;

const FIXED = [
  '2026-05-01 12:34:56.789123+00',
  '2026-03-29 00:59:59.999999+00',
  '2026-03-29 01:00:00+00',
  '1900-01-01 12:00:00+00', // Monrovia -00:43:08, St John's -03:30:52, Kolkata +05:21:10
  '1950-06-01 12:00:00+00', // Monrovia -00:44:30
  '1971-12-31 23:59:59.999+00',
  '1972-01-07 00:00:00+00',
  '1935-03-30 12:00:00+00',
  '0001-01-01 00:00:00+00',
  '0001-01-01 00:00:00.000001+00',
  '0004-02-29 12:00:00+00',
  '0099-12-31 23:59:59.5+00',
  '0100-03-01 00:00:00+00',
  '0999-12-31 23:59:59.999999+00',
  '1969-12-31 23:59:59.999999+00',
  '1970-01-01 00:00:00+00',
  '9999-12-31 23:59:59.999999+00', // 10000-01-01 in zones east of UTC: five digits, the default's
  '12024-05-01 12:34:56+00',
  '0044-03-15 12:00:00+00 BC',
  '0001-12-31 23:59:59.999999+00 BC',
  'infinity',
  '-infinity',
];

// The text the fast path takes: 4-digit AD years, a fraction of 1 to 6 digits, ±HH[:MM[:SS]].
const ISO_SHAPE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d){0,2}$/;

/** Floor division of microseconds to milliseconds (BigInt division truncates towards zero). */
function floorMillis(micros: string): number {
  const us = BigInt(micros);
  const ms = us / 1000n;
  return Number(us < 0n && ms * 1000n !== us ? ms - 1n : ms);
}

interface Row {
  value: unknown;
  text: string;
  micros: string | null;
}

// Against real PostgreSQL (a scratch database on DATABASE_URL's server, else an embedded one): the
// text is the server's own output, in each TimeZone and DateStyle.
describe('timestamptz values read through the pg driver', () => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const scratch = await openScratchStorage();
    db = scratch.storage.db;
    dispose = scratch.dispose;
  }, 120_000);
  afterAll(() => dispose?.());

  const read = (settings: string): Promise<Row[]> =>
    db.transaction(async (tx) => {
      await tx.exec(settings);
      return (await tx.query<Row>(VALUES_SQL, [FIXED])).rows;
    });

  it('are parsed by the fast parser once the driver is loaded', () => {
    expect(pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text')).toBe(parseTimestamptz);
    expect(defaultTimestamptzParser).not.toBe(parseTimestamptz);
  });

  it.each(['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Africa/Monrovia', 'Pacific/Chatham', 'America/Los_Angeles'])(
    'are the default parser’s Dates, and the right instants, with TimeZone %s',
    async (zone) => {
      const rows = await read(`SET LOCAL TimeZone = '${zone}'; SET LOCAL DateStyle = 'ISO, MDY'`);
      expect(rows).toHaveLength(300 + FIXED.length);
      let fast = 0;
      for (const row of rows) {
        const expected = defaultTimestamptzParser(row.text);
        if (expected instanceof Date) {
          expect({ text: row.text, ms: (row.value as Date).getTime() }).toEqual({ text: row.text, ms: expected.getTime() });
        } else {
          expect({ text: row.text, value: row.value }).toEqual({ text: row.text, value: expected });
        }
        expect({ text: row.text, fast: parseIsoTimestamptz(row.text) !== undefined }).toEqual({ text: row.text, fast: ISO_SHAPE.test(row.text) });
        if (ISO_SHAPE.test(row.text)) {
          fast++;
          // And the instant the server meant, independently of either parser.
          expect({ text: row.text, ms: (row.value as Date).getTime() }).toEqual({ text: row.text, ms: floorMillis(row.micros!) });
        }
      }
      // Nearly all: only the infinities, BC and years past 9999 (local time) are left to the default.
      expect(fast).toBeGreaterThan(300);
    },
  );

  it.each(['SQL, DMY', 'Postgres, MDY', 'German, DMY'])('are the default parser’s values with DateStyle %s (left to it)', async (style) => {
    const rows = await read(`SET LOCAL TimeZone = 'Asia/Kolkata'; SET LOCAL DateStyle = '${style}'`);
    for (const row of rows) {
      const expected = defaultTimestamptzParser(row.text);
      expect(parseIsoTimestamptz(row.text)).toBeUndefined();
      if (expected instanceof Date) {
        expect({ text: row.text, ms: (row.value as Date).getTime() }).toEqual({ text: row.text, ms: expected.getTime() });
      } else {
        expect({ text: row.text, value: row.value }).toEqual({ text: row.text, value: expected });
      }
    }
  });
});
