import {
  type AlertActor,
  type Result,
  type SystemAlertAction,
  type SystemAlertKind,
  type SystemAlertState,
  type SystemProblem,
  decideSystemProblem,
  fail,
  ok,
  systemAlertTransition,
} from '@homeward/domain';
import { type Database, type SqlClient, onlyRow } from '../database';

export interface SystemAlert {
  readonly id: string;
  readonly kind: SystemAlertKind;
  readonly source: string;
  readonly state: SystemAlertState;
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly occurrences: number;
  readonly openedAt: Date;
  readonly lastSeenAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: Date | null;
  readonly resolvedBy: string | null;
}

export interface SystemAlertEvent {
  readonly at: Date;
  readonly kind: 'raised' | 'repeated' | 'reopened' | 'acknowledged' | 'resolved';
  readonly actorType: 'user' | 'system';
  readonly actorId: string;
  readonly fromState: SystemAlertState | null;
  readonly toState: SystemAlertState;
  readonly note: string | null;
}

const COLUMNS = `id, kind, source, state, summary, details, occurrences, opened_at, last_seen_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by`;

/**
 * System alerts (migration 0018): problems of Homeward itself, for every member of staff. The
 * decisions are libs/domain's (`decideSystemProblem`, `systemAlertTransition`); this executes
 * them, each with its event row in the same transaction. Reporting a problem is safe from several
 * processes at once: the row of a kind and source is locked, and the partial unique index keeps
 * one unresolved alert per kind and source.
 */
export class SystemAlertRepository {
  constructor(private readonly db: Database) {}

  /**
   * A detector sees the problem: raise it, or count it again on the unresolved alert of its kind
   * and source. Seen again, its summary and details replace the alert's, or with `mergeWith` are
   * what it makes of the alert's (an event that accumulates what it names). With `client`, in
   * that transaction (the report commits, or not, with the work that found the problem).
   */
  async report(
    problem: SystemProblem,
    at: Date,
    by: AlertActor,
    options: { readonly client?: SqlClient; readonly mergeWith?: (current: SystemAlert) => Pick<SystemProblem, 'summary' | 'details'> } = {},
  ): Promise<{ readonly kind: 'raised' | 'repeated' | 'reopened'; readonly alert: SystemAlert }> {
    const run = <T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> => (options.client ? fn(options.client) : this.db.transaction(fn));
    return run(async (tx) => {
      // Serialises reports of one kind and source (the unique index alone would fail the second insert).
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`system-alert:${problem.kind}:${problem.source}`]);
      const current = await unresolved(tx, problem.kind, problem.source);
      const decision = decideSystemProblem(current);
      if (decision.action === 'raise' || current === undefined) {
        const inserted = await tx.query<Row>(
          `INSERT INTO system_alerts (kind, source, summary, details, opened_at, last_seen_at) VALUES ($1, $2, $3, $4::jsonb, $5, $5) RETURNING ${COLUMNS}`,
          [problem.kind, problem.source, problem.summary, JSON.stringify(problem.details), at],
        );
        const alert = toAlert(onlyRow(inserted, 'system-alert'));
        await event(tx, alert.id, at, 'raised', by, null, 'open', null);
        return { kind: 'raised', alert };
      }
      const state: SystemAlertState = decision.reopen ? 'open' : current.state;
      const seen = options.mergeWith ? options.mergeWith(current) : problem;
      const updated = await tx.query<Row>(
        `UPDATE system_alerts SET summary = $2, details = $3::jsonb, occurrences = occurrences + 1, last_seen_at = greatest(last_seen_at, $4), state = $5,
                acknowledged_at = CASE WHEN $5 = 'open' THEN NULL ELSE acknowledged_at END, acknowledged_by = CASE WHEN $5 = 'open' THEN NULL ELSE acknowledged_by END
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [current.id, seen.summary, JSON.stringify(seen.details), at, state],
      );
      const alert = toAlert(onlyRow(updated, 'system-alert'));
      // A condition seen on every check is one line, not one per check: only re-openings are recorded as events.
      if (decision.reopen) await event(tx, alert.id, at, 'reopened', by, current.state, 'open', seen.summary);
      return { kind: decision.reopen ? 'reopened' : 'repeated', alert };
    });
  }

  /** The detector no longer sees a condition: resolve its unresolved alert of that source, if any. */
  async clear(kind: SystemAlertKind, source: string, at: Date, by: AlertActor, note: string): Promise<SystemAlert | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`system-alert:${kind}:${source}`]);
      const current = await unresolved(tx, kind, source);
      if (!current) return undefined;
      return this.change(tx, current, 'resolve', at, by, note);
    });
  }

  /** A person acknowledges or resolves it; refused (coded) when its state does not allow that. */
  async act(id: string, action: SystemAlertAction, at: Date, by: AlertActor, note: string | null): Promise<Result<SystemAlert> | undefined> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Row>(`SELECT ${COLUMNS} FROM system_alerts WHERE id = $1 FOR UPDATE`, [id]);
      if (!rows[0]) return undefined;
      const current = toAlert(rows[0]);
      const next = systemAlertTransition(current.state, action);
      if (!next.ok) return fail(next.error.code, next.error.message, { ...next.error.details });
      return ok(await this.change(tx, current, action, at, by, note));
    });
  }

  /** Unresolved first (open before acknowledged), newest first; resolved ones too when asked. */
  async list(options: { readonly includeResolved?: boolean; readonly limit?: number } = {}): Promise<SystemAlert[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM system_alerts WHERE ($1 OR state <> 'resolved')
        ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END, last_seen_at DESC LIMIT $2`,
      [options.includeResolved === true, options.limit ?? 100],
    );
    return rows.map(toAlert);
  }

  async getMany(ids: readonly string[]): Promise<SystemAlert[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM system_alerts WHERE id = ANY($1::uuid[])`, [ids]);
    return rows.map(toAlert);
  }

  async get(id: string): Promise<SystemAlert | undefined> {
    return (await this.getMany([id]))[0];
  }

  /** The audit trail of one alert, oldest first. */
  async events(id: string): Promise<SystemAlertEvent[]> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT at, kind, actor_type, actor_id, from_state, to_state, note FROM system_alert_events WHERE system_alert_id = $1 ORDER BY id`,
      [id],
    );
    return rows.map((r) => ({ at: new Date(r.at), kind: r.kind, actorType: r.actor_type, actorId: r.actor_id, fromState: r.from_state, toState: r.to_state, note: r.note }));
  }

  private async change(tx: SqlClient, current: SystemAlert, action: SystemAlertAction, at: Date, by: AlertActor, note: string | null): Promise<SystemAlert> {
    const changed = await tx.query<Row>(
      action === 'acknowledge'
        ? `UPDATE system_alerts SET state = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 RETURNING ${COLUMNS}`
        : `UPDATE system_alerts SET state = 'resolved', resolved_at = $2, resolved_by = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
      [current.id, at, by.id],
    );
    const alert = toAlert(onlyRow(changed, 'system-alert'));
    await event(tx, alert.id, at, action === 'acknowledge' ? 'acknowledged' : 'resolved', by, current.state, alert.state, note);
    return alert;
  }
}

async function unresolved(tx: SqlClient, kind: SystemAlertKind, source: string): Promise<SystemAlert | undefined> {
  const { rows } = await tx.query<Row>(`SELECT ${COLUMNS} FROM system_alerts WHERE kind = $1 AND source = $2 AND state <> 'resolved' FOR UPDATE`, [kind, source]);
  return rows[0] ? toAlert(rows[0]) : undefined;
}

async function event(tx: SqlClient, id: string, at: Date, kind: SystemAlertEvent['kind'], by: AlertActor, from: SystemAlertState | null, to: SystemAlertState, note: string | null): Promise<void> {
  await tx.query(
    `INSERT INTO system_alert_events (system_alert_id, at, kind, actor_type, actor_id, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, at, kind, by.type, by.id, from, to, note],
  );
}

interface Row {
  id: string;
  kind: SystemAlertKind;
  source: string;
  state: SystemAlertState;
  summary: string;
  details: Record<string, unknown> | string;
  occurrences: number;
  opened_at: Date | string;
  last_seen_at: Date | string;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
  resolved_at: Date | string | null;
  resolved_by: string | null;
}

interface EventRow {
  at: Date | string;
  kind: SystemAlertEvent['kind'];
  actor_type: 'user' | 'system';
  actor_id: string;
  from_state: SystemAlertState | null;
  to_state: SystemAlertState;
  note: string | null;
}

const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

function toAlert(row: Row): SystemAlert {
  return {
    id: row.id,
    kind: row.kind,
    source: row.source,
    state: row.state,
    summary: row.summary,
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
    occurrences: Number(row.occurrences),
    openedAt: new Date(row.opened_at),
    lastSeenAt: new Date(row.last_seen_at),
    acknowledgedAt: date(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: date(row.resolved_at),
    resolvedBy: row.resolved_by,
  };
}
