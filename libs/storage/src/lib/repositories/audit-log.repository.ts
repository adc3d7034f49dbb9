import { type Database, onlyRow } from '../database';

export interface AuditEntry {
  readonly actorType: 'user' | 'device' | 'system' | 'carer';
  readonly actorId: string;
  /** What was done, e.g. "patient.read", "reading.create". */
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId?: string | null;
  readonly patientId?: string | null;
  readonly ip?: string | null;
  readonly details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  readonly id: string;
  readonly at: Date;
}

/** Who read or changed patient data, when and from where. Append-only. */
export class AuditLogRepository {
  constructor(private readonly db: Database) {}

  async record(entry: AuditEntry): Promise<AuditRecord> {
    const row = onlyRow(await this.db.query<Row>(
      `INSERT INTO audit_log (actor_type, actor_id, action, subject_type, subject_id, patient_id, ip, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING ${COLUMNS}`,
      [
        entry.actorType,
        entry.actorId,
        entry.action,
        entry.subjectType,
        entry.subjectId ?? null,
        entry.patientId ?? null,
        entry.ip ?? null,
        JSON.stringify(entry.details ?? {}),
      ],
    ), 'audit-log');
    return toRecord(row);
  }

  async forPatient(patientId: string, limit = 100): Promise<AuditRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM audit_log WHERE patient_id = $1 ORDER BY at DESC, audit_log.id DESC LIMIT $2`,
      [patientId, limit],
    );
    return rows.map(toRecord);
  }

  /** The admin's audit viewer: newest first, filtered by patient, actor, action prefix and time. */
  async search(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM audit_log
       WHERE ($1::uuid IS NULL OR patient_id = $1)
         AND ($2::text IS NULL OR actor_id = $2)
         AND ($3::text IS NULL OR action = $3 OR action LIKE $3 || '.%')
         AND ($4::timestamptz IS NULL OR at >= $4)
         AND ($5::timestamptz IS NULL OR at < $5)
         AND ($6::bigint IS NULL OR id < $6)
       -- The table's column: the select list's id is text, and ordered as text 9 would come before 10.
       ORDER BY audit_log.id DESC LIMIT $7`,
      [filter.patientId ?? null, filter.actorId ?? null, filter.action ?? null, filter.from ?? null, filter.to ?? null, filter.before ?? null, filter.limit ?? 100],
    );
    return rows.map(toRecord);
  }
}

export interface AuditFilter {
  readonly patientId?: string;
  readonly actorId?: string;
  /** An action ("alert.resolve") or a prefix of actions ("alert"). */
  readonly action?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Paging: only entries older than this id. */
  readonly before?: string;
  readonly limit?: number;
}

interface Row {
  id: string;
  at: Date;
  actor_type: AuditEntry['actorType'];
  actor_id: string;
  action: string;
  subject_type: string;
  subject_id: string | null;
  patient_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

const COLUMNS = 'id::text AS id, at, actor_type, actor_id, action, subject_type, subject_id, patient_id, ip, details';

const toRecord = (row: Row): AuditRecord => ({
  id: row.id,
  at: row.at,
  actorType: row.actor_type,
  actorId: row.actor_id,
  action: row.action,
  subjectType: row.subject_type,
  subjectId: row.subject_id,
  patientId: row.patient_id,
  ip: row.ip,
  details: row.details,
});
