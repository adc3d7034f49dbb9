import {
  type Alert,
  type AlertActor,
  type AlertChangeBase,
  type AlertDecision,
  type AlertEvent,
  type AlertEventKind,
  type AlertOutcome,
  type AlertSeverityBand,
  type AlertState,
  type AlertTransitionErrorCode,
  type CodedError,
  type DeviceType,
  type Pathway,
  type Result,
  type UnresolvedAlertSnapshot,
  ACTION_EVENT_KIND,
  CodedFailure,
  applyAlertChange,
  changeKind,
  decideAlert,
  fail,
  nextAlertState,
  sortedReadingIds,
  ok,
} from '@homeward/domain';
import { type Database, type SqlClient, onlyRow } from '../database';
import { arrayLiteral } from './array-literal';
import { enqueueEscalationDeliveries } from './escalation-notification.repository';
import { type ReadingCursor, STREAM_END_TXID_SQL } from './reading.repository';

/** A rule's proposal, as the engine hands it over: open a new alert or update the episode's open one. */
export interface RaiseAlertInput {
  readonly patientId: string;
  readonly wardId: string;
  readonly rule: string;
  readonly subject: string;
  readonly severity: AlertSeverityBand;
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly latestValue: number | null;
  /** Measurement time of the latest evidence (for an overdue reading: when it fell due). */
  readonly measuredAt: Date;
  /** Stored readings behind it. */
  readonly readingIds: readonly string[];
  /**
   * When the newest evidence reached Homeward. An episode a person resolved at or after this
   * moment is not reopened by it: they had it in front of them when they closed the alert.
   */
  readonly evidenceReceivedAt: Date;
  /** The engine's clock. */
  readonly at: Date;
  /** When it escalates if nobody acknowledges it; null for a severity without a timer. */
  readonly escalationDueAt: Date | null;
  readonly nextReminderAt: Date | null;
  readonly by: AlertActor;
}

export type RaiseAlertResult =
  | { readonly kind: 'raised'; readonly alert: Alert }
  /** The open alert of the episode counted new evidence (occurrences + 1, latest value). */
  | { readonly kind: 'repeated'; readonly alert: Alert }
  /** Evidence it already had (a redelivered or re-evaluated reading): nothing counted. */
  | { readonly kind: 'unchanged'; readonly alert: Alert }
  /**
   * A finding worse than the acknowledged or escalated alert of the episode: re-opened at the
   * higher severity, marked worsened, its escalation timer restarted. (An open alert that worsens
   * is 'repeated', with its severity raised and marked worsened.)
   */
  | { readonly kind: 'worsened'; readonly alert: Alert }
  | { readonly kind: 'suppressed'; readonly suppression: AlertSuppression }
  /** A person closed this episode after the evidence had arrived. */
  | { readonly kind: 'already-resolved'; readonly alertId: string };

export interface AlertTransitionInput {
  readonly action: 'acknowledge' | 'escalate' | 'resolve';
  readonly by: AlertActor;
  readonly at: Date;
  readonly reason?: string;
  readonly outcome?: AlertOutcome;
  /** Whether the alert's rule resolves itself (decided by the engine, which knows the rules). */
  readonly selfResolving?: boolean;
}

/**
 * An unresolved alert as the worklist needs it, with the patient and the assignee's name beside
 * it. `details` carries only what the worklist reads from it (the vital, the technical flag).
 */
export interface WorklistEntry {
  readonly alert: Pick<
    Alert,
    'id' | 'patientId' | 'rule' | 'subject' | 'severity' | 'state' | 'ownerId' | 'explanation' | 'details' | 'latestValue' | 'latestMeasuredAt' | 'openedAt' | 'escalatedAt' | 'escalationDueAt' | 'worsenedAt' | 'worsenedFrom'
  >;
  readonly patient: { readonly name: string; readonly nhsNumber: string; readonly pathway: Pathway | null } | null;
  readonly ownerName: string | null;
}

export type AlertChangeErrorCode = AlertTransitionErrorCode | 'alert.not-found' | 'alert.resolved' | 'alert.note-empty';

export interface AlertSuppression {
  readonly id: string;
  readonly patientId: string;
  readonly rule: string;
  /** Null: every subject of the rule. */
  readonly subject: string | null;
  readonly reason: string;
  readonly startsAt: Date;
  readonly expiresAt: Date;
  readonly createdBy: string;
  readonly liftedAt: Date | null;
}

interface AlertRow {
  id: string;
  patient_id: string;
  ward_id: string;
  rule: string;
  subject: string;
  severity: AlertSeverityBand;
  state: AlertState;
  owner_id: string | null;
  explanation: string;
  details: Record<string, unknown>;
  latest_value: number | null;
  first_measured_at: Date;
  latest_measured_at: Date;
  occurrences: number;
  /** The bigint[]'s text, `{1,2,3}` (readingIdsOf): split here, many times faster than pg's array parser. */
  reading_ids: string;
  opened_at: Date;
  updated_at: Date;
  /** Null on a row written before migration 0027 or by hand: read as opened_at (ALERT_COLUMNS). */
  evidence_taken_at: Date;
  acknowledged_at: Date | null;
  escalated_at: Date | null;
  resolved_at: Date | null;
  outcome: AlertOutcome | null;
  escalation_due_at: Date | null;
  next_reminder_at: Date | null;
  reminders: number;
  worsened_at: Date | null;
  worsened_from: AlertSeverityBand | null;
}

const ALERT_COLUMNS = `id, patient_id, ward_id, rule, subject, severity, state, owner_id, explanation, details, latest_value,
  first_measured_at, latest_measured_at, occurrences, reading_ids::text AS reading_ids, opened_at, updated_at,
  coalesce(evidence_taken_at, opened_at) AS evidence_taken_at, acknowledged_at,
  escalated_at, resolved_at, outcome, escalation_due_at, next_reminder_at, reminders, worsened_at, worsened_from`;
interface WorklistRow {
  id: string;
  patient_id: string;
  rule: string;
  subject: string;
  severity: string;
  state: string;
  owner_id: string | null;
  explanation: string;
  latest_value: number | null;
  vital: string | null;
  technical: boolean | null;
  worsened_from: string | null;
  latest_measured_at: number;
  opened_at: number;
  escalated_at: number | null;
  escalation_due_at: number | null;
  worsened_at: number | null;
  given_name: string | null;
  family_name: string | null;
  nhs_number: string | null;
  pathway: string | null;
  owner_name: string | null;
}

interface SuppressionRow {
  id: string;
  patient_id: string;
  rule: string;
  subject: string | null;
  reason: string;
  starts_at: Date;
  expires_at: Date;
  created_by: string;
  lifted_at: Date | null;
}

const SUPPRESSION_COLUMNS = 'id, patient_id, rule, subject, reason, starts_at, expires_at, created_by, lifted_at';

/**
 * Alerts, their events, suppressions and the readings consumers' cursors (0004_alerts.sql).
 * Every change to an alert and its event row are written in one transaction; a method given a
 * `client` (a transaction of the caller's, such as the engine's batch) writes in that instead.
 */
export class AlertRepository {
  constructor(private readonly db: Database) {}

  /**
   * Takes a rule's finding for the episode (patient, rule, subject): reads the episode (its
   * unresolved alert, locked; its latest resolution; a suppression in force), lets @homeward/domain's
   * decideAlert say what to do, and writes that: a new alert, an update of the unresolved one
   * (occurrences, evidence, latest value, a higher severity marked worsened), an acknowledged or
   * escalated alert re-opened as worsened, or nothing. The SQL carries values, not decisions.
   * Safe against a concurrent raise of the same episode: the partial unique index lets one insert
   * win and the other becomes an update.
   */
  raise(input: RaiseAlertInput, client?: SqlClient): Promise<RaiseAlertResult> {
    return this.inTransaction(client, (tx) => this.raiseIn(tx, input, 0));
  }

  /**
   * raise for many findings in one transaction, in order, with the same results, alerts and
   * events as calling raise for each in turn: the episodes they touch are read with three
   * statements for all of them (their unresolved alerts locked, in id order), and only a decision
   * that writes costs a statement (or two, with its event). A later finding of the same episode
   * sees what an earlier one wrote. The rules engine's page of readings uses it.
   */
  raiseMany(inputs: readonly RaiseAlertInput[], client?: SqlClient): Promise<RaiseAlertResult[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    return this.inTransaction(client, async (tx) => {
      const episodes = await this.readEpisodes(tx, inputs);
      const findings = new Map<string, number>();
      for (const input of inputs) {
        const key = episodeKey(input.patientId, input.rule, input.subject);
        findings.set(key, (findings.get(key) ?? 0) + 1);
      }
      const results: (RaiseAlertResult | undefined)[] = [];
      // Changes of episodes with one finding each: nothing later reads them, so they are written together.
      const deferred: { index: number; change: PlannedChange }[] = [];
      for (const input of inputs) {
        const key = episodeKey(input.patientId, input.rule, input.subject);
        const rows = episodes.get(key) ?? { unresolved: undefined, resolved: undefined, suppressions: [] };
        const episode = { ...rows, suppression: suppressionAt(rows.suppressions, input) };
        const decision = decisionFor(input, episode);
        if ((decision.kind === 'update' || decision.kind === 'reopen-worsened') && episode.unresolved && findings.get(key) === 1) {
          deferred.push({ index: results.length, change: planChange(episode.unresolved, decision, input) });
          results.push(undefined);
          continue;
        }
        const result = await this.write(tx, input, episode, decision, 0);
        // What this finding left unresolved is the episode the next one of the same key meets.
        if (result.kind !== 'suppressed' && result.kind !== 'already-resolved') episodes.set(key, { ...rows, unresolved: result.alert });
        results.push(result);
      }
      const updated = await this.applyChanges(
        tx,
        deferred.map((d) => d.change),
      );
      updated.forEach((alert, i) => {
        const { index, change } = deferred[i] ?? {};
        if (index !== undefined && change) results[index] = { kind: change.kind, alert };
      });
      return results.map((result) => {
        if (!result) throw new Error('raiseMany left a finding undecided');
        return result;
      });
    });
  }

  private async raiseIn(tx: SqlClient, input: RaiseAlertInput, attempt: number): Promise<RaiseAlertResult> {
    const suppression = await this.activeSuppression(tx, input.patientId, input.rule, input.subject, input.at);
    const { rows: open } = await tx.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE patient_id = $1 AND rule = $2 AND subject = $3 AND state <> 'resolved' FOR UPDATE`,
      [input.patientId, input.rule, input.subject],
    );
    const existing = open[0] && toAlert(open[0]);
    const { rows: closed } = existing
      ? { rows: [] }
      : await tx.query<{ id: string; resolved_at: Date }>(
          `SELECT id, resolved_at FROM alerts WHERE patient_id = $1 AND rule = $2 AND subject = $3 AND state = 'resolved'
           ORDER BY resolved_at DESC LIMIT 1`,
          [input.patientId, input.rule, input.subject],
        );
    const resolved = closed[0];
    return this.decideAndWrite(tx, input, { unresolved: existing, resolved: resolved && { id: resolved.id, resolvedAt: resolved.resolved_at }, suppression }, attempt);
  }

  /** The episode as read (its unresolved alert locked), decideAlert's call, and its write. */
  private decideAndWrite(tx: SqlClient, input: RaiseAlertInput, episode: EpisodeState, attempt: number): Promise<RaiseAlertResult> {
    return this.write(tx, input, episode, decisionFor(input, episode), attempt);
  }

  /** What decideAlert said, written. */
  private async write(tx: SqlClient, input: RaiseAlertInput, episode: EpisodeState, decision: AlertDecision, attempt: number): Promise<RaiseAlertResult> {
    const { unresolved: existing, resolved, suppression } = episode;
    switch (decision.kind) {
      case 'ignore':
        if (decision.reason === 'suppressed' && suppression) return { kind: 'suppressed', suppression };
        if (decision.reason === 'already-resolved' && resolved) return { kind: 'already-resolved', alertId: resolved.id };
        if ((decision.reason === 'no-new-evidence' || decision.reason === 'recently-refreshed') && existing) return { kind: 'unchanged', alert: existing };
        throw new Error(`alert decision "${decision.reason}" without the episode state it refers to`);
      case 'raise':
        return this.insertAlert(tx, input, attempt);
      case 'update':
      case 'reopen-worsened':
        if (!existing) throw new Error(`alert decision "${decision.kind}" without an unresolved alert`);
        return this.applyChange(tx, existing, decision, input);
    }
  }

  /**
   * raiseMany's reads: the unresolved alerts of the episodes (locked, in id order so two writers
   * lock alike), the latest resolution of each, and the patients' suppressions not lifted.
   */
  private async readEpisodes(tx: SqlClient, inputs: readonly RaiseAlertInput[]): Promise<Map<string, EpisodeRows>> {
    const keys = new Map<string, RaiseAlertInput>();
    for (const input of inputs) keys.set(episodeKey(input.patientId, input.rule, input.subject), input);
    const patients = [...keys.values()].map((i) => i.patientId);
    const rules = [...keys.values()].map((i) => i.rule);
    const subjects = [...keys.values()].map((i) => i.subject);
    const wanted = `(patient_id, rule, subject) IN (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]))`;
    const { rows: open } = await tx.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE ${wanted} AND state <> 'resolved' ORDER BY id FOR UPDATE`, [
      patients,
      rules,
      subjects,
    ]);
    const { rows: closed } = await tx.query<{ id: string; patient_id: string; rule: string; subject: string; resolved_at: Date }>(
      `SELECT DISTINCT ON (patient_id, rule, subject) id, patient_id, rule, subject, resolved_at FROM alerts
       WHERE ${wanted} AND state = 'resolved'
       ORDER BY patient_id, rule, subject, resolved_at DESC`,
      [patients, rules, subjects],
    );
    const { rows: suppressions } = await tx.query<SuppressionRow>(
      `SELECT ${SUPPRESSION_COLUMNS} FROM alert_suppressions WHERE patient_id = ANY ($1::uuid[]) AND rule = ANY ($2::text[]) AND lifted_at IS NULL
       ORDER BY expires_at DESC`,
      [[...new Set(patients)], [...new Set(rules)]],
    );
    const episodes = new Map<string, EpisodeRows>();
    for (const [key, input] of keys) {
      episodes.set(key, {
        unresolved: undefined,
        resolved: undefined,
        suppressions: suppressions.filter((s) => s.patient_id === input.patientId && s.rule === input.rule && (s.subject === null || s.subject === input.subject)).map(toSuppression),
      });
    }
    for (const row of open) {
      const key = episodeKey(row.patient_id, row.rule, row.subject);
      const episode = episodes.get(key);
      if (episode) episodes.set(key, { ...episode, unresolved: toAlert(row) });
    }
    for (const row of closed) {
      const key = episodeKey(row.patient_id, row.rule, row.subject);
      const episode = episodes.get(key);
      if (episode) episodes.set(key, { ...episode, resolved: { id: row.id, resolvedAt: row.resolved_at } });
    }
    return episodes;
  }

  private async insertAlert(tx: SqlClient, input: RaiseAlertInput, attempt: number): Promise<RaiseAlertResult> {
    const { rows: inserted } = await tx.query<AlertRow>(
      `INSERT INTO alerts (patient_id, ward_id, rule, subject, severity, explanation, details, latest_value, first_measured_at,
                           latest_measured_at, reading_ids, opened_at, updated_at, evidence_taken_at, escalation_due_at, next_reminder_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $9, $10::bigint[], $11, $11, $11, $12, $13)
       ON CONFLICT (patient_id, rule, subject) WHERE state <> 'resolved' DO NOTHING
       RETURNING ${ALERT_COLUMNS}`,
      [
        input.patientId,
        input.wardId,
        input.rule,
        input.subject,
        input.severity,
        input.explanation,
        JSON.stringify(input.details),
        input.latestValue,
        input.measuredAt,
        sortedReadingIds(input.readingIds),
        input.at,
        input.escalationDueAt,
        input.nextReminderAt,
      ],
    );
    const row = inserted[0];
    if (!row) {
      // Another writer raised the same episode between our SELECT and INSERT: decide again against theirs.
      if (attempt > 0) throw new Error(`alert episode ${input.patientId}/${input.rule}/${input.subject} is contended`);
      return this.raiseIn(tx, input, attempt + 1);
    }
    const alert = toAlert(row);
    await this.insertEvent(tx, alert.id, {
      at: input.at,
      kind: 'raised',
      by: input.by,
      fromState: null,
      toState: 'open',
      note: input.explanation,
      details: { severity: input.severity, readingIds: alert.readingIds, measuredAt: input.measuredAt.toISOString() },
    });
    return { kind: 'raised', alert };
  }

  /** Writes an update or a re-open as decided: every column set to a value computed here from the locked row. */
  private async applyChange(tx: SqlClient, alert: Alert, decision: ChangeDecision, input: RaiseAlertInput): Promise<RaiseAlertResult> {
    const change = planChange(alert, decision, input);
    const { rows } = await tx.query<AlertRow>(
      `UPDATE alerts SET
         state = $2, severity = $3, occurrences = $4, reading_ids = $5::bigint[],
         explanation = $6, details = $7::jsonb, latest_value = $8,
         first_measured_at = $9, latest_measured_at = $10,
         escalation_due_at = $11, next_reminder_at = $12,
         worsened_at = $13, worsened_from = $14, updated_at = $15, evidence_taken_at = $16
       WHERE id = $1
       RETURNING ${ALERT_COLUMNS}`,
      [
        alert.id,
        change.row.state,
        change.row.severity,
        change.row.occurrences,
        change.row.readingIds,
        change.row.explanation,
        JSON.stringify(change.row.details),
        change.row.latestValue,
        change.row.firstMeasuredAt,
        change.row.latestMeasuredAt,
        change.row.escalationDueAt,
        change.row.nextReminderAt,
        change.row.worsenedAt,
        change.row.worsenedFrom,
        change.row.updatedAt,
        change.row.evidenceTakenAt,
      ],
    );
    const updated = toAlert(onlyRow({ rows, rowCount: rows.length }, 'alert update'));
    if (change.event) await this.insertEvent(tx, alert.id, change.event);
    return { kind: change.kind, alert: updated };
  }

  /**
   * applyChange for many alerts (each at most once) in two statements: one UPDATE of them all, one
   * INSERT of their events (in the order given). The updated alerts, in that order: each is its
   * locked row with the planned values, which are every column the UPDATE sets (a technical alert
   * during a backfill carries hundreds of reading ids; reading them back cost as much as writing).
   */
  private async applyChanges(tx: SqlClient, changes: readonly PlannedChange[]): Promise<Alert[]> {
    if (changes.length === 0) return [];
    const planned: Alert[] = changes.map((c) => ({ ...c.base, ...c.row, details: jsonValue(c.row.details) }));
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE alerts SET
         state = x.x_state, severity = x.x_severity, occurrences = x.x_occurrences, reading_ids = x.x_reading_ids::bigint[],
         explanation = x.x_explanation, details = x.x_details, latest_value = x.x_latest_value,
         first_measured_at = x.x_first_measured_at, latest_measured_at = x.x_latest_measured_at,
         escalation_due_at = x.x_escalation_due_at, next_reminder_at = x.x_next_reminder_at,
         worsened_at = x.x_worsened_at, worsened_from = x.x_worsened_from, updated_at = x.x_updated_at,
         evidence_taken_at = x.x_evidence_taken_at
       FROM jsonb_to_recordset($1::jsonb) AS x(
         x_id uuid, x_state text, x_severity text, x_occurrences integer, x_reading_ids text, x_explanation text, x_details jsonb,
         x_latest_value double precision, x_first_measured_at timestamptz, x_latest_measured_at timestamptz, x_escalation_due_at timestamptz,
         x_next_reminder_at timestamptz, x_worsened_at timestamptz, x_worsened_from text, x_updated_at timestamptz, x_evidence_taken_at timestamptz)
       WHERE alerts.id = x.x_id
       RETURNING alerts.id`,
      [
        JSON.stringify(
          planned.map((r) => ({
            x_id: r.id,
            x_state: r.state,
            x_severity: r.severity,
            x_occurrences: r.occurrences,
            x_reading_ids: arrayLiteral(r.readingIds, (id) => id),
            x_explanation: r.explanation,
            x_details: r.details,
            x_latest_value: r.latestValue,
            x_first_measured_at: r.firstMeasuredAt,
            x_latest_measured_at: r.latestMeasuredAt,
            x_escalation_due_at: r.escalationDueAt,
            x_next_reminder_at: r.nextReminderAt,
            x_worsened_at: r.worsenedAt,
            x_worsened_from: r.worsenedFrom,
            x_updated_at: r.updatedAt,
            x_evidence_taken_at: r.evidenceTakenAt,
          })),
        ),
      ],
    );
    const written = new Set(rows.map((row) => row.id));
    const events = changes.flatMap((c) => (c.event ? [{ alertId: c.row.id, ...c.event }] : []));
    if (events.length > 0) {
      await tx.query(
        `INSERT INTO alert_events (alert_id, at, kind, actor_type, actor_id, from_state, to_state, note, details)
         SELECT e.alert_id, e.at, e.kind, e.actor_type, e.actor_id, e.from_state, e.to_state, e.note, e.details
         FROM jsonb_to_recordset($1::jsonb) AS e(n integer, alert_id uuid, at timestamptz, kind text, actor_type text, actor_id text, from_state text, to_state text, note text, details jsonb)
         ORDER BY e.n`,
        [JSON.stringify(events.map((e, n) => ({ n, alert_id: e.alertId, at: e.at, kind: e.kind, actor_type: e.by.type, actor_id: e.by.id, from_state: e.fromState, to_state: e.toState, note: e.note, details: e.details })))],
      );
    }
    for (const alert of planned) if (!written.has(alert.id)) throw new Error(`alert ${alert.id} vanished while locked`);
    return planned;
  }


  /** Acknowledge, escalate or resolve, by the state machine of @homeward/domain, with its event row. */
  transition(alertId: string, input: AlertTransitionInput, client?: SqlClient): Promise<Result<Alert, CodedError<AlertChangeErrorCode>>> {
    return this.inTransaction(client, async (tx) => {
      const current = await this.lock(tx, alertId);
      if (!current) return fail('alert.not-found', `There is no alert ${alertId}.`, { alertId });
      const next = nextAlertState({
        from: current.state,
        action: input.action,
        by: input.by,
        ...(input.outcome === undefined ? {} : { outcome: input.outcome }),
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        ...(input.selfResolving === undefined ? {} : { selfResolving: input.selfResolving }),
      });
      if (!next.ok) return next;
      const to = next.value;
      const { rows } = await tx.query<AlertRow>(
        `UPDATE alerts SET
           state = $2,
           acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN $3 ELSE acknowledged_at END,
           escalated_at = CASE WHEN $2 = 'escalated' THEN $3 ELSE escalated_at END,
           resolved_at = CASE WHEN $2 = 'resolved' THEN $3 ELSE resolved_at END,
           outcome = CASE WHEN $2 = 'resolved' THEN $4 ELSE outcome END,
           -- The timer is for an alert nobody has taken on; any transition ends it.
           escalation_due_at = NULL,
           next_reminder_at = CASE WHEN $2 = 'resolved' THEN NULL ELSE next_reminder_at END,
           -- Whoever acknowledges an unassigned alert owns it.
           owner_id = CASE WHEN $2 = 'acknowledged' AND owner_id IS NULL AND $5::uuid IS NOT NULL THEN $5::uuid ELSE owner_id END,
           updated_at = $3
         WHERE id = $1
         RETURNING ${ALERT_COLUMNS}`,
        [alertId, to, input.at, input.outcome ?? null, input.by.type === 'user' && isUuid(input.by.id) ? input.by.id : null],
      );
      const alert = toAlert(onlyRow({ rows, rowCount: rows.length }, 'alert transition'));
      const event = await this.insertEvent(tx, alertId, {
        at: input.at,
        kind: ACTION_EVENT_KIND[input.action],
        by: input.by,
        fromState: current.state,
        toState: to,
        note: input.reason ?? null,
        details: input.outcome === undefined ? {} : { outcome: input.outcome },
      });
      // Timer and person both escalate here: the ward's contacts are queued in the same transaction.
      if (to === 'escalated') await enqueueEscalationDeliveries(tx, alert, event);
      return ok(alert);
    });
  }

  /** Assigns an unresolved alert to a nurse (a users.id). */
  assign(alertId: string, input: { ownerId: string; by: AlertActor; at: Date; note?: string }, client?: SqlClient): Promise<Result<Alert, CodedError<AlertChangeErrorCode>>> {
    return this.inTransaction(client, async (tx) => {
      const current = await this.lock(tx, alertId);
      if (!current) return fail('alert.not-found', `There is no alert ${alertId}.`, { alertId });
      if (current.state === 'resolved') return fail('alert.resolved', 'A resolved alert cannot be assigned.', { alertId });
      const { rows } = await tx.query<AlertRow>(`UPDATE alerts SET owner_id = $2, updated_at = $3 WHERE id = $1 RETURNING ${ALERT_COLUMNS}`, [
        alertId,
        input.ownerId,
        input.at,
      ]);
      await this.insertEvent(tx, alertId, {
        at: input.at,
        kind: 'assigned',
        by: input.by,
        fromState: current.state,
        toState: current.state,
        note: input.note ?? null,
        details: { ownerId: input.ownerId, previousOwnerId: current.ownerId },
      });
      return ok(toAlert(onlyRow({ rows, rowCount: rows.length }, 'alert assign')));
    });
  }

  /** A note on the alert's history (any state, resolved included: a late finding still belongs there). */
  addNote(alertId: string, input: { by: AlertActor; at: Date; note: string }, client?: SqlClient): Promise<Result<AlertEvent, CodedError<AlertChangeErrorCode>>> {
    return this.inTransaction(client, async (tx) => {
      if (input.note.trim() === '') return fail('alert.note-empty', 'A note needs some text.');
      const current = await this.lock(tx, alertId);
      if (!current) return fail('alert.not-found', `There is no alert ${alertId}.`, { alertId });
      await tx.query('UPDATE alerts SET updated_at = greatest(updated_at, $2) WHERE id = $1', [alertId, input.at]);
      const event = await this.insertEvent(tx, alertId, {
        at: input.at,
        kind: 'noted',
        by: input.by,
        fromState: current.state,
        toState: current.state,
        note: input.note,
        details: {},
      });
      return ok(event);
    });
  }

  /** Records a reminder sent for an unresolved alert and when the next one is due. */
  recordReminder(alertId: string, input: { by: AlertActor; at: Date; nextReminderAt: Date | null; note: string }, client?: SqlClient): Promise<Alert | undefined> {
    return this.inTransaction(client, async (tx) => {
      const { rows } = await tx.query<AlertRow>(
        `UPDATE alerts SET reminders = reminders + 1, next_reminder_at = $2 WHERE id = $1 AND state <> 'resolved'
         RETURNING ${ALERT_COLUMNS}`,
        [alertId, input.nextReminderAt],
      );
      const row = rows[0];
      if (!row) return undefined;
      await this.insertEvent(tx, alertId, {
        at: input.at,
        kind: 'reminded',
        by: input.by,
        fromState: row.state,
        toState: row.state,
        note: input.note,
        details: { reminder: row.reminders },
      });
      return toAlert(row);
    });
  }

  async get(alertId: string): Promise<Alert | undefined> {
    const { rows } = await this.db.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [alertId]);
    return rows[0] && toAlert(rows[0]);
  }

  /** Several alerts by id (the live stream's batch), in the order of the ids given. */
  async getMany(alertIds: readonly string[], options: { readonly wardIds?: readonly string[] } = {}): Promise<Alert[]> {
    if (alertIds.length === 0 || options.wardIds?.length === 0) return [];
    const { rows } = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ANY ($1::uuid[]) AND ($2::uuid[] IS NULL OR ward_id = ANY ($2::uuid[]))`,
      [alertIds, options.wardIds ?? null],
    );
    const byId = new Map(rows.map((row) => [row.id, toAlert(row)]));
    return alertIds.map((id) => byId.get(id)).filter((alert): alert is Alert => alert !== undefined);
  }

  /** A patient's alerts, newest first; unresolved only unless asked. */
  async forPatient(patientId: string, options: { includeResolved?: boolean } = {}): Promise<Alert[]> {
    const { rows } = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE patient_id = $1 AND ($2 OR state <> 'resolved') ORDER BY opened_at DESC, id`,
      [patientId, options.includeResolved ?? false],
    );
    return rows.map(toAlert);
  }

  /** forPatient (unresolved only) for many patients in one statement: by patient, each in forPatient's order. */
  async unresolvedForPatients(patientIds: readonly string[]): Promise<Map<string, Alert[]>> {
    const byPatient = new Map<string, Alert[]>();
    if (patientIds.length === 0) return byPatient;
    const { rows } = await this.db.query<AlertRow>(
      // Per patient from the unresolved-episode index (OFFSET 0 keeps the planner from flattening
      // the LATERAL back into one scan): on a table bloated by evidence updates, `patient_id = ANY`
      // was planned as a parallel sequential scan, worker start-up included, once per rules page.
      `SELECT a.* FROM unnest($1::uuid[]) AS p(patient_id)
       CROSS JOIN LATERAL (SELECT ${ALERT_COLUMNS} FROM alerts WHERE alerts.patient_id = p.patient_id AND state <> 'resolved' OFFSET 0) a
       ORDER BY a.opened_at DESC, a.id`,
      [[...new Set(patientIds)]],
    );
    for (const row of rows) {
      const alert = toAlert(row);
      const list = byPatient.get(alert.patientId);
      if (list) list.push(alert);
      else byPatient.set(alert.patientId, [alert]);
    }
    return byPatient;
  }

  /** The nurse worklist: unresolved alerts of these wards, most severe first, then longest waiting. */
  async openForWards(wardIds: readonly string[], options: { limit?: number } = {}): Promise<Alert[]> {
    const { rows } = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts
       WHERE ward_id = ANY ($1::uuid[]) AND state <> 'resolved'
       ORDER BY severity_rank DESC, opened_at ASC, id
       LIMIT $2`,
      [wardIds, options.limit ?? 500],
    );
    return rows.map(toAlert);
  }

  /**
   * Every unresolved alert of these wards (no limit: the worklist pages by patient and never drops
   * an alert silently), with who each is about (name, NHS number, current pathway) and whom it is
   * assigned to. Only the columns the worklist shows, times as epoch milliseconds: turning 600
   * rows of timestamp text into Dates was most of the endpoint's time, the query itself ~1 ms.
   */
  async unresolvedWithPeople(wardIds: readonly string[]): Promise<WorklistEntry[]> {
    const ms = (column: string) => `(extract(epoch FROM a.${column}) * 1000)::float8 AS ${column}`;
    const { rows } = await this.db.query<WorklistRow>(
      `SELECT a.id, a.patient_id, a.rule, a.subject, a.severity, a.state, a.owner_id, a.explanation, a.latest_value,
              a.details->>'vital' AS vital, (a.details->>'technical') = 'true' AS technical, a.worsened_from,
              ${['latest_measured_at', 'opened_at', 'escalated_at', 'escalation_due_at', 'worsened_at'].map(ms).join(', ')},
              p.given_name, p.family_name, p.nhs_number, ad.pathway, u.display_name AS owner_name
       FROM alerts a
       LEFT JOIN patients p ON p.id = a.patient_id
       LEFT JOIN admissions ad ON ad.patient_id = a.patient_id AND ad.discharged_at IS NULL
       LEFT JOIN users u ON u.id = a.owner_id
       WHERE a.ward_id = ANY ($1::uuid[]) AND a.state <> 'resolved'`,
      [wardIds],
    );
    const date = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs));
    return rows.map((row) => ({
      alert: {
        id: row.id,
        patientId: row.patient_id,
        rule: row.rule,
        subject: row.subject,
        severity: row.severity as AlertSeverityBand,
        state: row.state as AlertState,
        ownerId: row.owner_id,
        explanation: row.explanation,
        details: { ...(row.vital === null ? {} : { vital: row.vital }), ...(row.technical ? { technical: true } : {}) },
        latestValue: row.latest_value,
        latestMeasuredAt: new Date(row.latest_measured_at),
        openedAt: new Date(row.opened_at),
        escalatedAt: date(row.escalated_at),
        escalationDueAt: date(row.escalation_due_at),
        worsenedAt: date(row.worsened_at),
        worsenedFrom: row.worsened_from as AlertSeverityBand | null,
      },
      patient: row.nhs_number === null ? null : { name: `${row.given_name} ${row.family_name}`, nhsNumber: row.nhs_number.trim(), pathway: (row.pathway as Pathway | null) ?? null },
      ownerName: row.owner_name,
    }));
  }

  /** Unresolved alerts of one rule, oldest first (a technical rule's own episodes, to resolve them). */
  async unresolvedOfRule(rule: string, options: { limit?: number } = {}): Promise<Alert[]> {
    const { rows } = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE rule = $1 AND state <> 'resolved' ORDER BY opened_at, id LIMIT $2`,
      [rule, options.limit ?? 10_000],
    );
    return rows.map(toAlert);
  }

  /** Open (unacknowledged) alerts whose escalation timer has run out, longest overdue first. */
  async dueForEscalation(now: Date, limit = 100): Promise<Alert[]> {
    const { rows } = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE state = 'open' AND escalation_due_at <= $1 ORDER BY escalation_due_at, id LIMIT $2`,
      [now, limit],
    );
    return rows.map(toAlert);
  }

  /** Unresolved alerts whose next reminder is due. */
  async dueForReminder(now: Date, limit = 100): Promise<Alert[]> {
    const { rows } = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE state <> 'resolved' AND next_reminder_at <= $1 ORDER BY next_reminder_at, id LIMIT $2`,
      [now, limit],
    );
    return rows.map(toAlert);
  }

  /** An alert's history, oldest first. */
  async events(alertId: string): Promise<AlertEvent[]> {
    const { rows } = await this.db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM alert_events WHERE alert_id = $1 ORDER BY alert_events.id`, [alertId]);
    return rows.map(toEvent);
  }

  async suppress(input: {
    patientId: string;
    rule: string;
    subject?: string | null;
    reason: string;
    startsAt: Date;
    expiresAt: Date;
    createdBy: string;
  }): Promise<AlertSuppression> {
    const row = onlyRow(
      await this.db.query<SuppressionRow>(
        `INSERT INTO alert_suppressions (patient_id, rule, subject, reason, starts_at, expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${SUPPRESSION_COLUMNS}`,
        [input.patientId, input.rule, input.subject ?? null, input.reason, input.startsAt, input.expiresAt, input.createdBy],
      ),
      'suppress',
    );
    return toSuppression(row);
  }

  async liftSuppression(id: string, input: { by: string; at: Date }): Promise<AlertSuppression | undefined> {
    const { rows } = await this.db.query<SuppressionRow>(
      `UPDATE alert_suppressions SET lifted_at = $2, lifted_by = $3 WHERE id = $1 AND lifted_at IS NULL RETURNING ${SUPPRESSION_COLUMNS}`,
      [id, input.at, input.by],
    );
    return rows[0] && toSuppression(rows[0]);
  }

  async activeSuppressions(patientId: string, at: Date): Promise<AlertSuppression[]> {
    const { rows } = await this.db.query<SuppressionRow>(
      `SELECT ${SUPPRESSION_COLUMNS} FROM alert_suppressions
       WHERE patient_id = $1 AND lifted_at IS NULL AND starts_at <= $2 AND expires_at > $2 ORDER BY rule, expires_at`,
      [patientId, at],
    );
    return rows.map(toSuppression);
  }

  /** Where a consumer of the readings stream has got to; the start of the stream for a new one. */
  async readCursor(consumer: string, client: SqlClient = this.db): Promise<ReadingCursor> {
    const { rows } = await client.query<{ txid: string; reading_id: string }>(
      'SELECT txid::text AS txid, reading_id::text AS reading_id FROM reading_consumers WHERE consumer = $1',
      [consumer],
    );
    const row = rows[0];
    return row ? { txid: row.txid, id: row.reading_id } : { txid: '0', id: '0' };
  }

  /**
   * Moves a consumer's cursor from `from` to `to`, only if it is still at `from` (compare and
   * set): false means another instance of the consumer moved it first, and the caller's
   * transaction must be rolled back. Call it first in the transaction: it locks the row, so two
   * instances of one consumer take turns.
   */
  async advanceCursor(consumer: string, from: ReadingCursor, to: ReadingCursor, client: SqlClient = this.db): Promise<boolean> {
    const { rows } = await client.query<{ consumer: string }>(
      `INSERT INTO reading_consumers AS c (consumer, txid, reading_id, updated_at)
       SELECT $1, $4::xid8, $5::bigint, now() WHERE $2::xid8 = '0'::xid8 AND $3::bigint = 0
       ON CONFLICT (consumer) DO UPDATE SET txid = EXCLUDED.txid, reading_id = EXCLUDED.reading_id, updated_at = now()
         WHERE c.txid = $2::xid8 AND c.reading_id = $3::bigint
       RETURNING consumer`,
      [consumer, from.txid, from.id, to.txid, to.id],
    );
    if (rows.length > 0) return true;
    const { rows: updated } = await client.query<{ consumer: string }>(
      `UPDATE reading_consumers SET txid = $4::xid8, reading_id = $5::bigint, updated_at = now()
       WHERE consumer = $1 AND txid = $2::xid8 AND reading_id = $3::bigint RETURNING consumer`,
      [consumer, from.txid, from.id, to.txid, to.id],
    );
    return updated.length > 0;
  }

  /**
   * Creates a cursor that does not exist yet at the least advanced of `seeds` (cursor names) and
   * of the cursors of `family` (`family` itself and `family:…`), or at the start of the stream: a
   * new lane's cursor starts where its consumer was, never past a reading it has not evaluated.
   */
  async seedCursor(consumer: string, seeds: readonly string[], family: string, client: SqlClient = this.db): Promise<void> {
    await client.query(
      `WITH seed AS (
         SELECT txid, reading_id FROM reading_consumers
         WHERE consumer = ANY ($2::text[]) OR consumer = $3::text OR left(consumer, length($3::text) + 1) = $3::text || ':'
         ORDER BY txid, reading_id
         LIMIT 1
       )
       INSERT INTO reading_consumers (consumer, txid, reading_id)
       SELECT $1::text, coalesce((SELECT txid FROM seed), '0'::xid8), coalesce((SELECT reading_id FROM seed), 0)
       ON CONFLICT (consumer) DO NOTHING`,
      [consumer, seeds, family],
    );
  }

  /**
   * Creates a cursor that does not exist yet at the current end of the readings stream
   * (STREAM_END_TXID_SQL), for a consumer that only wants what is committed from now on (FHIR
   * subscriptions): before every transaction still in flight here, so none of their readings is
   * skipped, and past every reading already committed, so history is never read.
   */
  async seedCursorAtEnd(consumer: string, client: SqlClient = this.db): Promise<void> {
    await client.query(
      `INSERT INTO reading_consumers (consumer, txid, reading_id) VALUES ($1, ${STREAM_END_TXID_SQL}, 0)
       ON CONFLICT (consumer) DO NOTHING`,
      [consumer],
    );
  }

  private async activeSuppression(tx: SqlClient, patientId: string, rule: string, subject: string, at: Date): Promise<AlertSuppression | undefined> {
    const { rows } = await tx.query<SuppressionRow>(
      `SELECT ${SUPPRESSION_COLUMNS} FROM alert_suppressions
       WHERE patient_id = $1 AND rule = $2 AND (subject IS NULL OR subject = $3) AND lifted_at IS NULL AND starts_at <= $4 AND expires_at > $4
       ORDER BY expires_at DESC LIMIT 1`,
      [patientId, rule, subject, at],
    );
    return rows[0] && toSuppression(rows[0]);
  }

  private async lock(tx: SqlClient, alertId: string): Promise<Alert | undefined> {
    if (!isUuid(alertId)) return undefined;
    const { rows } = await tx.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1 FOR UPDATE`, [alertId]);
    return rows[0] && toAlert(rows[0]);
  }

  private async insertEvent(
    tx: SqlClient,
    alertId: string,
    event: { at: Date; kind: AlertEventKind; by: AlertActor; fromState: AlertState | null; toState: AlertState; note: string | null; details: Record<string, unknown> },
  ): Promise<AlertEvent> {
    const row = onlyRow(
      await tx.query<EventRow>(
        `INSERT INTO alert_events (alert_id, at, kind, actor_type, actor_id, from_state, to_state, note, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) RETURNING ${EVENT_COLUMNS}`,
        [alertId, event.at, event.kind, event.by.type, event.by.id, event.fromState, event.toState, event.note, JSON.stringify(event.details)],
      ),
      'alert event',
    );
    return toEvent(row);
  }

  private inTransaction<T>(client: SqlClient | undefined, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return client ? fn(client) : this.db.transaction(fn);
  }
}

/** An active admission as the rules engine needs it: where alerts go and the care plan to apply. */
export interface MonitoredAdmission {
  readonly admissionId: string;
  readonly patientId: string;
  readonly wardId: string;
  readonly pathway: Pathway;
  /** admissions.care_plan as stored; the engine validates and maps it. */
  readonly carePlan: Readonly<Record<string, unknown>>;
  readonly admittedAt: Date;
}

export interface MonitoredDevice {
  readonly id: string;
  readonly type: DeviceType;
  readonly patientId: string;
  readonly lastSeenAt: Date | null;
  readonly batteryLevel: number | null;
  readonly batteryAt: Date | null;
}

interface AdmissionRow {
  id: string;
  patient_id: string;
  ward_id: string;
  pathway: Pathway;
  care_plan: Record<string, unknown>;
  admitted_at: Date;
}

const ADMISSION_COLUMNS = 'id, patient_id, ward_id, pathway, care_plan, admitted_at';

/**
 * What the rules engine reads besides readings: active admissions with their care plans, and the
 * patient's devices (last seen, battery) to tell a silent hub from an unused device.
 */
export class MonitoringRepository {
  constructor(private readonly db: Database) {}

  async activeAdmission(patientId: string): Promise<MonitoredAdmission | undefined> {
    const { rows } = await this.db.query<AdmissionRow>(`SELECT ${ADMISSION_COLUMNS} FROM admissions WHERE patient_id = $1 AND discharged_at IS NULL`, [
      patientId,
    ]);
    return rows[0] && toAdmission(rows[0]);
  }

  /** The active admissions of these patients in one query (a page of readings), by patient id. */
  async activeAdmissionsOf(patientIds: readonly string[]): Promise<Map<string, MonitoredAdmission>> {
    const byPatient = new Map<string, MonitoredAdmission>();
    if (patientIds.length === 0) return byPatient;
    const { rows } = await this.db.query<AdmissionRow>(
      `SELECT ${ADMISSION_COLUMNS} FROM admissions WHERE patient_id = ANY ($1::uuid[]) AND discharged_at IS NULL ORDER BY admitted_at, id`,
      [patientIds],
    );
    for (const row of rows) if (!byPatient.has(row.patient_id)) byPatient.set(row.patient_id, toAdmission(row));
    return byPatient;
  }

  async activeAdmissions(options: { withExpectedReadings?: boolean } = {}): Promise<MonitoredAdmission[]> {
    const { rows } = await this.db.query<AdmissionRow>(
      `SELECT ${ADMISSION_COLUMNS} FROM admissions
       WHERE discharged_at IS NULL AND (NOT $1 OR jsonb_typeof(care_plan -> 'expectedReadings') = 'array')
       ORDER BY admitted_at, id`,
      [options.withExpectedReadings ?? false],
    );
    return rows.map(toAdmission);
  }

  async devicesOf(patientId: string): Promise<MonitoredDevice[]> {
    const { rows } = await this.db.query<{
      id: string;
      type: DeviceType;
      patient_id: string;
      last_seen_at: Date | null;
      battery_level: number | null;
      battery_at: Date | null;
    }>('SELECT id, type, patient_id, last_seen_at, battery_level, battery_at FROM devices WHERE patient_id = $1 ORDER BY type, id', [patientId]);
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      patientId: row.patient_id,
      lastSeenAt: row.last_seen_at,
      batteryLevel: row.battery_level === null ? null : Number(row.battery_level),
      batteryAt: row.battery_at,
    }));
  }
}

interface EventRow {
  id: string;
  alert_id: string;
  at: Date;
  kind: AlertEventKind;
  actor_type: 'user' | 'system';
  actor_id: string;
  from_state: AlertState | null;
  to_state: AlertState;
  note: string | null;
  details: Record<string, unknown>;
}

const EVENT_COLUMNS = 'id::text AS id, alert_id, at, kind, actor_type, actor_id, from_state, to_state, note, details';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** What decideAlert needs of an alert the query found unresolved. */
function unresolvedSnapshot(alert: Alert): UnresolvedAlertSnapshot {
  const { state } = alert;
  if (state === 'resolved') throw new Error(`alert ${alert.id} is resolved, not the episode's unresolved alert`);
  return { ...alert, state };
}

/**
 * The ids of a bigint[] in PostgreSQL's text form (`{}`, `{7,12}`; a lower bound other than 1 is
 * written `[0:1]={7,12}`), as strings. The rules engine reads every open alert of a page's patients,
 * some with hundreds of ids of evidence, several times a page: pg's character-by-character array
 * parser and its garbage were a tenth of a rules worker's CPU.
 */
export function readingIdsOf(text: string): string[] {
  const open = text.indexOf('{');
  return text.length - open <= 2 ? [] : text.slice(open + 1, -1).split(',');
}

/** A value as a jsonb column gives it back: dates as ISO strings, no undefined members. */
function jsonValue<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    patientId: row.patient_id,
    wardId: row.ward_id,
    rule: row.rule,
    subject: row.subject,
    severity: row.severity,
    state: row.state,
    ownerId: row.owner_id,
    explanation: row.explanation,
    details: row.details,
    latestValue: row.latest_value === null ? null : Number(row.latest_value),
    firstMeasuredAt: row.first_measured_at,
    latestMeasuredAt: row.latest_measured_at,
    occurrences: Number(row.occurrences),
    readingIds: readingIdsOf(row.reading_ids),
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    evidenceTakenAt: row.evidence_taken_at,
    acknowledgedAt: row.acknowledged_at,
    escalatedAt: row.escalated_at,
    resolvedAt: row.resolved_at,
    outcome: row.outcome,
    escalationDueAt: row.escalation_due_at,
    nextReminderAt: row.next_reminder_at,
    reminders: Number(row.reminders),
    worsenedAt: row.worsened_at,
    worsenedFrom: row.worsened_from,
  };
}

function toEvent(row: EventRow): AlertEvent {
  return {
    id: row.id,
    alertId: row.alert_id,
    at: row.at,
    kind: row.kind,
    actor: { type: row.actor_type, id: row.actor_id },
    fromState: row.from_state,
    toState: row.to_state,
    note: row.note,
    details: row.details,
  };
}

function toSuppression(row: SuppressionRow): AlertSuppression {
  return {
    id: row.id,
    patientId: row.patient_id,
    rule: row.rule,
    subject: row.subject,
    reason: row.reason,
    startsAt: row.starts_at,
    expiresAt: row.expires_at,
    createdBy: row.created_by,
    liftedAt: row.lifted_at,
  };
}

function toAdmission(row: AdmissionRow): MonitoredAdmission {
  return {
    admissionId: row.id,
    patientId: row.patient_id,
    wardId: row.ward_id,
    pathway: row.pathway,
    carePlan: row.care_plan ?? {},
    admittedAt: row.admitted_at,
  };
}

/** An episode (patient, rule, subject) as a raise reads it. */
interface EpisodeState {
  readonly unresolved: Alert | undefined;
  readonly resolved: { readonly id: string; readonly resolvedAt: Date } | undefined;
  readonly suppression: AlertSuppression | undefined;
}

/** raiseMany's read of an episode: its suppressions not lifted (which is in force depends on each finding's time). */
interface EpisodeRows extends Omit<EpisodeState, 'suppression'> {
  readonly suppressions: readonly AlertSuppression[];
}

function episodeKey(patientId: string, rule: string, subject: string): string {
  return `${patientId}\u0000${rule}\u0000${subject}`;
}

/** activeSuppression's answer from suppressions read beforehand (they come latest expiry first). */
function suppressionAt(suppressions: readonly AlertSuppression[], input: RaiseAlertInput): AlertSuppression | undefined {
  const at = input.at.getTime();
  return suppressions.find((s) => s.startsAt.getTime() <= at && s.expiresAt.getTime() > at);
}

/** decideAlert for a finding and its episode as read. */
function decisionFor(input: RaiseAlertInput, episode: EpisodeState): AlertDecision {
  return decideAlert({
    unresolved: episode.unresolved ? unresolvedSnapshot(episode.unresolved) : null,
    recentlyResolved: episode.resolved ?? null,
    suppressed: episode.suppression !== undefined,
    finding: input,
    now: input.at,
  });
}

type ChangeDecision = Extract<AlertDecision, { kind: 'update' | 'reopen-worsened' }>;

/** An update or re-open as decided: the alert's new column values and its event, if it is history. */
interface PlannedChange {
  readonly kind: 'repeated' | 'worsened' | 'unchanged';
  /** The locked row the change applies to: its other columns are unchanged. */
  readonly base: Alert;
  /** applyAlertChange's values (libs/domain), with the alert's id and the time of the change. */
  readonly row: AlertChangeBase & { readonly id: string; readonly updatedAt: Date; readonly evidenceTakenAt: Date };
  readonly event?: { at: Date; kind: AlertEventKind; by: AlertActor; fromState: AlertState | null; toState: AlertState; note: string | null; details: Record<string, unknown> };
}

/** Every column of the changed alert computed from the locked row, the decision and the finding. */
function planChange(alert: Alert, decision: ChangeDecision, input: RaiseAlertInput): PlannedChange {
  if (decision.kind === 'reopen-worsened') {
    // The state machine must allow it (acknowledged or escalated, by the system).
    const next = nextAlertState({ from: alert.state, action: 'reopen', by: input.by });
    if (!next.ok) throw new CodedFailure(next.error);
  }
  // The values are @homeward/domain's applyAlertChange and changeKind: the same the rule backtest replays with.
  const c = applyAlertChange(alert, decision, input);
  const kind = changeKind(decision);
  const state = c.state;
  const row = { ...c, id: alert.id, updatedAt: input.at, evidenceTakenAt: kind === 'unchanged' ? alert.evidenceTakenAt : input.at };
  const details = {
    severity: input.severity,
    ...(decision.severityRaisedFrom === undefined ? {} : { severityRaisedFrom: decision.severityRaisedFrom }),
    latestValue: input.latestValue,
    newReadingIds: decision.newReadingIds,
    measuredAt: input.measuredAt.toISOString(),
  };
  if (kind === 'worsened') {
    return { kind, base: alert, row, event: { at: input.at, kind: 'worsened', by: input.by, fromState: alert.state, toState: state, note: input.explanation, details } };
  }
  // Only new evidence or a higher severity is history; a re-worded latest explanation is not.
  if (kind === 'unchanged') return { kind, base: alert, row };
  return { kind: 'repeated', base: alert, row, event: { at: input.at, kind: 'repeated', by: input.by, fromState: alert.state, toState: state, note: input.explanation, details } };
}
