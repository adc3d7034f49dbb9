import type { VitalKey } from '@homeward/domain';
import type { Database, SqlClient } from '../database';
import { READING_COLUMNS, type ReadingRow, type StoredReading, toReading } from './reading.repository';

/** Matches a result when any of its readings is of one of `vitals` (none of them, when negated). */
export interface ResultTokenCondition {
  readonly vitals: readonly VitalKey[];
  readonly negate: boolean;
}

/** `from <= measured_at < before` (its complement when negated); a null bound is open. */
export interface ResultTimeCondition {
  readonly from: Date | null;
  readonly before: Date | null;
  readonly negate: boolean;
}

export interface ResultSearch {
  readonly patientId: string;
  /** Readings of these vitals measured at one instant by one device are one result (a BP panel). */
  readonly groupedVitals: readonly VitalKey[];
  /** All must hold. */
  readonly tokens: readonly ResultTokenCondition[];
  readonly times: readonly ResultTimeCondition[];
  /** The highest reading id in the search (from an earlier page), or null to take one now. */
  readonly snapshot: string | null;
  /** Results after this one (the last of the previous page), oldest measured first. */
  readonly after: { readonly micros: string; readonly id: string } | null;
  readonly offset: number;
  /** 0: count only. */
  readonly limit: number;
}

/** The reading columns qualified, for joins with tables that share their names (reading_keys). */
const QUALIFIED_COLUMNS = READING_COLUMNS.split(', ')
  .map((column) => `readings.${column}`)
  .join(', ');

export interface ResultPage {
  readonly readings: StoredReading[];
  readonly total: number;
  readonly snapshot: string;
  /** The last result of this page when another follows it, for the next page's `after`. */
  readonly next: { readonly micros: string; readonly id: string } | null;
}

/**
 * Searches over a patient's readings as results (FHIR Observations): a BP panel's readings are
 * one result, matched when any of them matches and returned whole. Keyset paging over a snapshot
 * (reading ids up to the highest when the search began), so every match is visited once even
 * while readings arrive, and the total stays what it was on the first page.
 */
export class ObservationSearchRepository {
  constructor(private readonly db: Database) {}

  async search(query: ResultSearch): Promise<ResultPage> {
    const params: unknown[] = [query.patientId, query.groupedVitals];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const snapshot =
      query.snapshot ?? (await this.db.query<{ max: string | null }>(`SELECT max(id)::text AS max FROM readings WHERE patient_id = $1`, [query.patientId])).rows[0]?.max ?? '0';
    const where = [`patient_id = $1`, `readings.id <= ${param(snapshot)}::bigint`];
    for (const time of query.times) {
      const bounds = [time.from ? `measured_at >= ${param(time.from)}::timestamptz` : null, time.before ? `measured_at < ${param(time.before)}::timestamptz` : null].filter((b) => b !== null);
      if (bounds.length === 0) continue;
      where.push(time.negate ? `NOT (${bounds.join(' AND ')})` : `(${bounds.join(' AND ')})`);
    }
    const having = query.tokens.map((t) => `${t.negate ? 'NOT ' : ''}coalesce(bool_or(vital = ANY (${param(t.vitals)}::text[])), false)`);
    const matching = `
      matching AS (
        SELECT ${READING_COLUMNS}, readings.id AS rid, CASE WHEN vital = ANY ($2::text[]) THEN 0 ELSE readings.id END AS gid
        FROM readings WHERE ${where.join(' AND ')}
      ),
      results AS (
        SELECT device_id, measured_at, gid, min(rid) AS first FROM matching GROUP BY device_id, measured_at, gid
        ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
      )`;
    const total = await this.db.query<{ total: string }>(`WITH ${matching} SELECT count(*)::text AS total FROM results`, params);
    if (query.limit === 0) return { readings: [], total: Number(total.rows[0]?.total ?? 0), snapshot, next: null };
    const after = query.after
      ? `WHERE (measured_at, first) > (TIMESTAMPTZ 'epoch' + (${param(query.after.micros)}::bigint / 1000000) * INTERVAL '1 second' + (${param(query.after.micros)}::bigint % 1000000) * INTERVAL '1 microsecond', ${param(query.after.id)}::bigint)`
      : '';
    const page = await this.db.query<ReadingRow & { n: string; measured_us: string; first: string }>(
      `WITH ${matching},
       page AS (
         SELECT device_id, measured_at, gid, first, row_number() OVER (ORDER BY measured_at, first) AS n
         FROM (SELECT * FROM results ${after} ORDER BY measured_at, first LIMIT ${param(query.limit + 1)} OFFSET ${param(query.offset)}) chosen
       )
       SELECT m.id, m.patient_id, m.device_id, m.vital, m.value, m.unit, m.measured_at, m.device_time, m.received_at, m.source, m.status, m.idempotency_key, m.gateway_id,
              p.n::text AS n, p.first::text AS first, (EXTRACT(EPOCH FROM m.measured_at) * 1000000)::bigint::text AS measured_us
       FROM matching m JOIN page p ON m.device_id IS NOT DISTINCT FROM p.device_id AND m.measured_at = p.measured_at AND m.gid = p.gid
       ORDER BY p.n, m.rid`,
      params,
    );
    const shown = page.rows.filter((r) => Number(r.n) <= query.limit);
    const last = shown[shown.length - 1];
    const more = page.rows.length > shown.length;
    return { readings: shown.map(toReading), total: Number(total.rows[0]?.total ?? 0), snapshot, next: more && last ? { micros: last.measured_us, id: last.first } : null };
  }

  /**
   * The readings that make one result with this one: a BP panel's systolic, diastolic and mean
   * (same patient, device and instant). Lets a read of `bp-<id>` be answered only by the whole panel.
   */
  async resultOf(readingId: string, groupedVitals: readonly VitalKey[], client: SqlClient = this.db): Promise<StoredReading[]> {
    return (await this.resultsOf([readingId], groupedVitals, client)).get(readingId) ?? [];
  }

  /** resultOf for many readings in one query: reading id → the readings of its result, oldest id first. */
  async resultsOf(readingIds: readonly string[], groupedVitals: readonly VitalKey[], client: SqlClient = this.db): Promise<Map<string, StoredReading[]>> {
    const ids = [...new Set(readingIds.filter((id) => /^\d{1,18}$/.test(id)))];
    const results = new Map<string, StoredReading[]>();
    if (ids.length === 0) return results;
    const rows = await client.query<ReadingRow & { asked: string }>(
      `WITH one AS (SELECT id, patient_id, device_id, vital, measured_at FROM readings WHERE id = ANY ($1::bigint[]))
       SELECT one.id::text AS asked, ${QUALIFIED_COLUMNS} FROM one JOIN readings ON readings.patient_id = one.patient_id AND readings.measured_at = one.measured_at
         AND (readings.id = one.id
              OR (one.vital = ANY ($2::text[]) AND readings.vital = ANY ($2::text[]) AND readings.device_id IS NOT DISTINCT FROM one.device_id))
       ORDER BY readings.id`,
      [ids, groupedVitals],
    );
    for (const row of rows.rows) results.set(row.asked, [...(results.get(row.asked) ?? []), toReading(row)]);
    return results;
  }

  /**
   * Stored readings that are these readings: the same idempotency key, or the same measurement
   * whatever device (or none) it was filed under (same patient, vital, measurement time and
   * value). So the same reading sent with and without its device is one reading.
   */
  async sameReadings(readings: ReadonlyArray<{ patientId: string; vital: VitalKey; measuredAt: Date; value: number; idempotencyKey: string }>, client: SqlClient = this.db): Promise<StoredReading[]> {
    if (readings.length === 0) return [];
    const result = await client.query<ReadingRow>(
      `WITH wanted AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[]) AS w(w_patient, w_vital, w_at, w_value, w_key)
       )
       -- By key: reading_keys gives the stored measurement time, so the (patient, vital, time) index finds the row.
       SELECT ${QUALIFIED_COLUMNS} FROM wanted JOIN reading_keys k ON k.idempotency_key = w_key
         JOIN readings ON readings.patient_id = w_patient AND readings.vital = w_vital AND readings.measured_at = k.measured_at AND readings.idempotency_key = w_key
       UNION
       SELECT ${QUALIFIED_COLUMNS} FROM wanted JOIN readings ON patient_id = w_patient AND vital = w_vital AND measured_at = w_at AND value = w_value`,
      [readings.map((r) => r.patientId), readings.map((r) => r.vital), readings.map((r) => r.measuredAt), readings.map((r) => r.value), readings.map((r) => r.idempotencyKey)],
    );
    return result.rows.map(toReading);
  }
}
