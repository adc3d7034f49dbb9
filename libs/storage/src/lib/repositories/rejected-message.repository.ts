import type { CodedError, ReadingSource } from '@homeward/domain';
import { type Database, onlyRow } from '../database';

export interface RejectedMessage {
  readonly id: string;
  readonly receivedAt: Date;
  readonly source: ReadingSource;
  readonly deviceId: string | null;
  readonly topic: string | null;
  readonly reasonCode: string;
  readonly reason: string;
  readonly details: Record<string, unknown>;
  readonly payload: Uint8Array;
}

/** Bad input is kept, byte for byte, with the reason the sender was given. */
export class RejectedMessageRepository {
  constructor(private readonly db: Database) {}

  async record(input: {
    source: ReadingSource;
    deviceId?: string | null;
    topic?: string | null;
    error: CodedError;
    payload: Uint8Array;
    receivedAt?: Date;
  }): Promise<RejectedMessage> {
    const row = onlyRow(await this.db.query<Row>(
      `INSERT INTO rejected_messages (source, device_id, topic, reason_code, reason, details, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, coalesce($8, now()))
       RETURNING ${COLUMNS}`,
      [
        input.source,
        input.deviceId ?? null,
        input.topic ?? null,
        input.error.code,
        input.error.message,
        JSON.stringify(input.error.details ?? {}),
        Buffer.from(input.payload),
        input.receivedAt ?? null,
      ],
    ), 'rejected-message');
    return toRejected(row);
  }

  async list(filter: { deviceId?: string; since?: Date; limit?: number } = {}): Promise<RejectedMessage[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM rejected_messages
       WHERE ($1::uuid IS NULL OR device_id = $1) AND ($2::timestamptz IS NULL OR received_at >= $2)
       ORDER BY received_at DESC, id DESC LIMIT $3`,
      [filter.deviceId ?? null, filter.since ?? null, filter.limit ?? 100],
    );
    return rows.map(toRejected);
  }
}

interface Row {
  id: string;
  received_at: Date;
  source: ReadingSource;
  device_id: string | null;
  topic: string | null;
  reason_code: string;
  reason: string;
  details: Record<string, unknown>;
  payload: Uint8Array;
}

const COLUMNS = 'id::text AS id, received_at, source, device_id, topic, reason_code, reason, details, payload';

const toRejected = (row: Row): RejectedMessage => ({
  id: row.id,
  receivedAt: row.received_at,
  source: row.source,
  deviceId: row.device_id,
  topic: row.topic,
  reasonCode: row.reason_code,
  reason: row.reason,
  details: row.details,
  payload: new Uint8Array(row.payload),
});
