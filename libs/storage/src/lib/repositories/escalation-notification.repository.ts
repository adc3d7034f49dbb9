import type { Alert, AlertEvent, AlertSeverityBand } from '@homeward/domain';
import { type Database, type SqlClient, onlyRow } from '../database';

export type EscalationChannelKind = 'webhook' | 'stream';
export type EscalationDeliveryStatus = 'pending' | 'delivered' | 'failed';
export type EscalationAttemptOutcome = 'delivered' | 'retry' | 'failed';

/** Channel on which the deliverer is woken when deliveries are queued (sent at commit). */
export const DELIVERIES_CHANNEL = 'homeward_deliveries';

/** A ward's escalation contact as anyone may see it: the secret is never read out of the table here. */
export interface EscalationContact {
  readonly id: string;
  readonly wardId: string;
  readonly name: string;
  readonly role: string;
  readonly channel: EscalationChannelKind;
  /** The webhook's address; null on the stream channel. */
  readonly url: string | null;
  readonly createdAt: Date;
  readonly createdBy: string;
}

/**
 * What a contact is told, fixed when the delivery is queued. Only what a ward contact needs to act
 * on it (which alert, which ward, how severe, the rule's wording): no patient identity, no NHS
 * number, and not the escalating person's free-text reason, which may name the patient. The
 * contact follows the link and signs in for the rest.
 */
export interface EscalationSnapshot {
  readonly alert: {
    readonly id: string;
    readonly severity: AlertSeverityBand;
    readonly rule: string;
    readonly subject: string;
    readonly explanation: string;
    readonly openedAt: string;
    readonly escalatedAt: string;
  };
  readonly ward: { readonly id: string; readonly name: string };
  readonly contact: { readonly id: string; readonly name: string; readonly role: string };
  /** The escalation timer ran out, or a person escalated it. */
  readonly escalatedBy: 'timer' | 'person';
}

export interface EscalationDelivery {
  readonly id: string;
  readonly alertId: string;
  readonly eventId: string;
  readonly contactId: string;
  readonly contactName: string;
  readonly contactRole: string;
  readonly channel: EscalationChannelKind;
  readonly status: EscalationDeliveryStatus;
  readonly attempts: number;
  readonly lastAttemptAt: Date | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly createdAt: Date;
  /** SHA-256 (hex) of the last body sent. */
  readonly payloadHash: string | null;
}

/** A delivery a deliverer has claimed, with what it needs to send it (the secret included). */
export interface ClaimedDelivery extends EscalationDelivery {
  readonly payload: EscalationSnapshot;
  readonly url: string | null;
  readonly secret: string | null;
  /** The contact was removed after the delivery was queued. */
  readonly contactRemoved: boolean;
}

export interface EscalationDeliveryAttempt {
  readonly attempt: number;
  readonly at: Date;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly outcome: EscalationAttemptOutcome;
}

export interface RecordAttemptInput {
  /** The attempt's number: the claimed delivery's attempts + 1. */
  readonly attempt: number;
  readonly at: Date;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly outcome: EscalationAttemptOutcome;
  /** When to try again; only for outcome "retry". */
  readonly nextAttemptAt: Date | null;
  readonly payloadHash: string | null;
}

interface ContactRow {
  id: string;
  ward_id: string;
  name: string;
  role: string;
  channel: EscalationChannelKind;
  url: string | null;
  created_at: Date;
  created_by: string;
}

const CONTACT_COLUMNS = 'id, ward_id, name, role, channel, url, created_at, created_by';

interface DeliveryRow {
  id: string;
  alert_id: string;
  event_id: string;
  contact_id: string;
  contact_name: string;
  contact_role: string;
  channel: EscalationChannelKind;
  status: EscalationDeliveryStatus;
  attempts: number;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
  payload_hash: string | null;
}

const DELIVERY_COLUMNS = `d.id, d.alert_id, d.event_id::text AS event_id, d.contact_id, c.name AS contact_name, c.role AS contact_role, d.channel, d.status,
  d.attempts, d.last_attempt_at, d.last_status_code, d.last_error, d.next_attempt_at, d.delivered_at, d.created_at, d.payload_hash`;

/**
 * Queues one delivery per active escalation contact of the alert's ward, in the caller's
 * transaction (AlertRepository.transition calls it on every escalation, by timer or by hand, so
 * an escalation and its notifications commit together or not at all), and wakes the deliverer at
 * commit. Returns how many were queued.
 */
export async function enqueueEscalationDeliveries(tx: SqlClient, alert: Alert, escalation: AlertEvent): Promise<number> {
  const { rows: contacts } = await tx.query<ContactRow & { ward_name: string }>(
    `SELECT c.id, c.ward_id, c.name, c.role, c.channel, c.url, c.created_at, c.created_by, w.name AS ward_name
     FROM escalation_contacts c JOIN wards w ON w.id = c.ward_id
     WHERE c.ward_id = $1 AND c.removed_at IS NULL ORDER BY c.created_at, c.id`,
    [alert.wardId],
  );
  if (contacts.length === 0) return 0;
  const payloads = contacts.map((contact): EscalationSnapshot => ({
    alert: {
      id: alert.id,
      severity: alert.severity,
      rule: alert.rule,
      subject: alert.subject,
      explanation: alert.explanation,
      openedAt: alert.openedAt.toISOString(),
      escalatedAt: escalation.at.toISOString(),
    },
    ward: { id: alert.wardId, name: contact.ward_name },
    contact: { id: contact.id, name: contact.name, role: contact.role },
    escalatedBy: escalation.actor.type === 'system' ? 'timer' : 'person',
  }));
  const { rowCount } = await tx.query(
    `INSERT INTO escalation_deliveries (alert_id, event_id, contact_id, channel, payload, next_attempt_at, created_at)
     SELECT $1, $2::bigint, contact_id, channel, payload, $3, $3
     FROM unnest($4::uuid[], $5::text[], $6::jsonb[]) AS x (contact_id, channel, payload)
     ON CONFLICT (event_id, contact_id) DO NOTHING`,
    [alert.id, escalation.id, escalation.at, contacts.map((c) => c.id), contacts.map((c) => c.channel), payloads.map((p) => JSON.stringify(p))],
  );
  if (rowCount > 0) await tx.query('SELECT pg_notify($1, $2)', [DELIVERIES_CHANNEL, alert.id]);
  return rowCount;
}

/** Escalation contacts of wards, and the deliveries of escalations to them (0010_escalation_notifications.sql). */
export class EscalationNotificationRepository {
  constructor(private readonly db: Database) {}

  async addContact(input: {
    wardId: string;
    name: string;
    role: string;
    channel: EscalationChannelKind;
    url?: string | null;
    secret?: string | null;
    at: Date;
    by: string;
  }): Promise<EscalationContact> {
    const row = onlyRow(
      await this.db.query<ContactRow>(
        `INSERT INTO escalation_contacts (ward_id, name, role, channel, url, secret, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${CONTACT_COLUMNS}`,
        [input.wardId, input.name, input.role, input.channel, input.url ?? null, input.secret ?? null, input.at, input.by],
      ),
      'escalation contact',
    );
    return toContact(row);
  }

  /** A ward's active contacts, oldest first. */
  async contactsOfWard(wardId: string): Promise<EscalationContact[]> {
    const { rows } = await this.db.query<ContactRow>(
      `SELECT ${CONTACT_COLUMNS} FROM escalation_contacts WHERE ward_id = $1 AND removed_at IS NULL ORDER BY created_at, id`,
      [wardId],
    );
    return rows.map(toContact);
  }

  /** Stops notifying a contact; deliveries already queued to it are given up by the deliverer. */
  async removeContact(contactId: string, input: { wardId: string; at: Date; by: string }): Promise<EscalationContact | undefined> {
    const { rows } = await this.db.query<ContactRow>(
      `UPDATE escalation_contacts SET removed_at = $3, removed_by = $4
       WHERE id = $1 AND ward_id = $2 AND removed_at IS NULL RETURNING ${CONTACT_COLUMNS}`,
      [contactId, input.wardId, input.at, input.by],
    );
    return rows[0] && toContact(rows[0]);
  }

  /**
   * Claims up to `limit` pending deliveries due at `now` for one attempt each: their due time moves
   * `leaseMs` on, so another deliverer (or this one after a crash) takes them up only once the
   * lease has passed. Rows another deliverer is claiming are skipped, not waited for.
   */
  async claimDue(now: Date, options: { leaseMs: number; limit?: number }): Promise<ClaimedDelivery[]> {
    const { rows } = await this.db.query<DeliveryRow & { payload: EscalationSnapshot; url: string | null; secret: string | null; contact_removed: boolean }>(
      `WITH due AS (
         SELECT id FROM escalation_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE escalation_deliveries d SET next_attempt_at = $1::timestamptz + make_interval(secs => $2::double precision / 1000)
         FROM due WHERE d.id = due.id
         RETURNING d.*
       )
       SELECT ${DELIVERY_COLUMNS}, d.payload, c.url, c.secret, c.removed_at IS NOT NULL AS contact_removed
       FROM claimed d JOIN escalation_contacts c ON c.id = d.contact_id
       ORDER BY d.created_at, d.id`,
      [now, options.leaseMs, options.limit ?? 20],
    );
    return rows.map((row) => ({ ...toDelivery(row), payload: row.payload, url: row.url, secret: row.secret, contactRemoved: row.contact_removed }));
  }

  /**
   * Records one attempt and its consequence (delivered, retry at nextAttemptAt, or given up).
   * Only the holder of the attempt may record it: if the delivery has moved on meanwhile (its
   * lease ran out and another deliverer recorded this attempt), nothing is written and undefined
   * is returned.
   */
  recordAttempt(deliveryId: string, input: RecordAttemptInput): Promise<EscalationDelivery | undefined> {
    return this.db.transaction(async (tx) => {
      const status: EscalationDeliveryStatus = input.outcome === 'retry' ? 'pending' : input.outcome;
      if (input.outcome === 'retry' && !input.nextAttemptAt) throw new Error('a retried delivery needs its next attempt time');
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE escalation_deliveries SET
           attempts = $2, status = $3, last_attempt_at = $4, last_status_code = $5, last_error = $6,
           next_attempt_at = $7, delivered_at = CASE WHEN $3 = 'delivered' THEN $4::timestamptz END,
           payload_hash = coalesce($8, payload_hash)
         WHERE id = $1 AND status = 'pending' AND attempts = $2 - 1
         RETURNING id`,
        [deliveryId, input.attempt, status, input.at, input.statusCode, input.error, status === 'pending' ? input.nextAttemptAt : null, input.payloadHash],
      );
      if (rows.length === 0) return undefined;
      await tx.query(
        `INSERT INTO escalation_delivery_attempts (delivery_id, attempt, at, status_code, error, duration_ms, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [deliveryId, input.attempt, input.at, input.statusCode, input.error, Math.max(0, Math.round(input.durationMs)), input.outcome],
      );
      return this.getDelivery(deliveryId, tx);
    });
  }

  async getDelivery(deliveryId: string, client: SqlClient = this.db): Promise<EscalationDelivery | undefined> {
    const { rows } = await client.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM escalation_deliveries d JOIN escalation_contacts c ON c.id = d.contact_id WHERE d.id = $1`,
      [deliveryId],
    );
    return rows[0] && toDelivery(rows[0]);
  }

  /** An alert's deliveries, oldest escalation first. */
  async forAlert(alertId: string): Promise<EscalationDelivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM escalation_deliveries d JOIN escalation_contacts c ON c.id = d.contact_id
       WHERE d.alert_id = $1 ORDER BY d.created_at, d.event_id, c.name, d.id`,
      [alertId],
    );
    return rows.map(toDelivery);
  }

  /** A delivery's attempts, first first. */
  async attempts(deliveryId: string): Promise<EscalationDeliveryAttempt[]> {
    const { rows } = await this.db.query<{ attempt: number; at: Date; status_code: number | null; error: string | null; duration_ms: number; outcome: EscalationAttemptOutcome }>(
      'SELECT attempt, at, status_code, error, duration_ms, outcome FROM escalation_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt',
      [deliveryId],
    );
    return rows.map((row) => ({ attempt: row.attempt, at: row.at, statusCode: row.status_code, error: row.error, durationMs: row.duration_ms, outcome: row.outcome }));
  }
}

function toContact(row: ContactRow): EscalationContact {
  return { id: row.id, wardId: row.ward_id, name: row.name, role: row.role, channel: row.channel, url: row.url, createdAt: row.created_at, createdBy: row.created_by };
}

function toDelivery(row: DeliveryRow): EscalationDelivery {
  return {
    id: row.id,
    alertId: row.alert_id,
    eventId: row.event_id,
    contactId: row.contact_id,
    contactName: row.contact_name,
    contactRole: row.contact_role,
    channel: row.channel,
    status: row.status,
    attempts: Number(row.attempts),
    lastAttemptAt: row.last_attempt_at,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    createdAt: row.created_at,
    payloadHash: row.payload_hash,
  };
}
