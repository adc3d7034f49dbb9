import type { Database } from '../database';
import { LANE_SQL } from './reading.repository';

export const ALERT_STATES = ['open', 'acknowledged', 'escalated', 'resolved'] as const;
export type AlertStateName = (typeof ALERT_STATES)[number];

/** Figures operators watch (Prometheus metrics), read at scrape time. */
export class OperationsRepository {
  constructor(private readonly db: Database) {}

  /** Alerts by state; every state is present, zero when none. */
  async alertsByState(): Promise<Record<AlertStateName, number>> {
    const { rows } = await this.db.query<{ state: AlertStateName; n: string }>('SELECT state, count(*) AS n FROM alerts GROUP BY state');
    const counts: Record<AlertStateName, number> = { open: 0, acknowledged: 0, escalated: 0, resolved: 0 };
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  }

  /**
   * Per reading cursor (the rules engine's, or each of its partitions' `<consumer>:<k>/<N>`): how
   * long the oldest reading still waiting for it has been in Homeward — `at` minus the receipt
   * time of the first reading after the cursor in commit order, 0 when none waits. Receipt, not
   * measurement: a backfill of month-old readings is not a month of lag, and a live reading
   * waiting behind it is. The first reading after the cursor is the one waiting longest (the
   * stream is in transaction order); the lane's partial index finds it directly. A partition's
   * cursor looks only at its own patients' readings, a lane's cursor only at its lane's.
   */
  async readingCursorLag(at: Date = new Date()): Promise<Array<{ cursor: string; seconds: number }>> {
    const { rows } = await this.db.query<{ consumer: string; seconds: number | null }>(
      `SELECT c.consumer, greatest(0, extract(epoch FROM $1::timestamptz - coalesce(fresh.received_at, late.received_at)))::float8 AS seconds
         FROM reading_consumers c
         CROSS JOIN LATERAL (
           SELECT (regexp_match(c.consumer, ':(\\d+)/(\\d+)$'))::int[] AS part, split_part(c.consumer, ':', 1) LIKE '%.late' AS late
         ) p
         -- Each lane's cursor (ReadingStreamConsumer) waits only for its lane's readings, found
         -- through that lane's partial index (a constant lane predicate per query).
         LEFT JOIN LATERAL (
           SELECT r.received_at FROM readings r
            WHERE NOT p.late AND (r.txid, r.id) > (c.txid, c.reading_id) AND ${LANE_SQL.fresh}
              AND (p.part IS NULL OR homeward_patient_partition(r.patient_id, p.part[2]) = p.part[1])
            ORDER BY r.txid, r.id
            LIMIT 1
         ) fresh ON true
         LEFT JOIN LATERAL (
           SELECT r.received_at FROM readings r
            WHERE p.late AND (r.txid, r.id) > (c.txid, c.reading_id) AND ${LANE_SQL.late}
              AND (p.part IS NULL OR homeward_patient_partition(r.patient_id, p.part[2]) = p.part[1])
            ORDER BY r.txid, r.id
            LIMIT 1
         ) late ON true
        ORDER BY c.consumer`,
      [at],
    );
    return rows.map((row) => ({ cursor: row.consumer, seconds: row.seconds === null ? 0 : Number(row.seconds) }));
  }
}
