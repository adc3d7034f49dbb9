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

export interface RejectedMessageFilter {
  readonly deviceId?: string;
  /** A reason code ("payload.too-deep") or a prefix of codes ("payload"). */
  readonly code?: string;
  readonly since?: Date;
  /** Paging: only records older than this one (newest first, by receipt time then id). */
  readonly before?: string;
  readonly limit?: number;
}

/**
 * Bad input is kept, byte for byte, with the reason the sender was given. Recording a refusal
 * must never fail because of what was refused: the payload goes into bytea untouched, and the
 * text fields (reason, details, topic) are made storable first (NUL and lone surrogates, which
 * PostgreSQL text and jsonb refuse, become U+FFFD; lengths and nesting are bounded).
 */
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
    const deviceId = input.deviceId ?? null;
    // A topic's device id that is not a uuid (external broker) cannot go in the uuid column: keep it in details.
    const validDevice = deviceId !== null && UUID.test(deviceId) ? deviceId : null;
    const details = storableDetails({ ...(deviceId !== null && validDevice === null ? { deviceIdGiven: deviceId } : {}), ...(input.error.details ?? {}) });
    const receivedAt = input.receivedAt && Number.isFinite(input.receivedAt.getTime()) ? input.receivedAt : null;
    const row = onlyRow(await this.db.query<Row>(
      `INSERT INTO rejected_messages (source, device_id, topic, reason_code, reason, details, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, coalesce($8, now()))
       RETURNING ${COLUMNS}`,
      [
        input.source,
        validDevice,
        input.topic == null ? null : storableText(input.topic, MAX_TOPIC),
        storableText(input.error.code, MAX_CODE) || 'unknown',
        storableText(input.error.message, MAX_REASON),
        details,
        Buffer.from(input.payload),
        receivedAt,
      ],
    ), 'rejected-message');
    return toRejected(row);
  }

  /** Newest first (receipt time, then id), filtered by device, reason code or prefix, and time. */
  async list(filter: RejectedMessageFilter = {}): Promise<RejectedMessage[]> {
    const before = filter.before !== undefined && /^\d{1,18}$/.test(filter.before) ? filter.before : null;
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM rejected_messages
       WHERE ($1::uuid IS NULL OR device_id = $1) AND ($2::timestamptz IS NULL OR received_at >= $2)
         AND ($3::text IS NULL OR reason_code = $3 OR reason_code LIKE $3 || '.%')
         AND ($4::bigint IS NULL OR (received_at, id) < (SELECT received_at, id FROM rejected_messages WHERE id = $4))
       ORDER BY received_at DESC, rejected_messages.id DESC LIMIT $5`,
      [filter.deviceId ?? null, filter.since ?? null, filter.code ?? null, before, filter.limit ?? 100],
    );
    return rows.map(toRejected);
  }

  async get(id: string): Promise<RejectedMessage | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined; // not an id: no such record, and no SQL error
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM rejected_messages WHERE id = $1`, [id]);
    return rows[0] ? toRejected(rows[0]) : undefined;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_CODE = 100;
const MAX_TOPIC = 1_024;
const MAX_REASON = 8_000;
const MAX_DETAIL_STRING = 2_000;
const MAX_DETAIL_DEPTH = 8;
const MAX_DETAIL_ENTRIES = 500;
const MAX_DETAILS_JSON = 64 * 1024;

/** NUL and unpaired surrogates → U+FFFD, cut to `max` code units (a pair cut in two is replaced too). */
export function storableText(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  // eslint-disable-next-line no-control-regex -- NUL is exactly what PostgreSQL refuses in text
  return cut.replace(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/**
 * Details as JSON PostgreSQL's jsonb accepts: strings made storable (keys too), bigints as text,
 * nesting, entries and size bounded (a cycle ends at the depth bound), non-JSON values dropped.
 */
export function storableDetails(details: Readonly<Record<string, unknown>>): string {
  let entries = 0;
  const copy = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
    if (typeof value === 'string') return storableText(value, MAX_DETAIL_STRING);
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.toISOString() : null;
    if (typeof value !== 'object') return undefined; // functions, symbols, undefined
    if (depth >= MAX_DETAIL_DEPTH) return '…';
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (const item of value) {
        if (++entries > MAX_DETAIL_ENTRIES) break;
        items.push(copy(item, depth + 1) ?? null);
      }
      return items;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (++entries > MAX_DETAIL_ENTRIES) break;
      const copied = copy(item, depth + 1);
      if (copied !== undefined) out[storableText(key, 200)] = copied;
    }
    return out;
  };
  const json = JSON.stringify(copy(details, 0) ?? {});
  if (json.length <= MAX_DETAILS_JSON) return json;
  // Too large to be worth keeping whole: a readable prefix, marked as cut.
  return JSON.stringify({ truncated: true, json: storableText(json.slice(0, MAX_DETAILS_JSON / 2), MAX_DETAILS_JSON / 2) });
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

// In an ORDER BY, rejected_messages.id: a bare `id` is the text alias, and as text 10 sorts before 9.
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
