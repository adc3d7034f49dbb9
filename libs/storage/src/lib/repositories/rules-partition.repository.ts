import type { Database, SqlClient } from '../database';
import { LANE_SQL, type ReadingCursor, START_OF_STREAM } from './reading.repository';

/** A partitioning of the patients between the workers of one consumer (migration 0007). */
export interface Partitioning {
  /** The consumer (cursor family), e.g. "rules-engine". */
  readonly consumer: string;
  /** How many partitions; every worker of the consumer must use the same number. */
  readonly partitions: number;
}

export interface LeaseClaim {
  /** Partitions this worker holds after the call, ascending. */
  readonly owned: readonly number[];
  /** Workers of the consumer alive now (this one included). */
  readonly liveWorkers: number;
  /** Partitions taken over by this call (new, released by another worker, or expired). */
  readonly taken: readonly number[];
  /** Partitions this call gave up because another worker needs its share. */
  readonly released: readonly number[];
}

/** Readings committed but not yet passed by their consumer's cursor, per patient. */
export interface UnevaluatedReadings {
  readonly patientId: string;
  readonly count: number;
  readonly oldestReceivedAt: Date;
}

/** A claim that changed something, for the log: "worker w holds partitions [0, 1] of 4 (2 live workers; took 1)". */
export function describeClaim(workerId: string, partitions: number, claim: LeaseClaim): string {
  const { owned, liveWorkers, taken, released } = claim;
  return (
    `worker ${workerId} holds partitions [${owned.join(', ')}] of ${partitions} (${liveWorkers} live worker${liveWorkers === 1 ? '' : 's'}` +
    `${taken.length > 0 ? `; took ${taken.join(', ')}` : ''}${released.length > 0 ? `; gave up ${released.join(', ')}` : ''})`
  );
}

/** The name of one partition's cursor in reading_consumers. */
export function partitionCursorName(consumer: string, partition: number, partitions: number): string {
  return `${consumer}:${partition}/${partitions}`;
}

/**
 * Leases of rules partitions: which worker evaluates which patients. A worker calls `claim` on
 * a heartbeat; it renews what it holds, gives up what exceeds its fair share (ceil(partitions /
 * live workers)) and takes free or expired partitions up to that share. A batch checks `holds`
 * first in its transaction, which also keeps the lease row from being taken over until it commits.
 */
/** How long the timer pass's ticks are kept (rules_timer_ticks, 0024): a backtest of an older period infers them. */
export const TIMER_TICK_RETENTION_DAYS = 400;

export class RulesPartitionRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records that the timer pass ran as of `at` (its clock's now), by `worker`; the same statement
   * drops ticks older than the retention (an index range scan that usually finds nothing).
   */
  async recordTimerTick(at: Date, worker: string): Promise<void> {
    await this.db.query(
      `WITH expired AS (DELETE FROM rules_timer_ticks WHERE at < $1::timestamptz - make_interval(days => $3))
       INSERT INTO rules_timer_ticks (at, worker) VALUES ($1, $2) ON CONFLICT (at) DO NOTHING`,
      [at, worker, TIMER_TICK_RETENTION_DAYS],
    );
  }

  async claim(partitioning: Partitioning, workerId: string, leaseMs: number): Promise<LeaseClaim> {
    const { consumer, partitions } = partitioning;
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO rules_workers (consumer, worker_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::float8 / 1000))
         ON CONFLICT (consumer, worker_id) DO UPDATE SET renewed_at = now(), expires_at = EXCLUDED.expires_at`,
        [consumer, workerId, leaseMs],
      );
      await tx.query(`DELETE FROM rules_workers WHERE consumer = $1 AND expires_at < now() - interval '1 hour'`, [consumer]);
      const live = Number(
        (await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM rules_workers WHERE consumer = $1 AND expires_at > now()`, [consumer])).rows[0]?.n ?? 1,
      );
      await this.ensurePartitions(tx, partitioning);

      const renewed = (
        await tx.query<{ partition: number }>(
          `UPDATE rules_partition_leases SET expires_at = now() + make_interval(secs => $4::float8 / 1000), renewed_at = now()
           WHERE consumer = $1 AND partitions = $2 AND owner = $3 RETURNING partition`,
          [consumer, partitions, workerId, leaseMs],
        )
      ).rows
        .map((r) => r.partition)
        .sort((a, b) => a - b);
      const share = Math.ceil(partitions / Math.max(1, live));

      let released: number[] = [];
      if (renewed.length > share) {
        released = renewed.slice(share);
        await tx.query(
          `UPDATE rules_partition_leases SET owner = NULL, expires_at = NULL, renewed_at = now()
           WHERE consumer = $1 AND partitions = $2 AND owner = $3 AND partition = ANY ($4::int[])`,
          [consumer, partitions, workerId, released],
        );
      }
      let taken: number[] = [];
      const wanted = share - (renewed.length - released.length);
      if (wanted > 0) {
        // SKIP LOCKED: a lease row a batch is committing under (`holds`) is not taken from it.
        taken = (
          await tx.query<{ partition: number }>(
            `UPDATE rules_partition_leases SET owner = $3, expires_at = now() + make_interval(secs => $4::float8 / 1000), renewed_at = now()
             WHERE (consumer, partitions, partition) IN (
               SELECT consumer, partitions, partition FROM rules_partition_leases
               WHERE consumer = $1 AND partitions = $2 AND (owner IS NULL OR expires_at < now())
               ORDER BY partition
               LIMIT $5
               FOR UPDATE SKIP LOCKED)
             RETURNING partition`,
            [consumer, partitions, workerId, leaseMs, wanted],
          )
        ).rows.map((r) => r.partition);
      }
      const owned = [...renewed.filter((p) => !released.includes(p)), ...taken].sort((a, b) => a - b);
      return { owned, liveWorkers: live, taken: taken.sort((a, b) => a - b), released };
    });
  }

  /**
   * True if the worker still holds the partition's lease, unexpired. Call it inside the batch's
   * transaction: the row stays share-locked until commit, so no other worker takes it meanwhile.
   */
  async holds(partitioning: Partitioning, workerId: string, partition: number, tx: SqlClient): Promise<boolean> {
    const { rows } = await tx.query<{ partition: number }>(
      `SELECT partition FROM rules_partition_leases
       WHERE consumer = $1 AND partitions = $2 AND partition = $3 AND owner = $4 AND expires_at > clock_timestamp()
       FOR SHARE`,
      [partitioning.consumer, partitioning.partitions, partition, workerId],
    );
    return rows.length > 0;
  }

  /** A stopping worker hands its partitions back at once instead of letting them expire. */
  async release(partitioning: Partitioning, workerId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE rules_partition_leases SET owner = NULL, expires_at = NULL, renewed_at = now() WHERE consumer = $1 AND partitions = $2 AND owner = $3`,
        [partitioning.consumer, partitioning.partitions, workerId],
      );
      await tx.query(`DELETE FROM rules_workers WHERE consumer = $1 AND worker_id = $2`, [partitioning.consumer, workerId]);
    });
  }

  /** Every lease of a partitioning, for status pages and tests. */
  async leases(partitioning: Partitioning): Promise<{ partition: number; owner: string | null; expiresAt: Date | null }[]> {
    const { rows } = await this.db.query<{ partition: number; owner: string | null; expires_at: Date | null }>(
      `SELECT partition, owner, expires_at FROM rules_partition_leases WHERE consumer = $1 AND partitions = $2 ORDER BY partition`,
      [partitioning.consumer, partitioning.partitions],
    );
    return rows.map((r) => ({ partition: r.partition, owner: r.owner, expiresAt: r.expires_at }));
  }

  /** The cursor of each partition, in partition order (the start of the stream for a new one). */
  async cursors(partitioning: Partitioning): Promise<ReadingCursor[]> {
    const names = [...Array(partitioning.partitions).keys()].map((p) => partitionCursorName(partitioning.consumer, p, partitioning.partitions));
    const { rows } = await this.db.query<{ consumer: string; txid: string; reading_id: string }>(
      `SELECT consumer, txid::text AS txid, reading_id::text AS reading_id FROM reading_consumers WHERE consumer = ANY ($1::text[])`,
      [names],
    );
    const byName = new Map(rows.map((r) => [r.consumer, { txid: r.txid, id: r.reading_id }]));
    return names.map((name) => byName.get(name) ?? START_OF_STREAM);
  }

  /**
   * Readings received before `receivedBefore` that their consumer has not evaluated yet, per
   * patient: the single cursor `consumer`, or with `partitions` each patient's partition cursor.
   * A stalled pipeline shows here (the pipeline-stall technical alert).
   */
  async unevaluated(consumer: string, partitions: number | undefined, receivedBefore: Date): Promise<UnevaluatedReadings[]> {
    // Each lane has its cursor (ReadingStreamConsumer): `consumer` for fresh readings, `consumer.late` for late ones.
    const late = `${consumer}.late`;
    const cursors =
      partitions === undefined
        ? [await this.cursorOf(consumer), await this.cursorOf(late)]
        : [...(await this.cursors({ consumer, partitions })), ...(await this.cursors({ consumer: late, partitions }))];
    const floor = cursors.reduce((low, c) => (compareCursors(c, low) < 0 ? c : low));
    const { rows } = await this.db.query<{ patient_id: string; n: string; oldest: Date }>(
      `SELECT r.patient_id, count(*)::text AS n, min(r.received_at) AS oldest
       FROM readings r
       LEFT JOIN reading_consumers c ON c.consumer =
         CASE WHEN $2::int IS NULL THEN $1 ELSE $1 || ':' || homeward_patient_partition(r.patient_id, $2::int) || '/' || $2::int END
       LEFT JOIN reading_consumers l ON l.consumer =
         CASE WHEN $2::int IS NULL THEN $6 ELSE $6 || ':' || homeward_patient_partition(r.patient_id, $2::int) || '/' || $2::int END
       WHERE (r.txid, r.id) > ($3::xid8, $4::bigint)
         AND CASE WHEN ${LANE_SQL.late}
           -- A late lane's cursor not created yet starts where the fresh lane's is.
           THEN (r.txid, r.id) > (coalesce(l.txid, c.txid, '0'::xid8), coalesce(l.reading_id, c.reading_id, 0))
           ELSE (r.txid, r.id) > (coalesce(c.txid, '0'::xid8), coalesce(c.reading_id, 0)) END
         AND r.received_at < $5
       GROUP BY r.patient_id
       ORDER BY min(r.received_at)`,
      [consumer, partitions ?? null, floor.txid, floor.id, receivedBefore, late],
    );
    return rows.map((r) => ({ patientId: r.patient_id, count: Number(r.n), oldestReceivedAt: r.oldest }));
  }

  private async cursorOf(consumer: string): Promise<ReadingCursor> {
    const { rows } = await this.db.query<{ txid: string; reading_id: string }>(
      'SELECT txid::text AS txid, reading_id::text AS reading_id FROM reading_consumers WHERE consumer = $1',
      [consumer],
    );
    const row = rows[0];
    return row ? { txid: row.txid, id: row.reading_id } : START_OF_STREAM;
  }

  /**
   * Lease rows for every partition, and a cursor for each new partition starting where the
   * consumer already was (its single cursor, or the least advanced cursor of an earlier
   * partitioning): a replay is harmless, a skip is not.
   */
  private async ensurePartitions(tx: SqlClient, { consumer, partitions }: Partitioning): Promise<void> {
    await tx.query(
      `INSERT INTO rules_partition_leases (consumer, partitions, partition)
       SELECT $1::text, $2::int, p FROM generate_series(0, $2::int - 1) AS p
       ON CONFLICT DO NOTHING`,
      [consumer, partitions],
    );
    await tx.query(
      `WITH seed AS (
         SELECT txid, reading_id FROM reading_consumers
         WHERE consumer = $1::text OR (left(consumer, length($1::text) + 1) = $1::text || ':' AND consumer NOT LIKE '%/' || $2::int)
         ORDER BY txid, reading_id
         LIMIT 1
       )
       INSERT INTO reading_consumers (consumer, txid, reading_id)
       SELECT $1::text || ':' || p || '/' || $2::int, coalesce((SELECT txid FROM seed), '0'::xid8), coalesce((SELECT reading_id FROM seed), 0)
       FROM generate_series(0, $2::int - 1) AS p
       ON CONFLICT (consumer) DO NOTHING`,
      [consumer, partitions],
    );
  }
}

function compareCursors(a: ReadingCursor, b: ReadingCursor): number {
  const tx = BigInt(a.txid) - BigInt(b.txid);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  const id = BigInt(a.id) - BigInt(b.id);
  return id === 0n ? 0 : id < 0n ? -1 : 1;
}
