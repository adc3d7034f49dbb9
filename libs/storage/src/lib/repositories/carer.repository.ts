import { type Database, onlyRow } from '../database';

export type CarerLinkBasis = 'consent' | 'best-interest';

export interface Carer {
  readonly id: string;
  readonly displayName: string;
  readonly userId: string | null;
}

export interface CarerLink {
  readonly id: string;
  readonly carerId: string;
  readonly patientId: string;
  readonly basis: CarerLinkBasis;
  /** The date of the patient's consent or of the clinician's best-interest decision. */
  readonly decidedOn: string;
  readonly reason: string;
  readonly decidedBy: string | null;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  readonly endReason: 'revoked' | 'discharged' | null;
}

/**
 * Carers and their links to patients. A link is made on a recorded basis (consent, or a
 * clinician's best-interest decision) and ends when revoked or, by migration 0020's trigger, at
 * discharge; ended links stay for the audit trail.
 */
export class CarerRepository {
  constructor(private readonly db: Database) {}

  async create(input: { displayName: string; userId?: string | null }): Promise<Carer> {
    const row = onlyRow(await this.db.query<CarerRow>(
      'INSERT INTO carers (display_name, user_id) VALUES ($1, $2) RETURNING id, display_name, user_id',
      [input.displayName, input.userId ?? null],
    ), 'carer');
    return toCarer(row);
  }

  async get(id: string): Promise<Carer | undefined> {
    const { rows } = await this.db.query<CarerRow>('SELECT id, display_name, user_id FROM carers WHERE id = $1', [id]);
    return rows[0] && toCarer(rows[0]);
  }

  async forUser(userId: string): Promise<Carer | undefined> {
    const { rows } = await this.db.query<CarerRow>('SELECT id, display_name, user_id FROM carers WHERE user_id = $1', [userId]);
    return rows[0] && toCarer(rows[0]);
  }

  /** Links a carer to a patient now; throws on a second active link to the same patient (unique index). */
  async link(input: { carerId: string; patientId: string; basis: CarerLinkBasis; decidedOn: string; reason: string; decidedBy?: string | null; at: Date }): Promise<CarerLink> {
    const row = onlyRow(await this.db.query<LinkRow>(
      `INSERT INTO carer_links (carer_id, patient_id, basis, decided_on, reason, decided_by, started_at)
       VALUES ($1, $2, $3, $4::date, $5, $6, $7) RETURNING ${LINK_COLUMNS}`,
      [input.carerId, input.patientId, input.basis, input.decidedOn, input.reason, input.decidedBy ?? null, input.at],
    ), 'carer-link');
    return toLink(row);
  }

  /** Ends an active link; undefined when there was none. */
  async revoke(linkId: string, at: Date): Promise<CarerLink | undefined> {
    const { rows } = await this.db.query<LinkRow>(
      `UPDATE carer_links SET ended_at = $2, end_reason = 'revoked' WHERE id = $1 AND ended_at IS NULL RETURNING ${LINK_COLUMNS}`,
      [linkId, at],
    );
    return rows[0] && toLink(rows[0]);
  }

  /** The carer's links, active ones only unless asked. */
  async links(carerId: string, options: { includeEnded?: boolean } = {}): Promise<CarerLink[]> {
    const { rows } = await this.db.query<LinkRow>(
      `SELECT ${LINK_COLUMNS} FROM carer_links WHERE carer_id = $1 AND ($2 OR ended_at IS NULL) ORDER BY started_at`,
      [carerId, options.includeEnded === true],
    );
    return rows.map(toLink);
  }

  /** The active link through which this carer may act for this patient, or undefined. */
  async activeLink(carerId: string, patientId: string): Promise<CarerLink | undefined> {
    const { rows } = await this.db.query<LinkRow>(
      `SELECT ${LINK_COLUMNS} FROM carer_links WHERE carer_id = $1 AND patient_id = $2 AND ended_at IS NULL`,
      [carerId, patientId],
    );
    return rows[0] && toLink(rows[0]);
  }
}

interface CarerRow {
  id: string;
  display_name: string;
  user_id: string | null;
}

interface LinkRow {
  id: string;
  carer_id: string;
  patient_id: string;
  basis: CarerLinkBasis;
  decided_on: string;
  reason: string;
  decided_by: string | null;
  started_at: Date;
  ended_at: Date | null;
  end_reason: 'revoked' | 'discharged' | null;
}

const LINK_COLUMNS = "id, carer_id, patient_id, basis, to_char(decided_on, 'YYYY-MM-DD') AS decided_on, reason, decided_by, started_at, ended_at, end_reason";

const toCarer = (row: CarerRow): Carer => ({ id: row.id, displayName: row.display_name, userId: row.user_id });

const toLink = (row: LinkRow): CarerLink => ({
  id: row.id,
  carerId: row.carer_id,
  patientId: row.patient_id,
  basis: row.basis,
  decidedOn: row.decided_on,
  reason: row.reason,
  decidedBy: row.decided_by,
  startedAt: row.started_at,
  endedAt: row.ended_at,
  endReason: row.end_reason,
});
