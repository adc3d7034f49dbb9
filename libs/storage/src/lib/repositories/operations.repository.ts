import type { Database } from '../database';

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
   * Per reading cursor (the rules engine's, or each of its partitions'): now minus the measurement
   * time of the last reading it evaluated. The cursor keeps (txid, reading id), which the
   * readings_txid index finds directly. A cursor that has evaluated nothing yet is left out.
   */
  async readingCursorLag(): Promise<Array<{ cursor: string; seconds: number }>> {
    const { rows } = await this.db.query<{ consumer: string; seconds: number }>(
      `SELECT c.consumer, extract(epoch FROM now() - r.measured_at)::float8 AS seconds
         FROM reading_consumers c
         JOIN readings r ON r.txid = c.txid AND r.id = c.reading_id
        ORDER BY c.consumer`,
    );
    return rows.map((row) => ({ cursor: row.consumer, seconds: Number(row.seconds) }));
  }
}
