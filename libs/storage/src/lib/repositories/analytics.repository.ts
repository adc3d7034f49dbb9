import { type AlertOutcome, type AlertSeverityBand, type DeviceType, type DischargeOutcome, type Pathway, type RecordedAlertAction, type RecordedSuppression, sortedReadingIds } from '@homeward/domain';
import type { Database, SqlClient, StorageEngine } from '../database';

/** An admission that overlaps the period, with the care plan as stored (expected readings). */
export interface AnalyticsAdmission {
  readonly id: string;
  readonly patientId: string;
  readonly pathway: Pathway;
  readonly carePlan: Readonly<Record<string, unknown>>;
  readonly admittedAt: Date;
  readonly dischargedAt: Date | null;
  readonly dischargeOutcome: DischargeOutcome | null;
  /** The patient's previous discharge from this ward before this admission, and its outcome (readmissions). */
  readonly previousDischargeAt: Date | null;
  readonly previousDischargeOutcome: DischargeOutcome | null;
}

/** One alert opened in the period, with the facts of its handling read from its event history. */
export interface AnalyticsAlert {
  readonly id: string;
  readonly rule: string;
  readonly severity: AlertSeverityBand;
  readonly technical: boolean;
  /** The pathway of the admission the patient was on when it opened (null: none found). */
  readonly pathway: Pathway | null;
  readonly deviceId: string | null;
  readonly openedAt: Date;
  /** The first acknowledgement or resolution by a person. */
  readonly firstResponseAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly resolvedByPerson: boolean;
  readonly outcome: AlertOutcome | null;
  readonly escalatedByTimer: number;
  readonly escalatedByPerson: number;
}

/** Readings of one vital measured during one admission's hours inside the period. */
export interface AdmissionReadingCount {
  readonly admissionId: string;
  readonly vital: string;
  readonly readings: number;
}

/** When the engine's timer pass ran in a period (rules_timer_ticks, migration 0024). */
export interface TimerTicks {
  readonly ticks: readonly Date[];
  readonly lastBefore: Date | null;
}

/** One row of a device's contact history (device_contacts, migration 0023). */
export interface DeviceContactEvent {
  readonly at: Date;
  /** A `seen` span's end: heard from at `at`, then at most 5 minutes apart until `until`. Null for a status. */
  readonly until: Date | null;
  readonly kind: 'seen' | 'online' | 'offline';
  readonly batteryLevel: number | null;
}

export interface DeviceHistory {
  readonly id: string;
  readonly type: DeviceType;
  readonly patientId: string;
  readonly contacts: readonly DeviceContactEvent[];
}

/** A message a GATT decoder refused, for a backtest's malformed-frames rule. */
export interface MalformedFrame {
  readonly deviceId: string;
  readonly receivedAt: Date;
  readonly code: string;
}

/**
 * An alert unresolved at a past moment, as it stood then (the columns that change later, severity
 * and evidence, are today's: an alert raised again after the moment shows its later evidence).
 */
export interface OpenAlertAt {
  readonly id: string;
  readonly patientId: string;
  readonly rule: string;
  readonly subject: string;
  readonly severity: AlertSeverityBand;
  readonly state: 'open' | 'acknowledged' | 'escalated';
  readonly openedAt: Date;
  /** When it last took in new evidence before the moment: its latest raised, repeated or worsened event. */
  readonly evidenceTakenAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly escalatedAt: Date | null;
  readonly firstMeasuredAt: Date;
  readonly latestMeasuredAt: Date;
  readonly occurrences: number;
  readonly readingIds: readonly string[];
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly latestValue: number | null;
  /** The severity it was raised with, then each rise before the moment. */
  readonly severityHistory: readonly { readonly at: Date; readonly severity: AlertSeverityBand }[];
  readonly worsenedAt: Date | null;
  readonly worsenedFrom: AlertSeverityBand | null;
}

/**
 * An open alert's evidence folded from its history before the moment (decideAlert's rules: the
 * highest severity reached, the union of readings, a finding about time new when later). The
 * `details` and `latestValue` stay today's (not in the history). `timeOnly`: a rule whose findings
 * carry no readings (silences), whose repeats count when about a later moment.
 */
function asOfHistory(alert: OpenAlertAt, events: readonly { at: Date; kind: string; explanation: string | null; details: Record<string, unknown> }[], timeOnly: boolean): OpenAlertAt {
  const raised = events[0];
  if (!raised || raised.kind !== 'raised') return alert;
  const severityOf = (e: (typeof events)[number]) => e.details['severity'] as AlertSeverityBand;
  const measuredOf = (e: (typeof events)[number]) => new Date(String(e.details['measuredAt']));
  let severity = severityOf(raised);
  const severityHistory = [{ at: raised.at, severity }];
  const readingIds = new Set<string>(((raised.details['readingIds'] as unknown[] | undefined) ?? []).map(String));
  let first = measuredOf(raised);
  let latest = first;
  let occurrences = 1;
  let explanation = raised.explanation ?? alert.explanation;
  let worsenedAt: Date | null = null;
  let worsenedFrom: AlertSeverityBand | null = null;
  for (const e of events.slice(1)) {
    const measured = measuredOf(e);
    const fresh = ((e.details['newReadingIds'] as unknown[] | undefined) ?? []).map(String);
    if (timeOnly ? measured > latest : fresh.length > 0) occurrences++;
    for (const id of fresh) readingIds.add(id);
    if (measured >= latest && e.explanation) explanation = e.explanation;
    if (measured < first) first = measured;
    if (measured > latest) latest = measured;
    const from = e.details['severityRaisedFrom'] as AlertSeverityBand | undefined;
    if (from !== undefined) {
      severity = severityOf(e);
      severityHistory.push({ at: e.at, severity });
      worsenedAt = e.at;
      worsenedFrom = from;
    }
  }
  const evidenceTakenAt = events[events.length - 1]?.at ?? raised.at;
  return { ...alert, severity, severityHistory, readingIds: sortedReadingIds([...readingIds]), firstMeasuredAt: first, latestMeasuredAt: latest, occurrences, explanation, worsenedAt, worsenedFrom, evidenceTakenAt };
}

export interface AnalyticsDevice {
  readonly id: string;
  readonly type: string;
  readonly model: string | null;
  readonly rejectedMessages: number;
}

/** Alerts resolved in a month (UTC) by outcome, for the outcomes report. */
export interface MonthlyOutcomeCount {
  readonly month: string;
  readonly outcome: AlertOutcome;
  readonly alerts: number;
}

export interface WardAnalyticsSnapshot {
  readonly wardName: string;
  readonly admissions: readonly AnalyticsAdmission[];
  readonly alerts: readonly AnalyticsAlert[];
  readonly readingCounts: readonly AdmissionReadingCount[];
  readonly readingSource: 'continuous-aggregate' | 'readings-table';
  readonly devices: readonly AnalyticsDevice[];
  readonly resolvedByMonth: readonly MonthlyOutcomeCount[];
}

/**
 * What the alert-burden and ward-outcomes reports are computed from (issue 21), read for one ward
 * and period [from, to) in one REPEATABLE READ transaction, so every figure comes from the same
 * snapshot. The figures themselves are computed in pure code (apps/api analytics); this only reads.
 *
 * Reading counts come from the readings_hourly continuous aggregate on TimescaleDB and from the
 * readings table on plain PostgreSQL, by the same definition on both: a reading counts for an
 * admission when the hour it was measured in starts inside the admission's hours in the period,
 * the start rounded down to the hour (time_bucket's and date_trunc's hours are the same in UTC).
 */
export class AnalyticsRepository {
  constructor(
    private readonly db: Database,
    private readonly engine: StorageEngine,
  ) {}

  /** undefined when the ward does not exist. */
  async wardSnapshot(wardId: string, from: Date, to: Date): Promise<WardAnalyticsSnapshot | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const ward = (await tx.query<{ name: string }>('SELECT name FROM wards WHERE id = $1', [wardId])).rows[0];
      if (!ward) return undefined;
      const admissions = await this.admissions(tx, wardId, from, to);
      const alerts = await this.alerts(tx, wardId, from, to);
      const readingCounts = await this.readingCounts(tx, wardId, from, to);
      const deviceIds = [...new Set(alerts.flatMap((a) => (a.deviceId ? [a.deviceId] : [])))];
      const devices = await this.devices(tx, [...new Set(admissions.map((a) => a.patientId))], deviceIds, from, to);
      const resolvedByMonth = await this.resolvedByMonth(tx, wardId, from, to);
      return {
        wardName: ward.name,
        admissions,
        alerts,
        readingCounts,
        readingSource: this.engine === 'timescale' ? 'continuous-aggregate' : 'readings-table',
        devices,
        resolvedByMonth,
      };
    });
  }

  /** Alerts of the ward opened in [from, to) that a person or the system resolved, with the patient and first evidence (the backtest's catches). */
  async resolvedAlerts(wardId: string, from: Date, to: Date): Promise<{ id: string; patientId: string; rule: string; severity: AlertSeverityBand; firstMeasuredAt: Date; outcome: AlertOutcome }[]> {
    const { rows } = await this.db.query<{ id: string; patient_id: string; rule: string; severity: AlertSeverityBand; first_measured_at: Date; outcome: AlertOutcome }>(
      `SELECT id, patient_id, rule, severity, first_measured_at, outcome FROM alerts
       WHERE ward_id = $1 AND opened_at >= $2 AND opened_at < $3 AND state = 'resolved'
       ORDER BY first_measured_at, id`,
      [wardId, from, to],
    );
    return rows.map((r) => ({ id: r.id, patientId: r.patient_id, rule: r.rule, severity: r.severity, firstMeasuredAt: r.first_measured_at, outcome: r.outcome }));
  }

  /**
   * What people (and the escalation timer) did to these patients' alerts in [from, to), oldest
   * first: acknowledgements, escalations and resolutions from the alerts' event trail; and the
   * suppressions in force at any time of the period. The rule backtest replays them between the
   * moments it judges (AlertEpisodeLedger of @homeward/domain).
   */
  async alertTrail(patientIds: readonly string[], from: Date, to: Date): Promise<{ actions: RecordedAlertAction[]; suppressions: RecordedSuppression[] }> {
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows: events } = await tx.query<{ at: Date; kind: 'acknowledged' | 'escalated' | 'resolved'; alert_id: string; patient_id: string; rule: string; subject: string; outcome: string | null }>(
        `SELECT e.at, e.kind, a.id AS alert_id, a.patient_id, a.rule, a.subject, e.details->>'outcome' AS outcome
         FROM alert_events e JOIN alerts a ON a.id = e.alert_id
         WHERE a.patient_id = ANY($1::uuid[]) AND e.kind IN ('acknowledged', 'escalated', 'resolved') AND e.at >= $2 AND e.at < $3
           -- The engine's own resolutions of silence and technical alerts are replayed by their rules, not taken from the trail.
           AND NOT (e.kind = 'resolved' AND e.details->>'outcome' = 'reading-received')
         ORDER BY e.at, e.id`,
        [patientIds, from, to],
      );
      const { rows: suppressions } = await tx.query<{ patient_id: string; rule: string; subject: string | null; starts_at: Date; expires_at: Date; lifted_at: Date | null }>(
        `SELECT patient_id, rule, subject, starts_at, expires_at, lifted_at FROM alert_suppressions
         WHERE patient_id = ANY($1::uuid[]) AND starts_at < $3 AND expires_at > $2 AND (lifted_at IS NULL OR lifted_at > $2)
         ORDER BY starts_at, id`,
        [patientIds, from, to],
      );
      const ACTION = { acknowledged: 'acknowledge', escalated: 'escalate', resolved: 'resolve' } as const;
      return {
        actions: events.map((e) => ({ at: e.at, action: ACTION[e.kind], outcome: e.outcome, alertId: e.alert_id, patientId: e.patient_id, rule: e.rule, subject: e.subject })),
        suppressions: suppressions.map((r) => ({ patientId: r.patient_id, rule: r.rule, subject: r.subject, startsAt: r.starts_at, expiresAt: r.expires_at, liftedAt: r.lifted_at })),
      };
    });
  }

  /**
   * The moments the engine's timer pass ran in [from, to) (rules_timer_ticks, 0024), oldest first,
   * and the latest recorded before `from` (null: none): the ticks are the record from the first one
   * on; before it (before 0024, or past the retention) a backtest infers them.
   */
  async timerTicks(from: Date, to: Date): Promise<TimerTicks> {
    const { rows } = await this.db.query<{ at: Date }>('SELECT at FROM rules_timer_ticks WHERE at >= $1 AND at < $2 ORDER BY at', [from, to]);
    const { rows: before } = await this.db.query<{ at: Date }>('SELECT at FROM rules_timer_ticks WHERE at < $1 ORDER BY at DESC LIMIT 1', [from]);
    return { ticks: rows.map((r) => r.at), lastBefore: before[0]?.at ?? null };
  }

  /**
   * The patients' devices and their contact history up to `to` (device_contacts, 0023), oldest first:
   * what a backtest folds into each device's state as of a past moment (its TimerReplay in
   * @homeward/rules). Devices given to a patient keep their rows from before; the fold is per device.
   */
  async deviceHistory(patientIds: readonly string[], to: Date): Promise<DeviceHistory[]> {
    const { rows: devices } = await this.db.query<{ id: string; type: DeviceType; patient_id: string }>(
      'SELECT id, type, patient_id FROM devices WHERE patient_id = ANY($1::uuid[]) ORDER BY patient_id, type, id',
      [patientIds],
    );
    if (devices.length === 0) return [];
    const { rows } = await this.db.query<{ device_id: string; at: Date; until: Date | null; kind: 'seen' | 'online' | 'offline'; battery_level: number | null }>(
      `SELECT device_id, at, until, kind, battery_level FROM device_contacts WHERE device_id = ANY($1::uuid[]) AND at <= $2 ORDER BY device_id, at, id`,
      [devices.map((d) => d.id), to],
    );
    const contacts = new Map<string, DeviceContactEvent[]>();
    for (const r of rows) {
      const list = contacts.get(r.device_id) ?? [];
      list.push({ at: r.at, until: r.until, kind: r.kind, batteryLevel: r.battery_level === null ? null : Number(r.battery_level) });
      contacts.set(r.device_id, list);
    }
    return devices.map((d) => ({ id: d.id, type: d.type, patientId: d.patient_id, contacts: contacts.get(d.id) ?? [] }));
  }

  /**
   * Per device (of the patients), every message refused by a GATT decoder received in [from, to)
   * (as DeviceStateRepository.malformedFrames counts them), oldest first: a backtest counts those
   * of the 24 hours before each moment.
   */
  async malformedFrameHistory(patientIds: readonly string[], from: Date, to: Date): Promise<MalformedFrame[]> {
    const { rows } = await this.db.query<{ device_id: string; received_at: Date; reason_code: string }>(
      `SELECT m.device_id, m.received_at, m.reason_code FROM rejected_messages m JOIN devices d ON d.id = m.device_id
       WHERE d.patient_id = ANY($1::uuid[]) AND m.received_at >= $2 AND m.received_at < $3
         AND (m.reason_code LIKE 'gatt.%' OR jsonb_path_exists(m.details, '$.items[*].code ? (@ starts with "gatt.")'))
       ORDER BY m.received_at, m.id`,
      [patientIds, from, to],
    );
    return rows.map((r) => ({ deviceId: r.device_id, receivedAt: r.received_at, code: r.reason_code }));
  }

  /**
   * The patients' alerts unresolved at `at` (opened before it, resolved after it or not yet), in
   * the state they were in then (their last transition before `at`): a backtest starting at `at`
   * carries them in, so its first findings update them as the engine did.
   */
  async alertsOpenAt(patientIds: readonly string[], at: Date): Promise<OpenAlertAt[]> {
    const { rows } = await this.db.query<{
      id: string; patient_id: string; rule: string; subject: string; severity: AlertSeverityBand; opened_at: Date; first_measured_at: Date; latest_measured_at: Date;
      occurrences: number; reading_ids: string[]; explanation: string; details: Record<string, unknown>; latest_value: number | null; state_then: 'open' | 'acknowledged' | 'escalated' | null;
      acknowledged_at: Date | null; escalated_at: Date | null; worsened_at: Date | null; worsened_from: AlertSeverityBand | null;
    }>(
      `SELECT a.id, a.patient_id, a.rule, a.subject, a.severity, a.opened_at, a.first_measured_at, a.latest_measured_at, a.occurrences,
              a.reading_ids::text[] AS reading_ids, a.explanation, a.details, a.latest_value, a.worsened_at, a.worsened_from,
              (SELECT e.to_state FROM alert_events e WHERE e.alert_id = a.id AND e.at < $2 ORDER BY e.at DESC, e.id DESC LIMIT 1) AS state_then,
              (SELECT max(e.at) FROM alert_events e WHERE e.alert_id = a.id AND e.at < $2 AND e.kind = 'acknowledged') AS acknowledged_at,
              (SELECT max(e.at) FROM alert_events e WHERE e.alert_id = a.id AND e.at < $2 AND e.kind = 'escalated') AS escalated_at
       FROM alerts a
       WHERE a.patient_id = ANY($1::uuid[]) AND a.opened_at < $2 AND (a.resolved_at IS NULL OR a.resolved_at >= $2)
       ORDER BY a.opened_at, a.id`,
      [patientIds, at],
    );
    if (rows.length === 0) return [];
    // The evidence as of `at`, from the alerts' history before it (raised, repeated, worsened record
    // the severity, the new readings and the measurement time: AlertRepository.raise / planChange).
    const { rows: events } = await this.db.query<{ alert_id: string; at: Date; kind: string; explanation: string | null; details: Record<string, unknown> }>(
      `SELECT alert_id, at, kind, note AS explanation, details FROM alert_events
       WHERE alert_id = ANY($1::uuid[]) AND at < $2 AND kind IN ('raised', 'repeated', 'worsened') ORDER BY alert_id, at, id`,
      [rows.map((r) => r.id), at],
    );
    const history = new Map<string, typeof events>();
    for (const e of events) history.set(e.alert_id, [...(history.get(e.alert_id) ?? []), e]);
    return rows.map((r) => {
      const base: OpenAlertAt = {
        id: r.id,
        patientId: r.patient_id,
        rule: r.rule,
        subject: r.subject,
        severity: r.severity,
        state: r.state_then ?? 'open',
        openedAt: r.opened_at,
        evidenceTakenAt: r.opened_at,
        acknowledgedAt: r.acknowledged_at,
        escalatedAt: r.escalated_at,
        firstMeasuredAt: r.first_measured_at,
        latestMeasuredAt: r.latest_measured_at,
        occurrences: Number(r.occurrences),
        readingIds: r.reading_ids.map(String),
        explanation: r.explanation,
        details: r.details,
        latestValue: r.latest_value === null ? null : Number(r.latest_value),
        severityHistory: [{ at: r.opened_at, severity: r.severity }],
        worsenedAt: r.worsened_at,
        worsenedFrom: r.worsened_from,
      };
      return asOfHistory(base, history.get(r.id) ?? [], r.reading_ids.length === 0);
    });
  }

  private async admissions(tx: SqlClient, wardId: string, from: Date, to: Date): Promise<AnalyticsAdmission[]> {
    const { rows } = await tx.query<{
      id: string;
      patient_id: string;
      pathway: Pathway;
      care_plan: Record<string, unknown>;
      admitted_at: Date;
      discharged_at: Date | null;
      discharge_outcome: DischargeOutcome | null;
      previous_discharged_at: Date | null;
      previous_outcome: DischargeOutcome | null;
    }>(
      `SELECT a.id, a.patient_id, a.pathway, a.care_plan, a.admitted_at, a.discharged_at, a.discharge_outcome,
              p.discharged_at AS previous_discharged_at, p.discharge_outcome AS previous_outcome
       FROM admissions a
       LEFT JOIN LATERAL (
         SELECT discharged_at, discharge_outcome FROM admissions p
         WHERE p.patient_id = a.patient_id AND p.ward_id = a.ward_id AND p.id <> a.id AND p.discharged_at <= a.admitted_at
         ORDER BY p.discharged_at DESC LIMIT 1
       ) p ON true
       WHERE a.ward_id = $1 AND a.admitted_at < $3 AND (a.discharged_at IS NULL OR a.discharged_at >= $2)
       ORDER BY a.admitted_at, a.id`,
      [wardId, from, to],
    );
    return rows.map((r) => ({
      id: r.id,
      patientId: r.patient_id,
      pathway: r.pathway,
      carePlan: r.care_plan,
      admittedAt: r.admitted_at,
      dischargedAt: r.discharged_at,
      dischargeOutcome: r.discharge_outcome,
      previousDischargeAt: r.previous_discharged_at,
      previousDischargeOutcome: r.previous_outcome,
    }));
  }

  private async alerts(tx: SqlClient, wardId: string, from: Date, to: Date): Promise<AnalyticsAlert[]> {
    const { rows } = await tx.query<{
      id: string;
      rule: string;
      severity: AlertSeverityBand;
      technical: boolean;
      pathway: Pathway | null;
      device_id: string | null;
      opened_at: Date;
      first_response_at: Date | null;
      resolved_at: Date | null;
      resolved_by_person: boolean;
      outcome: AlertOutcome | null;
      escalated_by_timer: string;
      escalated_by_person: string;
    }>(
      `SELECT a.id, a.rule, a.severity, coalesce(a.details ->> 'technical' = 'true', false) AS technical, ad.pathway,
              a.details ->> 'deviceId' AS device_id, a.opened_at, a.resolved_at, a.outcome,
              e.first_response_at, coalesce(e.resolved_by_person, false) AS resolved_by_person,
              coalesce(e.escalated_by_timer, 0) AS escalated_by_timer, coalesce(e.escalated_by_person, 0) AS escalated_by_person
       FROM alerts a
       LEFT JOIN LATERAL (
         SELECT pathway FROM admissions ad
         WHERE ad.patient_id = a.patient_id AND ad.ward_id = a.ward_id AND ad.admitted_at <= a.opened_at
         ORDER BY ad.admitted_at DESC LIMIT 1
       ) ad ON true
       LEFT JOIN LATERAL (
         SELECT min(at) FILTER (WHERE actor_type = 'user' AND kind IN ('acknowledged', 'resolved')) AS first_response_at,
                bool_or(actor_type = 'user' AND kind = 'resolved') AS resolved_by_person,
                count(*) FILTER (WHERE kind = 'escalated' AND actor_type = 'system') AS escalated_by_timer,
                count(*) FILTER (WHERE kind = 'escalated' AND actor_type = 'user') AS escalated_by_person
         FROM alert_events ev WHERE ev.alert_id = a.id
       ) e ON true
       WHERE a.ward_id = $1 AND a.opened_at >= $2 AND a.opened_at < $3
       ORDER BY a.opened_at, a.id`,
      [wardId, from, to],
    );
    return rows.map((r) => ({
      id: r.id,
      rule: r.rule,
      severity: r.severity,
      technical: r.technical,
      pathway: r.pathway,
      deviceId: r.device_id,
      openedAt: r.opened_at,
      firstResponseAt: r.first_response_at,
      resolvedAt: r.resolved_at,
      resolvedByPerson: r.resolved_by_person,
      outcome: r.outcome,
      escalatedByTimer: Number(r.escalated_by_timer),
      escalatedByPerson: Number(r.escalated_by_person),
    }));
  }

  private async readingCounts(tx: SqlClient, wardId: string, from: Date, to: Date): Promise<AdmissionReadingCount[]> {
    // The admission's hours inside the period; the same bounds on both engines.
    const spans = `SELECT id, patient_id, date_trunc('hour', greatest(admitted_at, $2::timestamptz)) AS span_from,
                          least(coalesce(discharged_at, $3::timestamptz), $3::timestamptz) AS span_to
                   FROM admissions WHERE ward_id = $1 AND admitted_at < $3 AND (discharged_at IS NULL OR discharged_at >= $2)`;
    const sql =
      this.engine === 'timescale'
        ? `WITH spans AS (${spans})
           SELECT s.id AS admission_id, h.vital, sum(h.n)::bigint AS readings
           FROM spans s JOIN readings_hourly h ON h.patient_id = s.patient_id AND h.bucket >= s.span_from AND h.bucket < s.span_to
           GROUP BY s.id, h.vital`
        : `WITH spans AS (${spans})
           SELECT s.id AS admission_id, r.vital, count(*)::bigint AS readings
           FROM spans s JOIN readings r ON r.patient_id = s.patient_id AND r.measured_at >= s.span_from AND date_trunc('hour', r.measured_at) < s.span_to
           GROUP BY s.id, r.vital`;
    const { rows } = await tx.query<{ admission_id: string; vital: string; readings: string }>(sql, [wardId, from, to]);
    return rows.map((r) => ({ admissionId: r.admission_id, vital: r.vital, readings: Number(r.readings) }));
  }

  /** Devices of the ward's patients in the period and any device a technical alert named, with their refused messages. */
  private async devices(tx: SqlClient, patientIds: readonly string[], alertDeviceIds: readonly string[], from: Date, to: Date): Promise<AnalyticsDevice[]> {
    const { rows } = await tx.query<{ id: string; type: string; model: string | null; rejected: string }>(
      `SELECT d.id, d.type, d.model,
              (SELECT count(*) FROM rejected_messages m WHERE m.device_id = d.id AND m.received_at >= $3 AND m.received_at < $4) AS rejected
       FROM devices d
       WHERE d.patient_id = ANY($1::uuid[]) OR d.id::text = ANY($2::text[])
       ORDER BY d.id`,
      [patientIds, alertDeviceIds, from, to],
    );
    return rows.map((r) => ({ id: r.id, type: r.type, model: r.model, rejectedMessages: Number(r.rejected) }));
  }

  private async resolvedByMonth(tx: SqlClient, wardId: string, from: Date, to: Date): Promise<MonthlyOutcomeCount[]> {
    const { rows } = await tx.query<{ month: string; outcome: AlertOutcome; alerts: string }>(
      `SELECT to_char(date_trunc('month', resolved_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, outcome, count(*) AS alerts
       FROM alerts WHERE ward_id = $1 AND state = 'resolved' AND resolved_at >= $2 AND resolved_at < $3
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [wardId, from, to],
    );
    return rows.map((r) => ({ month: r.month, outcome: r.outcome, alerts: Number(r.alerts) }));
  }
}
