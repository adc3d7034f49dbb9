import { type Database, type SqlClient, onlyRow } from '../database';
import { STREAM_END_TXID_SQL } from './reading.repository';

export type FhirSubscriptionStatus = 'requested' | 'active' | 'error' | 'off';
export type FhirSubscriptionResource = 'Observation' | 'Flag';

/** A rest-hook Subscription as stored (migration 0017). */
export interface FhirSubscriptionRecord {
  readonly id: string;
  readonly criteria: string;
  readonly resourceType: FhirSubscriptionResource;
  readonly wardId: string;
  readonly patientId: string | null;
  readonly endpoint: string;
  readonly headers: readonly string[];
  /** A mime type (the whole resource is sent), or null (id only). */
  readonly payload: string | null;
  readonly status: FhirSubscriptionStatus;
  readonly reason: string | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
}

export type NewFhirSubscription = Omit<FhirSubscriptionRecord, 'id' | 'status' | 'lastError' | 'updatedAt'>;

/** A resource to push, one per subscription that matches it. */
export interface SubscriptionResourceKey {
  readonly resourceId: string;
  readonly patientId: string;
}

/** A queued notification claimed for one attempt, with its subscription's channel. */
export interface ClaimedSubscriptionDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceType: FhirSubscriptionResource;
  readonly resourceId: string;
  readonly patientId: string;
  readonly attempts: number;
  readonly endpoint: string;
  readonly headers: readonly string[];
  readonly payload: string | null;
  readonly subscriptionStatus: FhirSubscriptionStatus;
}

export interface SubscriptionAttempt {
  readonly attempt: number;
  readonly at: Date;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly outcome: 'delivered' | 'retry' | 'failed';
  readonly nextAttemptAt: Date | null;
}

interface SubscriptionRow {
  id: string;
  criteria: string;
  resource_type: FhirSubscriptionResource;
  ward_id: string;
  patient_id: string | null;
  endpoint: string;
  headers: string[];
  payload: string | null;
  status: FhirSubscriptionStatus;
  reason: string | null;
  last_error: string | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
}

const COLUMNS = 'id, criteria, resource_type, ward_id, patient_id, endpoint, headers, payload, status, reason, last_error, created_at, created_by, updated_at';

function toRecord(row: SubscriptionRow): FhirSubscriptionRecord {
  return {
    id: row.id,
    criteria: row.criteria,
    resourceType: row.resource_type,
    wardId: row.ward_id,
    patientId: row.patient_id,
    endpoint: row.endpoint,
    headers: row.headers,
    payload: row.payload,
    status: row.status,
    reason: row.reason,
    lastError: row.last_error,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}

/**
 * FHIR rest-hook Subscriptions and their deliveries, after the escalation deliveries' pattern
 * (EscalationNotificationRepository): a notification is queued once per resource and
 * subscription, claimed with a lease so a dead deliverer's claims come due again, and each attempt
 * recorded with what comes next. The subscription carries its status (requested, active, error,
 * off) and its last error, as R4 asks.
 */
export class FhirSubscriptionRepository {
  constructor(private readonly db: Database) {}

  async create(input: NewFhirSubscription): Promise<FhirSubscriptionRecord> {
    const result = await this.db.query<SubscriptionRow>(
      `INSERT INTO fhir_subscriptions (criteria, resource_type, ward_id, patient_id, endpoint, headers, payload, status, reason, created_at, created_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9, $10, $9) RETURNING ${COLUMNS}`,
      [input.criteria, input.resourceType, input.wardId, input.patientId, input.endpoint, [...input.headers], input.payload, input.reason, input.createdAt, input.createdBy],
    );
    return toRecord(onlyRow(result, 'the new subscription'));
  }

  async get(id: string): Promise<FhirSubscriptionRecord | undefined> {
    const { rows } = await this.db.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM fhir_subscriptions WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** The subscriptions of these wards, newest first (switched off ones included: their status says so). */
  async ofWards(wardIds: readonly string[]): Promise<FhirSubscriptionRecord[]> {
    const { rows } = await this.db.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM fhir_subscriptions WHERE ward_id = ANY($1::uuid[]) ORDER BY created_at DESC, id`, [[...wardIds]]);
    return rows.map(toRecord);
  }

  /** Sets the status (and the last error, kept unless given); its pending deliveries end when switched off. */
  async setStatus(id: string, status: FhirSubscriptionStatus, at: Date, lastError?: string | null): Promise<FhirSubscriptionRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<SubscriptionRow>(
        `UPDATE fhir_subscriptions SET status = $2, updated_at = $3, last_error = CASE WHEN $5 THEN $4 ELSE last_error END WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, status, at, lastError ?? null, lastError !== undefined],
      );
      if (status === 'off') {
        await tx.query(`UPDATE fhir_subscription_deliveries SET status = 'failed', next_attempt_at = NULL, last_error = 'the subscription was switched off' WHERE subscription_id = $1 AND status = 'pending'`, [id]);
      }
      return rows[0] ? toRecord(rows[0]) : undefined;
    });
  }

  /** requested → active for every subscription still requested: the deliverer has taken them on. */
  async activateRequested(at: Date): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(`UPDATE fhir_subscriptions SET status = 'active', updated_at = $1 WHERE status = 'requested' RETURNING id`, [at]);
    return rows.length;
  }

  /**
   * Queues new Observations (in the transaction that moves the deliverer's readings cursor): one
   * delivery per live Observation subscription whose patient, or ward, the resource's patient is on
   * now, for readings received since the subscription was made.
   */
  async queueObservations(tx: SqlClient, resources: ReadonlyArray<SubscriptionResourceKey & { readonly receivedAt: Date }>, now: Date): Promise<number> {
    if (resources.length === 0) return 0;
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO fhir_subscription_deliveries (subscription_id, resource_type, resource_id, patient_id, next_attempt_at, created_at)
       SELECT s.id, 'Observation', o.resource_id, o.patient_id, $4, $4
       FROM unnest($1::text[], $2::uuid[], $3::timestamptz[]) AS o(resource_id, patient_id, received_at)
       JOIN admissions a ON a.patient_id = o.patient_id AND a.discharged_at IS NULL
       JOIN fhir_subscriptions s ON s.resource_type = 'Observation' AND s.status <> 'off' AND s.ward_id = a.ward_id
         AND (s.patient_id IS NULL OR s.patient_id = o.patient_id) AND o.received_at >= s.created_at
       ON CONFLICT (subscription_id, resource_type, resource_id) DO NOTHING
       RETURNING id`,
      [resources.map((r) => r.resourceId), resources.map((r) => r.patientId), resources.map((r) => r.receivedAt), now],
    );
    return rows.length;
  }

  /**
   * While no live Observation subscription exists, moves the deliverer's stream cursors to the
   * stream's current end without reading what they pass (there is no one to send it to), in one
   * statement, so a subscription committed before it is seen and stops the skip. The end is
   * STREAM_END_TXID_SQL's, as for AlertRepository.seedCursorAtEnd: nothing still in flight is
   * passed. Never moves a cursor back. Whether a live Observation subscription watches the stream
   * (the cursors were left where they were, and the deliverer reads on from them); false: no one
   * does, and the deliverer reads nothing until the next pass looks again.
   */
  async skipStreamWhileUnwatched(cursors: readonly string[], client: SqlClient = this.db): Promise<boolean> {
    const { rows } = await client.query<{ watched: boolean }>(
      `WITH stream AS (SELECT ${STREAM_END_TXID_SQL} AS end_txid),
            watch AS (SELECT EXISTS (SELECT 1 FROM fhir_subscriptions WHERE resource_type = 'Observation' AND status <> 'off') AS watched),
            -- Runs whether or not the SELECT below reads it, as every data-modifying WITH does.
            skipped AS (
              UPDATE reading_consumers SET txid = stream.end_txid, reading_id = 0, updated_at = now()
              FROM stream, watch
              WHERE consumer = ANY ($1::text[]) AND txid < stream.end_txid AND NOT watch.watched
              RETURNING consumer)
       SELECT watch.watched FROM watch`,
      [[...cursors]],
    );
    return rows[0]?.watched === true;
  }

  /** Queues the alerts opened since each live Flag subscription was made, on its ward (or for its patient); each once. */
  async queueFlags(now: Date): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO fhir_subscription_deliveries (subscription_id, resource_type, resource_id, patient_id, next_attempt_at, created_at)
       SELECT s.id, 'Flag', al.id::text, al.patient_id, $1, $1
       FROM fhir_subscriptions s
       JOIN alerts al ON al.ward_id = s.ward_id AND (s.patient_id IS NULL OR al.patient_id = s.patient_id) AND al.opened_at >= s.created_at
       WHERE s.resource_type = 'Flag' AND s.status <> 'off'
       ON CONFLICT (subscription_id, resource_type, resource_id) DO NOTHING
       RETURNING id`,
      [now],
    );
    return rows.length;
  }

  /** Claims the deliveries due at `now` (a lease: unrecorded, they come due again after leaseMs). */
  async claimDue(now: Date, options: { leaseMs: number; limit?: number }): Promise<ClaimedSubscriptionDelivery[]> {
    const { rows } = await this.db.query<{
      id: string;
      subscription_id: string;
      resource_type: FhirSubscriptionResource;
      resource_id: string;
      patient_id: string;
      attempts: number;
      endpoint: string;
      headers: string[];
      payload: string | null;
      subscription_status: FhirSubscriptionStatus;
    }>(
      `WITH due AS (
         SELECT id FROM fhir_subscription_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE fhir_subscription_deliveries d SET next_attempt_at = $1::timestamptz + make_interval(secs => $2::double precision / 1000)
         FROM due WHERE d.id = due.id
         RETURNING d.*
       )
       SELECT d.id, d.subscription_id, d.resource_type, d.resource_id, d.patient_id, d.attempts, s.endpoint, s.headers, s.payload, s.status AS subscription_status
       FROM claimed d JOIN fhir_subscriptions s ON s.id = d.subscription_id
       ORDER BY d.created_at, d.id`,
      [now, options.leaseMs, options.limit ?? 20],
    );
    return rows.map((row) => ({
      id: row.id,
      subscriptionId: row.subscription_id,
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      patientId: row.patient_id,
      attempts: row.attempts,
      endpoint: row.endpoint,
      headers: row.headers,
      payload: row.payload,
      subscriptionStatus: row.subscription_status,
    }));
  }

  /**
   * Records one attempt and what it means for the subscription: delivered → active (error
   * cleared); a failure → error, with the error kept. Only the holder of the attempt records it
   * (false when another deliverer already did, its lease having lapsed). An `off` subscription stays off.
   */
  recordAttempt(delivery: ClaimedSubscriptionDelivery, input: SubscriptionAttempt): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const status = input.outcome === 'retry' ? 'pending' : input.outcome;
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE fhir_subscription_deliveries SET attempts = $2, status = $3, last_attempt_at = $4, last_status_code = $5, last_error = $6,
           next_attempt_at = $7, delivered_at = CASE WHEN $3 = 'delivered' THEN $4::timestamptz END
         WHERE id = $1 AND status = 'pending' AND attempts = $2 - 1 RETURNING id`,
        [delivery.id, input.attempt, status, input.at, input.statusCode, input.error, status === 'pending' ? input.nextAttemptAt : null],
      );
      if (rows.length === 0) return false;
      await tx.query(
        `UPDATE fhir_subscriptions SET status = CASE WHEN $2 THEN 'active' ELSE 'error' END, last_error = CASE WHEN $2 THEN NULL ELSE $3 END, updated_at = $4
         WHERE id = $1 AND status <> 'off'`,
        [delivery.subscriptionId, input.outcome === 'delivered', input.error, input.at],
      );
      return true;
    });
  }

  /** A subscription's deliveries, oldest first (for tests and inspection). */
  async deliveriesOf(subscriptionId: string): Promise<Array<{ resourceType: string; resourceId: string; status: string; attempts: number; lastStatusCode: number | null; lastError: string | null }>> {
    const { rows } = await this.db.query<{ resource_type: string; resource_id: string; status: string; attempts: number; last_status_code: number | null; last_error: string | null }>(
      `SELECT resource_type, resource_id, status, attempts, last_status_code, last_error FROM fhir_subscription_deliveries WHERE subscription_id = $1 ORDER BY created_at, id`,
      [subscriptionId],
    );
    return rows.map((r) => ({ resourceType: r.resource_type, resourceId: r.resource_id, status: r.status, attempts: r.attempts, lastStatusCode: r.last_status_code, lastError: r.last_error }));
  }
}
