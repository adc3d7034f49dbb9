import { CodedFailure, type Reading, type ReadingSource, type ReadingStatusFlag, type Result, type VitalKey, VITAL_KEYS, fail, ok } from '@homeward/domain';
import type { Database, SqlClient, StorageEngine } from '../database';
import { arrayLiteral } from './array-literal';

export interface StoredReading extends Reading {
  readonly id: string;
}

export interface InsertReadingsResult {
  /** Readings written by this call, with their store ids. */
  readonly stored: readonly StoredReading[];
  /** Readings already stored earlier (or twice in this batch): acknowledged, not written again. */
  readonly duplicates: readonly Reading[];
}

export type TrendBucketSize = 'hour' | 'day' | 'week';

export interface TrendBucket {
  readonly start: Date;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly count: number;
}

/** Position in the stream of committed readings (write transaction, then id). */
export interface ReadingCursor {
  readonly txid: string;
  readonly id: string;
}

export const START_OF_STREAM: ReadingCursor = { txid: '0', id: '0' };

/**
 * The two lanes of the readings stream (migration 0015): `late` readings were received more than
 * LATE_AFTER_MS after they were measured (a backfill, a replay, an import); every other one is
 * `fresh`. A consumer reads each lane from its own cursor, fresh first.
 */
export type ReadingLane = 'fresh' | 'late';
export const READING_LANES: readonly ReadingLane[] = ['fresh', 'late'];
export const LATE_AFTER_MS = 60 * 60_000;

/** Word for word the predicates of migration 0015's partial indexes, or the planner will not use them. */
export const LANE_SQL: Readonly<Record<ReadingLane, string>> = {
  fresh: `received_at - measured_at <= INTERVAL '1 hour'`,
  late: `received_at - measured_at > INTERVAL '1 hour'`,
};

/**
 * The readings stream's current end, as a txid: a cursor at (this, 0) stands past every reading
 * committed so far and before every reading still to come. That is the oldest transaction in flight
 * that may write readings here; the snapshot's xmin would do, but it is the whole server's, and on a
 * shared server another database's long transaction would hold it back over this database's history.
 * So transactions known to belong to another database are left out (pg_stat_activity; one that ended
 * since the snapshot is no longer listed and is counted, which only moves the end back: safe; so
 * is a session whose backend_xid the role may not see). With none in flight, the snapshot's xmax.
 */
export const STREAM_END_TXID_SQL = `coalesce(
  (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
   WHERE x::xid NOT IN (SELECT backend_xid FROM pg_stat_activity WHERE datname IS DISTINCT FROM current_database() AND backend_xid IS NOT NULL)),
  pg_snapshot_xmax(pg_current_snapshot()))`;

/**
 * ReadingRepository.momentsThroughMany's statement: the measurement moments of each patient's
 * range ($1 patients, $2 from, $3 to) already handled by a consumer whose fresh cursor is ($4, $5)
 * and late cursor ($6, $7). LATERAL, and DISTINCT within it so the planner cannot flatten it back
 * into a join: each range is its own scan of the (patient_id, measured_at) index. As a join, the
 * planner hashed the ranges and scanned the whole table for every page (~40 ms a statement at
 * 60,000 readings, growing with the table).
 */
export const MOMENTS_THROUGH_SQL = `SELECT DISTINCT q.patient_id, r.measured_at
       FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS q(patient_id, from_at, to_at)
       CROSS JOIN LATERAL (
         SELECT DISTINCT r.measured_at FROM readings r
         WHERE r.patient_id = q.patient_id AND r.measured_at >= q.from_at AND r.measured_at < q.to_at
           AND CASE WHEN ${LANE_SQL.late.replace(/received_at|measured_at/g, (c) => `r.${c}`)} THEN (r.txid, r.id) <= ($6::xid8, $7::bigint) ELSE (r.txid, r.id) <= ($4::xid8, $5::bigint) END
       ) r
       ORDER BY q.patient_id, r.measured_at`;

/** The lane a reading travels in. */
export function laneOf(reading: Pick<Reading, 'measuredAt' | 'receivedAt'>): ReadingLane {
  return reading.receivedAt.getTime() - reading.measuredAt.getTime() > LATE_AFTER_MS ? 'late' : 'fresh';
}

/** Each lane's cursor: what a two-lane consumer has evaluated. */
export type LaneCursors = Readonly<Record<ReadingLane, ReadingCursor>>;

/** One page of a patient's readings, newest measured first; `next` fetches the older ones. */
export interface ReadingPage {
  readonly readings: StoredReading[];
  /** An opaque cursor for the page after this one, or null when this is the last. */
  readonly next: string | null;
}

/** A page cursor decoded: the last reading shown, by measurement time (in microseconds, the column's precision) and id. */
export interface ReadingPagePosition {
  readonly measuredMicros: bigint;
  readonly id: bigint;
}

// Years 1 to 9999, so any cursor that parses names a time PostgreSQL and JavaScript both hold.
const MIN_MICROS = -62_135_596_800_000_000n;
const MAX_MICROS = 253_402_300_799_999_999n;
const MAX_ID = 9_223_372_036_854_775_807n;

/** Encodes a page position. Base64url, so clients treat it as opaque rather than build their own. */
export function encodeReadingPageCursor(position: ReadingPagePosition): string {
  return Buffer.from(`${position.measuredMicros}.${position.id}`, 'utf8').toString('base64url');
}

/** Decodes a cursor from encodeReadingPageCursor; anything else is `page.bad-cursor`. */
export function parseReadingPageCursor(cursor: string): Result<ReadingPagePosition> {
  const bad = fail('page.bad-cursor', 'The cursor is not one this server gave out; start again without it.');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return bad;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [, micros, rowId] = /^(-?\d{1,18})\.(\d{1,19})$/.exec(text) ?? [];
  if (micros === undefined || rowId === undefined) return bad;
  const measuredMicros = BigInt(micros);
  const id = BigInt(rowId);
  // Only the canonical spelling: another base64 string decoding to the same text (or "007") is not ours.
  if (encodeReadingPageCursor({ measuredMicros, id }) !== cursor) return bad;
  if (measuredMicros < MIN_MICROS || measuredMicros > MAX_MICROS || id < 1n || id > MAX_ID) return bad;
  return ok({ measuredMicros, id });
}

/** A patient's measurement-time range [from, to). */
export interface PatientRange {
  readonly patientId: string;
  readonly from: Date;
  readonly to: Date;
  /** eachWindow with `earlier` vitals: those vitals' readings are read from here (before `from`) too. */
  readonly earlierFrom?: Date;
}

/** One of `count` partitions of the patients (rules workers; `homeward_patient_partition`). */
export interface ReadingPartition {
  readonly index: number;
  readonly count: number;
}

export interface ReadingRow {
  id: string;
  patient_id: string;
  device_id: string | null;
  vital: string;
  value: number;
  unit: string;
  measured_at: Date;
  device_time: Date | null;
  received_at: Date;
  source: string;
  status: string[];
  idempotency_key: string;
  /** Absent from queries that do not select it. */
  gateway_id?: string | null;
}

/** The channel new readings are announced on (insertBatch, notifyNewReadings). */
const READINGS_CHANNEL = 'homeward_readings';

/** insertBatch's statement (one per batch: group commit); its names are insertBatch's prepared statements. */
const INSERT_BATCH_SQL = `WITH input AS (
         SELECT DISTINCT ON (idempotency_key) *
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::float8[], $5::text[], $6::timestamptz[],
                     $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::uuid[])
           AS t(patient_id, device_id, vital, value, unit, measured_at, device_time, received_at, source, status, idempotency_key, gateway_id)
         ORDER BY idempotency_key
       ), fresh AS (
         INSERT INTO reading_keys (idempotency_key, measured_at)
         SELECT idempotency_key, measured_at FROM input
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING idempotency_key
       ), stored AS (
         INSERT INTO readings (patient_id, device_id, vital, value, unit, measured_at, device_time, received_at, source, status, idempotency_key, gateway_id)
         SELECT i.patient_id, i.device_id, i.vital, i.value, i.unit, i.measured_at, i.device_time, i.received_at, i.source,
                CASE WHEN i.status = '' THEN '{}'::text[] ELSE string_to_array(i.status, ',') END, i.idempotency_key, i.gateway_id
         FROM input i JOIN fresh f USING (idempotency_key)
         RETURNING id::text AS id, idempotency_key
       )
       SELECT s.id, s.idempotency_key FROM stored s`;
/**
 * The same, announcing the new readings on homeward_readings at commit (notify: true). The wake-up
 * for consumers (notifyNewReadings) rides in the same statement: delivered at commit, only when
 * something new was stored, and without a second round trip per batch.
 */
const INSERT_BATCH_NOTIFY_SQL = `${INSERT_BATCH_SQL}
       CROSS JOIN (SELECT pg_notify('${READINGS_CHANNEL}', '') WHERE EXISTS (SELECT 1 FROM stored)) AS woken`;
const INSERT_BATCH_STATEMENT = 'homeward_insert_readings_v1';
const INSERT_BATCH_NOTIFY_STATEMENT = 'homeward_insert_readings_notify_v1';

/**
 * A reading's columns, its id as text. In an ORDER BY, name the table's id (`readings.id`): a bare
 * `id` is this text alias, and as text 1000 sorts before 999.
 */
export const READING_COLUMNS = `id::text AS id, patient_id, device_id, vital, value, unit, measured_at, device_time, received_at, source, status, idempotency_key, gateway_id`;

// Buckets are aligned in UTC; weeks start on Monday (2000-01-03 was a Monday, and is also
// TimescaleDB's default origin for time_bucket), so both engines draw the same buckets.
const BUCKET_INTERVAL: Record<TrendBucketSize, string> = { hour: '1 hour', day: '1 day', week: '7 days' };
const ORIGIN = `TIMESTAMPTZ '2000-01-03 00:00:00+00'`;

export class ReadingRepository {
  constructor(
    private readonly db: Database,
    private readonly engine: StorageEngine,
  ) {}

  /**
   * Writes a batch in one statement and one transaction (group commit). Idempotent: a reading
   * whose key is already stored is reported as a duplicate and not written again, also when two
   * writers race (the unique key makes the second wait for the first and then skip). When it
   * stores anything it notifies `homeward_readings` (as notifyNewReadings), at its commit, unless
   * `notify: false`: then the caller wakes consumers itself (the ingest pipeline coalesces its
   * wake-ups, because a NOTIFY in a transaction holds PostgreSQL's server-wide notify lock through
   * that transaction's commit and WAL flush, so notifying commits cannot share a flush).
   */
  async insertBatch(readings: readonly Reading[], client: SqlClient = this.db, options: { readonly notify?: boolean } = {}): Promise<InsertReadingsResult> {
    if (readings.length === 0) return { stored: [], duplicates: [] };
    const notify = options.notify ?? true;
    // Each column as PostgreSQL's array literal, built here: pg's own conversion escapes every
    // element through two regular expressions and formats each Date field by field, which was a
    // few per cent of the gateway's CPU at full ingest.
    const result = await client.query<{ id: string; idempotency_key: string }>(
      notify ? INSERT_BATCH_NOTIFY_SQL : INSERT_BATCH_SQL,
      [
        arrayLiteral(readings, (r) => r.patientId),
        arrayLiteral(readings, (r) => r.deviceId),
        arrayLiteral(readings, (r) => r.vital),
        arrayLiteral(readings, (r) => String(r.value)),
        arrayLiteral(readings, (r) => r.unit),
        arrayLiteral(readings, (r) => r.measuredAt.toISOString()),
        arrayLiteral(readings, (r) => r.deviceTime?.toISOString() ?? null),
        arrayLiteral(readings, (r) => r.receivedAt.toISOString()),
        arrayLiteral(readings, (r) => r.source),
        arrayLiteral(readings, (r) => r.status.join(',')),
        arrayLiteral(readings, (r) => r.idempotencyKey),
        arrayLiteral(readings, (r) => r.gatewayId ?? null),
      ],
      // Prepared once per connection: the statement's parse and plan were a fixed cost of every
      // group commit, which waits on this statement's round trip.
      { name: notify ? INSERT_BATCH_NOTIFY_STATEMENT : INSERT_BATCH_STATEMENT },
    );
    const idByKey = new Map(result.rows.map((row) => [row.idempotency_key, row.id]));
    const stored: StoredReading[] = [];
    const duplicates: Reading[] = [];
    for (const reading of readings) {
      const id = idByKey.get(reading.idempotencyKey);
      if (id === undefined) {
        duplicates.push(reading);
      } else {
        stored.push({ ...reading, id });
        idByKey.delete(reading.idempotencyKey); // a second copy in the same batch is a duplicate
      }
    }
    return { stored, duplicates };
  }

  /** Wakes consumers LISTENing on `homeward_readings` (the rules engine) after a commit. */
  async notifyNewReadings(): Promise<void> {
    await this.db.query(`SELECT pg_notify('${READINGS_CHANNEL}', '')`);
  }

  /** The latest reading of each vital by measurement time (not arrival), optionally as of a time. */
  async latestPerVital(patientId: string, options: { asOf?: Date; vitals?: readonly VitalKey[] } = {}): Promise<StoredReading[]> {
    const result = await this.db.query<ReadingRow>(
      `SELECT r.* FROM unnest($2::text[]) AS v(vital)
       CROSS JOIN LATERAL (
         SELECT ${READING_COLUMNS} FROM readings
         WHERE patient_id = $1 AND vital = v.vital AND ($3::timestamptz IS NULL OR measured_at <= $3)
         ORDER BY measured_at DESC, readings.id DESC
         LIMIT 1
       ) r
       ORDER BY r.vital`,
      [patientId, options.vitals ?? VITAL_KEYS, options.asOf ?? null],
    );
    return result.rows.map(toReading);
  }

  /** The readings behind an alert: these ids of this patient, oldest measured first (at most 500). */
  async byIds(patientId: string, ids: readonly string[]): Promise<StoredReading[]> {
    if (ids.length === 0) return [];
    const result = await this.db.query<ReadingRow>(
      `SELECT ${READING_COLUMNS} FROM readings WHERE patient_id = $1 AND id = ANY ($2::bigint[]) ORDER BY measured_at, readings.id LIMIT 500`,
      [patientId, ids.slice(-500)],
    );
    return result.rows.map(toReading);
  }

  /** Readings measured in [from, to), oldest first, at most `limit` (10,000): for internal callers; people page with `page`. */
  async inRange(
    patientId: string,
    range: { from: Date; to: Date; vitals?: readonly VitalKey[]; limit?: number },
  ): Promise<StoredReading[]> {
    const result = await this.db.query<ReadingRow>(
      `SELECT ${READING_COLUMNS} FROM readings
       WHERE patient_id = $1 AND measured_at >= $2 AND measured_at < $3 AND ($4::text[] IS NULL OR vital = ANY ($4))
       ORDER BY measured_at, readings.id
       LIMIT $5`,
      [patientId, range.from, range.to, range.vitals ?? null, range.limit ?? 10_000],
    );
    return result.rows.map(toReading);
  }

  /**
   * One page of a patient's readings measured in [from, to), newest first by (measured time, id),
   * starting after the cursor `before` (from an earlier page's `next`). Keyset paging: a reading
   * stored meanwhile (a late one, measured earlier) appears in its place on a later page, and no
   * reading is shown twice or skipped, even when several share a measurement time. Throws a
   * CodedFailure `page.bad-cursor` for a cursor this code did not make.
   */
  async page(patientId: string, query: { from: Date; to: Date; vitals?: readonly VitalKey[]; limit: number; before?: string }): Promise<ReadingPage> {
    let position: ReadingPagePosition | null = null;
    if (query.before !== undefined) {
      const parsed = parseReadingPageCursor(query.before);
      if (!parsed.ok) throw new CodedFailure(parsed.error);
      position = parsed.value;
    }
    const limit = Math.max(1, Math.floor(query.limit));
    // The cursor's time rebuilt exactly: whole seconds and microseconds are each small enough to
    // multiply an interval without the rounding one microsecond-count (a float8) would suffer.
    // `measured_at <= time` is spelled out so the (patient_id, measured_at) index bounds the scan.
    const result = await this.db.query<ReadingRow & { measured_us: string }>(
      `WITH after AS (
         SELECT TIMESTAMPTZ 'epoch' + ($5::bigint / 1000000) * INTERVAL '1 second' + ($5::bigint % 1000000) * INTERVAL '1 microsecond' AS at
       )
       SELECT ${READING_COLUMNS}, (EXTRACT(EPOCH FROM measured_at) * 1000000)::bigint::text AS measured_us
       FROM readings
       WHERE patient_id = $1 AND measured_at >= $2 AND measured_at < $3 AND ($4::text[] IS NULL OR vital = ANY ($4))
         AND ($5::bigint IS NULL OR (measured_at <= (SELECT at FROM after) AND (measured_at < (SELECT at FROM after) OR readings.id < $6::bigint)))
       -- The table's columns, not the text aliases above: ordered as text, id 10 would come before 9.
       ORDER BY readings.measured_at DESC, readings.id DESC
       LIMIT $7`,
      [patientId, query.from, query.to, query.vitals ?? null, position?.measuredMicros.toString() ?? null, position?.id.toString() ?? null, limit + 1],
    );
    // One row more than asked says whether an older page exists, so the last page says so itself.
    const rows = result.rows.slice(0, limit);
    const last = rows[rows.length - 1];
    const next = result.rows.length > limit && last ? encodeReadingPageCursor({ measuredMicros: BigInt(last.measured_us), id: BigInt(last.id) }) : null;
    return { readings: rows.map(toReading), next };
  }

  /**
   * Distinct measurement times in [from, to) of this patient's readings at or before `through` in
   * the readings stream: the moments a consumer at that cursor has already evaluated. A consumer
   * re-evaluates these when a late reading lands in their window; readings after its cursor get
   * their own turn, with every reading stored before them in view.
   */
  async momentsThrough(patientId: string, range: { from: Date; to: Date }, through: ReadingCursor | LaneCursors): Promise<Date[]> {
    // One cursor over the whole stream, or one per lane (each reading judged by its lane's).
    const lanes: LaneCursors = 'fresh' in through ? through : { fresh: through, late: through };
    const result = await this.db.query<{ measured_at: Date | string }>(
      `SELECT DISTINCT measured_at FROM readings
       WHERE patient_id = $1 AND measured_at >= $2 AND measured_at < $3
         AND CASE WHEN ${LANE_SQL.late} THEN (txid, id) <= ($6::xid8, $7::bigint) ELSE (txid, id) <= ($4::xid8, $5::bigint) END
       ORDER BY measured_at`,
      [patientId, range.from, range.to, lanes.fresh.txid, lanes.fresh.id, lanes.late.txid, lanes.late.id],
    );
    return result.rows.map((row) => new Date(row.measured_at));
  }

  /**
   * momentsThrough for many patients, each with its own range, in one statement: by patient,
   * ascending. (A rules page's re-opened moments.)
   */
  async momentsThroughMany(ranges: readonly PatientRange[], through: LaneCursors): Promise<Map<string, Date[]>> {
    const byPatient = new Map<string, Date[]>();
    if (ranges.length === 0) return byPatient;
    const result = await this.db.query<{ patient_id: string; measured_at: Date | string }>(
      MOMENTS_THROUGH_SQL,
      [ranges.map((r) => r.patientId), ranges.map((r) => r.from), ranges.map((r) => r.to), through.fresh.txid, through.fresh.id, through.late.txid, through.late.id],
    );
    for (const row of result.rows) {
      const list = byPatient.get(row.patient_id);
      const at = new Date(row.measured_at);
      if (list) list.push(at);
      else byPatient.set(row.patient_id, [at]);
    }
    return byPatient;
  }

  /**
   * inRange for many patients (each its own range, at most `limitPerPatient` readings each), read
   * a bounded number of rows at a time: `rowsPerQuery` (default 100,000) bounds one statement's
   * answer, whatever a backfill stored; a patient cut off by it is read again in the next
   * statement (by itself, up to limitPerPatient, when its window alone is larger), so each gets
   * exactly inRange's answer. Calls (and awaits) `each` per patient with its
   * window, in the order of `ranges`, before reading further (the caller keeps only what it derives).
   *
   * With `earlier.vitals`, a range's window also holds those vitals' readings from its
   * `earlierFrom` up to `from` (still in measurement order): the rules engine needs only the trend
   * vitals from before a moment's current window (rulesLookBack), and a patient's other readings
   * there were most of what it read.
   */
  async eachWindow(
    ranges: readonly PatientRange[],
    limitPerPatient: number,
    each: (patientId: string, window: StoredReading[]) => void | Promise<void>,
    rowsPerQuery = 100_000,
    earlier?: { readonly vitals: readonly VitalKey[] },
  ): Promise<void> {
    const withEarlier = earlier !== undefined && earlier.vitals.length > 0;
    const inWindow = withEarlier
      ? `SELECT * FROM (
           (SELECT ${READING_COLUMNS}, readings.id AS sort_id FROM readings
             WHERE readings.patient_id = q.patient_id AND measured_at >= q.from_at AND measured_at < q.to_at
             ORDER BY measured_at, readings.id LIMIT $4)
           UNION ALL
           (SELECT ${READING_COLUMNS}, readings.id AS sort_id FROM readings
             WHERE readings.patient_id = q.patient_id AND vital = ANY ($7::text[]) AND measured_at >= q.earlier_from AND measured_at < q.from_at
             ORDER BY measured_at, readings.id LIMIT $4)
         ) u
         ORDER BY u.measured_at, u.sort_id
         LIMIT $4`
      : `SELECT ${READING_COLUMNS}, readings.id AS sort_id FROM readings
         WHERE readings.patient_id = q.patient_id AND measured_at >= q.from_at AND measured_at < q.to_at
         ORDER BY measured_at, readings.id
         LIMIT $4`;
    const read = async (batch: readonly PatientRange[], limit: number) =>
      (
        await this.db.query<ReadingRow & { ord: string }>(
          `SELECT w.*, q.ord::text AS ord
           FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $6::timestamptz[]) WITH ORDINALITY AS q(patient_id, from_at, to_at, earlier_from, ord)
           CROSS JOIN LATERAL (${inWindow}) w
           ORDER BY q.ord, w.measured_at, w.sort_id
           LIMIT $5`,
          [
            batch.map((r) => r.patientId),
            batch.map((r) => r.from),
            batch.map((r) => r.to),
            limitPerPatient,
            limit,
            batch.map((r) => r.earlierFrom ?? r.from),
            ...(withEarlier ? [earlier.vitals] : []),
          ],
        )
      ).rows;
    let rest = ranges;
    while (rest.length > 0) {
      let rows = await read(rest, rowsPerQuery);
      let done = rest.length;
      if (rows.length >= rowsPerQuery) {
        const firstOrd = Number(rows[0]?.ord);
        const lastOrd = Number(rows[rows.length - 1]?.ord);
        // The last patient in a full answer may be cut short: read it again next time; when it is
        // the only one in the answer, read its whole window (up to limitPerPatient) by itself.
        if (firstOrd !== lastOrd) done = lastOrd - 1;
        else {
          rows = (await read(rest.slice(lastOrd - 1, lastOrd), limitPerPatient)).map((row) => ({ ...row, ord: String(lastOrd) }));
          done = lastOrd;
        }
      }
      const windows = new Map<number, StoredReading[]>();
      for (const row of rows) {
        const ord = Number(row.ord);
        if (ord > done) break;
        const list = windows.get(ord);
        if (list) list.push(toReading(row));
        else windows.set(ord, [toReading(row)]);
      }
      for (const [i, range] of rest.slice(0, done).entries()) {
        await each(range.patientId, windows.get(i + 1) ?? []);
        windows.delete(i + 1);
      }
      rest = rest.slice(done);
    }
  }


  /**
   * Min, max, mean and count per bucket for the buckets that start in [from, to), whole buckets
   * (a bucket starting before `to` includes its readings after `to`). From the continuous
   * aggregates on TimescaleDB; rolled up on read on plain PostgreSQL; the same answer from both.
   */
  async trend(patientId: string, vital: VitalKey, range: { from: Date; to: Date; bucket: TrendBucketSize }): Promise<TrendBucket[]> {
    const interval = BUCKET_INTERVAL[range.bucket];
    const sql =
      this.engine === 'timescale'
        ? range.bucket === 'week'
          ? `SELECT time_bucket(INTERVAL '${interval}', bucket, ${ORIGIN}) AS start, min(min) AS min, max(max) AS max, sum(sum) AS sum, sum(n)::int AS n
             FROM readings_daily
             WHERE patient_id = $1 AND vital = $2 AND bucket >= time_bucket(INTERVAL '${interval}', $3::timestamptz, ${ORIGIN}) AND bucket < $4
             GROUP BY 1 HAVING time_bucket(INTERVAL '${interval}', bucket, ${ORIGIN}) < $4 ORDER BY 1`
          : `SELECT bucket AS start, min, max, sum, n::int AS n
             FROM ${range.bucket === 'hour' ? 'readings_hourly' : 'readings_daily'}
             WHERE patient_id = $1 AND vital = $2 AND bucket >= time_bucket(INTERVAL '${interval}', $3::timestamptz) AND bucket < $4
             ORDER BY bucket`
        : `SELECT date_bin(INTERVAL '${interval}', measured_at, ${ORIGIN}) AS start, min(value) AS min, max(value) AS max, sum(value) AS sum, count(*)::int AS n
           FROM readings
           WHERE patient_id = $1 AND vital = $2
             AND measured_at >= date_bin(INTERVAL '${interval}', $3::timestamptz, ${ORIGIN})
             AND measured_at < $4::timestamptz + INTERVAL '${interval}'
           GROUP BY 1 HAVING date_bin(INTERVAL '${interval}', measured_at, ${ORIGIN}) < $4
           ORDER BY 1`;
    const result = await this.db.query<{ start: Date; min: number; max: number; sum: number; n: number }>(sql, [
      patientId,
      vital,
      range.from,
      range.to,
    ]);
    return result.rows.map((row) => ({
      start: row.start,
      min: Number(row.min),
      max: Number(row.max),
      mean: Number(row.sum) / Number(row.n),
      count: Number(row.n),
    }));
  }

  /**
   * Committed readings after a cursor, in commit-safe order, for at-least-once consumers (the
   * rules engine). Rows of transactions still in flight are held back until every older
   * transaction has finished, so a consumer that stores the returned cursor never skips a row.
   * With `lane`, only that lane's readings (its partial index), for a cursor of that lane.
   */
  async afterCursor(
    cursor: ReadingCursor,
    limit = 1000,
    partition?: ReadingPartition,
    lane?: ReadingLane,
  ): Promise<{ readings: StoredReading[]; cursor: ReadingCursor; heldBack: boolean }> {
    const inLane = lane === undefined ? 'true' : LANE_SQL[lane];
    if (partition) return this.partitionAfterCursor(cursor, limit, partition, lane);
    const result = await this.db.query<ReadingRow & { txid: string }>(
      `SELECT ${READING_COLUMNS}, txid::text AS txid FROM readings
       WHERE (txid, id) > ($1::xid8, $2::bigint) AND txid < pg_snapshot_xmin(pg_current_snapshot()) AND ${inLane}
       -- The table's columns, not the text aliases above: ordered as text, txid 1000 would come before 999.
       ORDER BY readings.txid, readings.id
       LIMIT $3`,
      [cursor.txid, cursor.id, limit],
    );
    const last = result.rows[result.rows.length - 1];
    const next = last ? { txid: last.txid, id: last.id } : cursor;
    // At the end of what may be passed, say whether committed rows wait behind an open
    // transaction: no notification will come when that transaction ends, so the consumer must
    // look again soon rather than wait for the next reading.
    const heldBack = result.rows.length < limit && (await this.db.query(heldBackSql(lane, false), [next.txid, next.id])).rows.length > 0;
    return { readings: result.rows.map(toReading), cursor: next, heldBack };
  }

  /**
   * afterCursor for one partition of the patients. The cursor may move past other partitions'
   * readings: when the partition's page is not full it moves to the last committed reading of the
   * stream seen in the same snapshot (every row up to it is committed, so none is skipped), so an
   * idle partition does not rescan the others' readings on every pass.
   */
  private async partitionAfterCursor(
    cursor: ReadingCursor,
    limit: number,
    partition: ReadingPartition,
    lane: ReadingLane | undefined,
  ): Promise<{ readings: StoredReading[]; cursor: ReadingCursor; heldBack: boolean }> {
    const inLane = lane === undefined ? 'true' : LANE_SQL[lane];
    // One statement, so both parts see one snapshot.
    const result = await this.db.query<ReadingRow & { txid: string | null; horizon_txid: string; horizon_id: string }>(
      `WITH mine AS (
         SELECT ${READING_COLUMNS}, txid AS tx, readings.id AS rid FROM readings
         WHERE (txid, id) > ($1::xid8, $2::bigint) AND txid < pg_snapshot_xmin(pg_current_snapshot()) AND ${inLane}
           AND homeward_patient_partition(patient_id, $5) = $4
         ORDER BY readings.txid, readings.id
         LIMIT $3
       ), horizon AS (
         SELECT txid, id FROM readings
         WHERE (txid, id) > ($1::xid8, $2::bigint) AND txid < pg_snapshot_xmin(pg_current_snapshot()) AND ${inLane}
         ORDER BY txid DESC, id DESC
         LIMIT 1
       )
       SELECT mine.*, mine.tx::text AS txid, horizon.txid::text AS horizon_txid, horizon.id::text AS horizon_id
       FROM horizon LEFT JOIN mine ON true
       ORDER BY mine.tx, mine.rid`,
      [cursor.txid, cursor.id, limit, partition.index, partition.count],
    );
    const rows = result.rows.filter((row): row is ReadingRow & { txid: string; horizon_txid: string; horizon_id: string } => row.txid !== null);
    const horizon = result.rows[0];
    const last = rows[rows.length - 1];
    const next = rows.length >= limit && last ? { txid: last.txid, id: last.id } : horizon ? { txid: horizon.horizon_txid, id: horizon.horizon_id } : cursor;
    const heldBack =
      rows.length < limit &&
      (await this.db.query(heldBackSql(lane, true), [next.txid, next.id, partition.index, partition.count])).rows.length > 0;
    return { readings: rows.map(toReading), cursor: next, heldBack };
  }

  /** Readings by store id, whoever's (at most 10: one FHIR Observation's); the caller checks access. */
  async withIds(ids: readonly string[]): Promise<StoredReading[]> {
    const valid = ids.filter((id) => /^\d{1,18}$/.test(id)).slice(0, 10);
    if (valid.length === 0) return [];
    const result = await this.db.query<ReadingRow>(`SELECT ${READING_COLUMNS} FROM readings WHERE id = ANY ($1::bigint[]) ORDER BY measured_at, readings.id`, [valid]);
    return result.rows.map(toReading);
  }
}

/**
 * A committed row of the lane (and of partition $3 of $4) after cursor $1/$2 that the snapshot
 * cannot pass yet: at or after its xmin, so behind a transaction still open. Two choices keep it an
 * index probe of the stream's in-flight end rather than a scan of the lane since the cursor (the
 * rules engine asks after every page that is not full; the old form took 3–25 ms a call under the
 * ingest bench, 40% of PostgreSQL's busy time):
 * - The scan starts at the later of the cursor's txid and xmin, one scalar bound. Given the row
 *   comparison (txid, id) > cursor as well, PostgreSQL started the scan there and only filtered by
 *   txid >= xmin, reading every committed row after the cursor again.
 * - ORDER BY … LIMIT 1, not EXISTS: the planner drops an EXISTS's ordering and, before the table's
 *   first ANALYZE, chose a sequential scan for it; with the ordering kept, the lane's index wins.
 * Exported for the test of its plan (reading-held-back.spec.ts).
 */
export function heldBackSql(lane: ReadingLane | undefined, partitioned: boolean): string {
  return `SELECT 1 FROM readings
    WHERE txid >= GREATEST($1::xid8, pg_snapshot_xmin(pg_current_snapshot())) AND (txid > $1::xid8 OR id > $2::bigint)
      AND ${lane === undefined ? 'true' : LANE_SQL[lane]} ${partitioned ? 'AND homeward_patient_partition(patient_id, $4) = $3' : ''}
    ORDER BY txid, id
    LIMIT 1`;
}

export function toReading(row: ReadingRow): StoredReading {
  return {
    id: row.id,
    patientId: row.patient_id,
    deviceId: row.device_id,
    vital: row.vital as VitalKey,
    value: Number(row.value),
    unit: row.unit,
    measuredAt: row.measured_at,
    deviceTime: row.device_time,
    receivedAt: row.received_at,
    source: row.source as ReadingSource,
    status: row.status as ReadingStatusFlag[],
    idempotencyKey: row.idempotency_key,
    // Only when recorded, so a reading read back equals the one written without a relay.
    ...(row.gateway_id ? { gatewayId: row.gateway_id } : {}),
  };
}
