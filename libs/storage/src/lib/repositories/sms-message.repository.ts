import { type Database, onlyRow } from '../database';
import { storableText } from './rejected-message.repository';

/** Who a verified phone number belongs to: a patient, or a carer acting for their linked patients. */
export type SmsSender =
  | { readonly kind: 'patient'; readonly number: string; readonly patientId: string }
  | { readonly kind: 'carer'; readonly number: string; readonly carerId: string; readonly carerName: string; readonly patientIds: readonly string[] };

export interface ReminderRecipient {
  readonly patientId: string;
  readonly pathway: string;
  readonly carePlan: Record<string, unknown>;
  readonly admittedAt: Date;
  /** The patient's own number, or their linked carers' numbers. */
  readonly numbers: readonly string[];
}

export type SmsDirection = 'in' | 'out';
export type SmsKind = 'reading' | 'reply' | 'reminder';
export type SmsStatus = 'received' | 'queued' | 'submitted' | 'failed' | 'delivered' | 'undeliverable' | 'expired' | 'rejected' | 'unknown';

export interface SmsMessage {
  readonly id: string;
  readonly direction: SmsDirection;
  readonly kind: SmsKind;
  readonly number: string;
  readonly patientId: string | null;
  readonly carerId: string | null;
  readonly body: string;
  readonly smscMessageId: string | null;
  readonly status: SmsStatus;
  readonly statusDetail: string | null;
  readonly reminderKey: string | null;
  readonly createdAt: Date;
  readonly submittedAt: Date | null;
  readonly receiptAt: Date | null;
}

/**
 * Phone numbers (who a sender is) and every text in and out with its delivery state. Only a
 * verified number identifies a sender; a carer's number stands for the patients they are linked to now.
 */
export class SmsMessageRepository {
  constructor(private readonly db: Database) {}

  async addNumber(input: { number: string; patientId?: string; carerId?: string; verifiedAt: Date | null }): Promise<void> {
    await this.db.query(
      `INSERT INTO phone_numbers (number, patient_id, carer_id, verified_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (number) DO UPDATE SET patient_id = EXCLUDED.patient_id, carer_id = EXCLUDED.carer_id, verified_at = EXCLUDED.verified_at`,
      [input.number, input.patientId ?? null, input.carerId ?? null, input.verifiedAt],
    );
  }

  /** The sender behind a verified number; undefined when unknown or not verified. */
  async findSender(number: string): Promise<SmsSender | undefined> {
    const { rows } = await this.db.query<{ patient_id: string | null; carer_id: string | null; carer_name: string | null; patient_ids: string[] | null }>(
      `SELECT n.patient_id, n.carer_id, c.display_name AS carer_name,
              (SELECT array_agg(l.patient_id::text ORDER BY l.started_at) FROM carer_links l WHERE l.carer_id = n.carer_id AND l.ended_at IS NULL) AS patient_ids
       FROM phone_numbers n LEFT JOIN carers c ON c.id = n.carer_id
       WHERE n.number = $1 AND n.verified_at IS NOT NULL`,
      [number],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.patient_id) return { kind: 'patient', number, patientId: row.patient_id };
    if (row.carer_id) return { kind: 'carer', number, carerId: row.carer_id, carerName: row.carer_name ?? '', patientIds: row.patient_ids ?? [] };
    return undefined;
  }

  /** The patient's own verified number (reminders go there), or undefined. */
  async patientNumber(patientId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ number: string }>(
      'SELECT number FROM phone_numbers WHERE patient_id = $1 AND verified_at IS NOT NULL ORDER BY verified_at DESC LIMIT 1',
      [patientId],
    );
    return rows[0]?.number;
  }

  /**
   * Admitted patients who can be sent a reminder: to their own verified number, or, when they have
   * none, to the verified numbers of the carers linked to them now.
   */
  async reminderRecipients(): Promise<ReminderRecipient[]> {
    const { rows } = await this.db.query<{ patient_id: string; pathway: string; care_plan: Record<string, unknown>; admitted_at: Date; numbers: string[] | null }>(
      `SELECT a.patient_id, a.pathway, a.care_plan, a.admitted_at,
              coalesce(
                (SELECT array_agg(p.number) FROM (SELECT number FROM phone_numbers WHERE patient_id = a.patient_id AND verified_at IS NOT NULL ORDER BY verified_at DESC LIMIT 1) p),
                (SELECT array_agg(n.number ORDER BY n.number) FROM carer_links l JOIN phone_numbers n ON n.carer_id = l.carer_id AND n.verified_at IS NOT NULL
                 WHERE l.patient_id = a.patient_id AND l.ended_at IS NULL)
              ) AS numbers
       FROM admissions a WHERE a.discharged_at IS NULL ORDER BY a.patient_id`,
    );
    return rows.flatMap((row) => (row.numbers && row.numbers.length > 0 ? [{ patientId: row.patient_id, pathway: row.pathway, carePlan: row.care_plan, admittedAt: row.admitted_at, numbers: row.numbers }] : []));
  }

  /** The latest text in with exactly this body from this number since `since` (an SMSC redelivery, or a resend). */
  async recentInbound(number: string, body: string, since: Date): Promise<SmsMessage | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM sms_messages WHERE direction = 'in' AND number = $1 AND body = $2 AND created_at >= $3 ORDER BY created_at DESC, sms_messages.id DESC LIMIT 1`,
      [number, storableText(body, MAX_BODY), since],
    );
    return rows[0] && toMessage(rows[0]);
  }

  async recordInbound(input: { number: string; body: string; patientId?: string | null; carerId?: string | null; receivedAt: Date }): Promise<SmsMessage> {
    return this.insert({ direction: 'in', kind: 'reading', status: 'received', ...input, createdAt: input.receivedAt });
  }

  /**
   * An outgoing text, queued. With a reminder key, at most one is ever recorded for that key:
   * undefined means it was queued before (the reminder went out once already).
   */
  async queueOutbound(input: { number: string; body: string; kind: 'reply' | 'reminder'; patientId?: string | null; carerId?: string | null; reminderKey?: string; at: Date }): Promise<SmsMessage | undefined> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO sms_messages (direction, kind, number, patient_id, carer_id, body, status, reminder_key, created_at)
       VALUES ('out', $1, $2, $3, $4, $5, 'queued', $6, $7)
       ON CONFLICT (reminder_key) DO NOTHING RETURNING ${COLUMNS}`,
      [input.kind, input.number, input.patientId ?? null, input.carerId ?? null, storableText(input.body, MAX_BODY), input.reminderKey ?? null, input.at],
    );
    return rows[0] && toMessage(rows[0]);
  }

  async markSubmitted(id: string, smscMessageId: string, at: Date): Promise<void> {
    await this.db.query(`UPDATE sms_messages SET status = 'submitted', smsc_message_id = $2, submitted_at = $3 WHERE id = $1`, [id, smscMessageId, at]);
  }

  async markFailed(id: string, detail: string): Promise<void> {
    await this.db.query(`UPDATE sms_messages SET status = 'failed', status_detail = $2 WHERE id = $1`, [id, detail.slice(0, 500)]);
  }

  /** A delivery receipt: the final state of the outgoing text the operator knows by this id. False when none matches. */
  async recordReceipt(input: { smscMessageId: string; status: SmsStatus; detail: string | null; at: Date }): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE sms_messages SET status = $2, status_detail = $3, receipt_at = $4 WHERE direction = 'out' AND smsc_message_id = $1`,
      [input.smscMessageId, input.status, input.detail?.slice(0, 500) ?? null, input.at],
    );
    return result.rowCount > 0;
  }

  /** Outgoing texts not yet submitted, oldest first (an outbox resuming after a restart). */
  async queued(limit: number): Promise<SmsMessage[]> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM sms_messages WHERE direction = 'out' AND status = 'queued' ORDER BY sms_messages.id LIMIT $1`, [limit]);
    return rows.map(toMessage);
  }

  /** Newest first, for one patient or one number. */
  async list(filter: { patientId?: string; number?: string; limit?: number }): Promise<SmsMessage[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM sms_messages WHERE ($1::uuid IS NULL OR patient_id = $1) AND ($2::text IS NULL OR number = $2)
       ORDER BY created_at DESC, sms_messages.id DESC LIMIT $3`,
      [filter.patientId ?? null, filter.number ?? null, filter.limit ?? 100],
    );
    return rows.map(toMessage);
  }

  private async insert(input: { direction: SmsDirection; kind: SmsKind; status: SmsStatus; number: string; body: string; patientId?: string | null; carerId?: string | null; createdAt: Date }): Promise<SmsMessage> {
    return toMessage(onlyRow(await this.db.query<Row>(
      `INSERT INTO sms_messages (direction, kind, number, patient_id, carer_id, body, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [input.direction, input.kind, storableText(input.number, 32), input.patientId ?? null, input.carerId ?? null, storableText(input.body, MAX_BODY), input.status, input.createdAt],
    ), 'sms-message'));
  }
}

/** An SMS is at most a few concatenated parts; anything longer is kept cut, marked with an ellipsis. */
const MAX_BODY = 2_000;

interface Row {
  id: string;
  direction: SmsDirection;
  kind: SmsKind;
  number: string;
  patient_id: string | null;
  carer_id: string | null;
  body: string;
  smsc_message_id: string | null;
  status: SmsStatus;
  status_detail: string | null;
  reminder_key: string | null;
  created_at: Date;
  submitted_at: Date | null;
  receipt_at: Date | null;
}

// In an ORDER BY, sms_messages.id: a bare `id` is the text alias, and as text 10 sorts before 9.
const COLUMNS = 'id::text AS id, direction, kind, number, patient_id, carer_id, body, smsc_message_id, status, status_detail, reminder_key, created_at, submitted_at, receipt_at';

const toMessage = (row: Row): SmsMessage => ({
  id: row.id,
  direction: row.direction,
  kind: row.kind,
  number: row.number,
  patientId: row.patient_id,
  carerId: row.carer_id,
  body: row.body,
  smscMessageId: row.smsc_message_id,
  status: row.status,
  statusDetail: row.status_detail,
  reminderKey: row.reminder_key,
  createdAt: row.created_at,
  submittedAt: row.submitted_at,
  receiptAt: row.receipt_at,
});
