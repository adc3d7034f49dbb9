import type { BacktestAlert as BacktestAlertDto, BacktestCatch, BacktestFinding, BacktestPlanAlerts, BacktestPlanFindings, BacktestReport, RateRow } from '@homeward/contracts';
import { AlertEpisodeLedger, type Reading, type RecordedAlertAction, type RecordedSuppression, type ReplayedAlert } from '@homeward/domain';
import { type AlertCandidate, type StoredCarePlan, evaluatePatientRules, mapCarePlan, rulesLookBackMs } from '@homeward/rules';
import type { AnalyticsAdmission } from '@homeward/storage';
import { proposalOf } from '../rules-engine/alert-writer';
import { DAY_MS, HOUR_MS, countBy, overlapMs, rate } from './analytics-figures';

/** Outcomes that mean a person had to act clinically on the alert: the catches a plan change must not lose. */
export const CLINICAL_ACTION_OUTCOMES: readonly string[] = ['contacted-patient', 'visit-arranged', 'escalated-to-gp', 'escalated-to-999', 'escalated-to-ward'];
/** How far either side of a past alert's first evidence a plan's finding still counts as catching it. */
export const CATCH_WINDOW_HOURS = 72;

/** A past alert of the ward that needed clinical action, as the catch comparison needs it. */
export interface ActionedAlert {
  readonly id: string;
  readonly patientId: string;
  readonly rule: string;
  readonly severity: string;
  readonly firstMeasuredAt: Date;
  readonly outcome: string;
}

export interface BacktestAdmission {
  readonly admission: AnalyticsAdmission;
  /** The patient's stored readings from (period start − the longest look-back) to the period's end. */
  readonly readings: readonly Reading[];
  /** The care plan to try for this admission, or undefined to keep the stored one. */
  readonly proposed: StoredCarePlan | undefined;
  /**
   * What people and the escalation timer did to the patient's alerts in the period (the stored
   * alert trail, oldest first), replayed between the moments; absent: nobody acted.
   */
  readonly actions?: readonly RecordedAlertAction[];
  /** Clinicians' suppressions of the patient's rules in force during the period. */
  readonly suppressions?: readonly RecordedSuppression[];
}

/** The report's parts are the API's answer, declared once in @homeward/contracts (the dashboard reads them). */
export type FindingKey = BacktestFinding;
export type PlanFindings = BacktestPlanFindings;
export type CatchComparison = BacktestCatch;
export type BacktestAlert = BacktestAlertDto;
export type PlanAlerts = BacktestPlanAlerts;

/** The answer without its ward, plus every finding of each plan, for machines (--json) and the equivalence test against the engine's alerts. */
export interface RuleBacktestReport extends Omit<BacktestReport, 'wardId' | 'wardName'> {
  readonly findings: { readonly current: readonly (FindingKey & { readonly patientId: string })[]; readonly proposed: readonly (FindingKey & { readonly patientId: string })[] };
}

export interface Finding extends FindingKey {
  readonly patientId: string;
  readonly time: number;
}

/**
 * Replays stored readings through the live rule code (evaluatePatientRules of @homeward/rules, the
 * function the engine calls, at each reading's measurement time with the plan's look-back, as the
 * engine does) under the stored and a proposed care plan, and compares what the rules found
 * (findings: a rule firing at a reading) and the alerts they give with the recorded actions
 * replayed (alerts: AlertEpisodeLedger of @homeward/domain). Pure: the caller reads the snapshot.
 */
export function ruleBacktest(admissions: readonly BacktestAdmission[], actioned: readonly ActionedAlert[], period: { from: Date; to: Date }): RuleBacktestReport {
  return backtestReport(admissions.map((item) => replayAdmission(item, period)), admissions, actioned, period);
}

/** What one admission's stored and proposed plans found (proposed: the same findings when no plan is proposed). */
export interface AdmissionReplay {
  readonly current: readonly Finding[];
  readonly proposed: readonly Finding[];
  readonly currentAlerts: PlanReplayAlerts;
  readonly proposedAlerts: PlanReplayAlerts;
}

/** One plan's replayed alerts of one admission, with how many recorded actions found their alert. */
export interface PlanReplayAlerts {
  readonly alerts: readonly BacktestAlert[];
  readonly actionsReplayed: number;
  readonly actionsUnmatched: number;
}

/** Replays one admission under its stored and its proposed care plan: the part a worker thread can do. */
export function replayAdmission(item: BacktestAdmission, period: { from: Date; to: Date }): AdmissionReplay {
  const { admission } = item;
  const stored: StoredCarePlan = { patientId: admission.patientId, pathway: admission.pathway, carePlan: admission.carePlan };
  const current = replay(item, stored, period.from, period.to);
  const proposed = item.proposed ? replay(item, item.proposed, period.from, period.to) : current;
  return { current: current.findings, proposed: proposed.findings, currentAlerts: current.alerts, proposedAlerts: proposed.alerts };
}

/** The report from every admission's replay, `replays[i]` being `admissions[i]`'s: in admission order, whoever replayed them. */
export function backtestReport(replays: readonly AdmissionReplay[], admissions: readonly BacktestAdmission[], actioned: readonly ActionedAlert[], period: { from: Date; to: Date }): RuleBacktestReport {
  const { from, to } = period;
  let patientDaysMs = 0;
  const current: Finding[] = [];
  const proposed: Finding[] = [];
  const currentAlerts: PlanReplayAlerts[] = [];
  const proposedAlerts: PlanReplayAlerts[] = [];
  admissions.forEach(({ admission }, i) => {
    patientDaysMs += overlapMs(admission.admittedAt, admission.dischargedAt, from, to);
    const replayed = replays[i];
    if (!replayed) throw new RangeError(`Admission ${admission.id} was not replayed.`);
    current.push(...replayed.current);
    proposed.push(...replayed.proposed);
    currentAlerts.push(replayed.currentAlerts);
    proposedAlerts.push(replayed.proposedAlerts);
  });
  const days = patientDaysMs / DAY_MS;
  const keyOf = (f: Finding) => `${f.patientId}|${f.at}|${f.rule}|${f.subject}|${f.severity}`;
  const currentKeys = new Set(current.map(keyOf));
  const proposedKeys = new Set(proposed.map(keyOf));
  const currentByPatient = byPatient(current);
  const proposedByPatient = byPatient(proposed);
  const patients = [...new Set([...currentByPatient.keys(), ...proposedByPatient.keys()])].sort();
  const strip = ({ at, evidenceAt, rule, subject, severity, readingIds }: Finding): FindingKey => ({ at, evidenceAt, rule, subject, severity, readingIds });
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    patientDays: Math.round(days * 100) / 100,
    current: summarise(current, days),
    proposed: summarise(proposed, days),
    differences: patients
      .map((patientId) => ({
        patientId,
        appear: (proposedByPatient.get(patientId) ?? []).filter((f) => !currentKeys.has(keyOf(f))).map(strip),
        disappear: (currentByPatient.get(patientId) ?? []).filter((f) => !proposedKeys.has(keyOf(f))).map(strip),
      }))
      .filter((d) => d.appear.length + d.disappear.length > 0),
    findings: { current: current.map((f) => ({ patientId: f.patientId, ...strip(f) })), proposed: proposed.map((f) => ({ patientId: f.patientId, ...strip(f) })) },
    alerts: { current: currentAlerts.flatMap((a) => a.alerts), proposed: proposedAlerts.flatMap((a) => a.alerts) },
    alertBurden: { current: summariseAlerts(currentAlerts, days), proposed: summariseAlerts(proposedAlerts, days) },
    catches: actioned.filter((a) => CLINICAL_ACTION_OUTCOMES.includes(a.outcome)).map((a) => catchOf(a, currentByPatient.get(a.patientId) ?? [], proposedByPatient.get(a.patientId) ?? [])),
  };
}

/**
 * The plan's findings at every reading's measurement time inside the admission and the period, and
 * the alerts they give: at each moment, as of when the engine saw it (its newest reading's
 * arrival), the recorded actions done before then are applied, then the moment's findings go
 * through the engine's decisions (AlertEpisodeLedger: decideAlert and applyAlertChange, as
 * AlertRepository.raise), with the candidates turned into findings by the engine's proposalOf.
 */
function replay(item: BacktestAdmission, plan: StoredCarePlan, from: Date, to: Date): { findings: Finding[]; alerts: PlanReplayAlerts } {
  const { admission } = item;
  const { carePlan } = mapCarePlan(plan);
  const lookBack = rulesLookBackMs(carePlan);
  const start = Math.max(from.getTime(), admission.admittedAt.getTime());
  const end = Math.min(to.getTime(), (admission.dischargedAt ?? to).getTime());
  const sorted = [...item.readings].sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
  const actions = [...(item.actions ?? [])].filter((a) => a.patientId === admission.patientId).sort((a, b) => a.at.getTime() - b.at.getTime());
  const ledger = new AlertEpisodeLedger(item.suppressions ?? []);
  let acted = 0;
  let applied = 0;
  const actUntil = (time: number) => {
    while (acted < actions.length && (actions[acted] as RecordedAlertAction).at.getTime() <= time) {
      if (ledger.act(actions[acted] as RecordedAlertAction).kind === 'action-applied') applied++;
      acted++;
    }
  };
  const findings: Finding[] = [];
  const seen = new Set<string>();
  let low = 0;
  let high = 0;
  let next = 0;
  while (next < sorted.length && (sorted[next] as Reading).measuredAt.getTime() < start) next++;
  while (next < sorted.length) {
    const moment = (sorted[next] as Reading).measuredAt.getTime();
    if (moment >= end) break;
    // The moment's readings: the engine judged it when the newest of them had arrived.
    let seenAt = moment;
    while (next < sorted.length && (sorted[next] as Reading).measuredAt.getTime() === moment) seenAt = Math.max(seenAt, (sorted[next++] as Reading).receivedAt.getTime());
    while (low < sorted.length && (sorted[low] as Reading).measuredAt.getTime() < moment - lookBack) low++;
    high = Math.max(high, next);
    const now = new Date(seenAt);
    actUntil(seenAt);
    for (const c of evaluatePatientRules(sorted.slice(low, high), carePlan, new Date(moment))) {
      // Every candidate goes to the decisions, as the engine's pass sends each moment's: the same
      // evidence again is ignored there, unless a suppression has ended meanwhile (then it raises).
      // Timers are not replayed: escalations come from the trail (escalationDueAt decides nothing else).
      ledger.raise(Object.assign(proposalOf(c), { escalationDueAt: null, nextReminderAt: null }), now);
      // A finding is counted once: the first moment that found it (same evidence).
      const key = `${c.rule}|${c.subject}|${c.severity}|${c.readingIds.join(',')}|${c.measuredAt.getTime()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(findingOf(c, admission.patientId, moment));
    }
  }
  actUntil(end);
  return { findings, alerts: { alerts: ledger.alerts().map(backtestAlertOf), actionsReplayed: applied, actionsUnmatched: acted - applied } };
}

function backtestAlertOf(a: ReplayedAlert): BacktestAlert {
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    patientId: a.patientId,
    rule: a.rule,
    subject: a.subject,
    severity: a.severity,
    severityHistory: a.severityHistory.map((h) => ({ at: h.at.toISOString(), severity: h.severity })),
    state: a.state,
    openedAt: a.openedAt.toISOString(),
    acknowledgedAt: iso(a.acknowledgedAt),
    escalatedAt: iso(a.escalatedAt),
    resolvedAt: iso(a.resolvedAt),
    outcome: a.outcome,
    firstMeasuredAt: a.firstMeasuredAt.toISOString(),
    latestMeasuredAt: a.latestMeasuredAt.toISOString(),
    occurrences: a.occurrences,
    readingIds: a.readingIds,
    explanation: a.explanation,
    liveAlertIds: a.actedOnAs,
  };
}

/** Counts by key, in key order, with their rate per patient-day. */
function rateRows(counts: Map<string, number>, days: number): RateRow[] {
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => ({ key, count, perPatientDay: rate(count, days) }));
}

function summariseAlerts(plans: readonly PlanReplayAlerts[], days: number): PlanAlerts {
  const alerts = plans.flatMap((p) => p.alerts);
  return {
    alerts: alerts.length,
    perPatientDay: rate(alerts.length, days),
    byRule: rateRows(countBy(alerts, (a) => a.rule), days),
    bySeverity: rateRows(countBy(alerts, (a) => a.severity), days),
    actionsReplayed: plans.reduce((n, p) => n + p.actionsReplayed, 0),
    actionsUnmatched: plans.reduce((n, p) => n + p.actionsUnmatched, 0),
  };
}

/** Findings per patient, each list in the order found (one pass instead of a scan per patient). */
function byPatient(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const group = groups.get(f.patientId);
    if (group) group.push(f);
    else groups.set(f.patientId, [f]);
  }
  return groups;
}

function findingOf(c: AlertCandidate, patientId: string, moment: number): Finding {
  return { patientId, time: moment, at: new Date(moment).toISOString(), evidenceAt: c.measuredAt.toISOString(), rule: c.rule, subject: c.subject, severity: c.severity, readingIds: c.readingIds };
}

function summarise(findings: readonly Finding[], days: number): PlanFindings {
  return { findings: findings.length, perPatientDay: rate(findings.length, days), byRule: rateRows(countBy(findings, (f) => f.rule), days), bySeverity: rateRows(countBy(findings, (f) => f.severity), days) };
}

function catchOf(alert: ActionedAlert, current: readonly Finding[], proposed: readonly Finding[]): CatchComparison {
  const centre = alert.firstMeasuredAt.getTime();
  const first = (findings: readonly Finding[]) =>
    findings.filter((f) => f.patientId === alert.patientId && Math.abs(f.time - centre) <= CATCH_WINDOW_HOURS * HOUR_MS).reduce<number | null>((min, f) => (min === null || f.time < min ? f.time : min), null);
  const c = first(current);
  const p = first(proposed);
  return {
    alertId: alert.id,
    patientId: alert.patientId,
    rule: alert.rule,
    outcome: alert.outcome,
    liveFirstMeasuredAt: alert.firstMeasuredAt.toISOString(),
    currentAt: c === null ? null : new Date(c).toISOString(),
    proposedAt: p === null ? null : new Date(p).toISOString(),
    shiftHours: c === null || p === null ? null : Math.round(((p - c) / HOUR_MS) * 10) / 10,
  };
}
