import type { BacktestCatch, BacktestFinding, BacktestPlanFindings, BacktestReport } from '@homeward/contracts';
import type { Reading } from '@homeward/domain';
import { type AlertCandidate, type StoredCarePlan, evaluatePatientRules, mapCarePlan, rulesLookBackMs } from '@homeward/rules';
import type { AnalyticsAdmission } from '@homeward/storage';
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
}

/** The report's parts are the API's answer, declared once in @homeward/contracts (the dashboard reads them). */
export type FindingKey = BacktestFinding;
export type PlanFindings = BacktestPlanFindings;
export type CatchComparison = BacktestCatch;

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
 * engine does) under the stored and a proposed care plan, and compares what the rules found. It
 * counts findings (a rule firing at a reading), not alert episodes: how a finding becomes an alert
 * also depends on what nurses did with earlier ones, which a replay cannot know. Pure: the caller
 * reads the snapshot.
 */
export function ruleBacktest(admissions: readonly BacktestAdmission[], actioned: readonly ActionedAlert[], period: { from: Date; to: Date }): RuleBacktestReport {
  return backtestReport(admissions.map((item) => replayAdmission(item, period)), admissions, actioned, period);
}

/** What one admission's stored and proposed plans found (proposed: the same findings when no plan is proposed). */
export interface AdmissionReplay {
  readonly current: readonly Finding[];
  readonly proposed: readonly Finding[];
}

/** Replays one admission under its stored and its proposed care plan: the part a worker thread can do. */
export function replayAdmission(item: BacktestAdmission, period: { from: Date; to: Date }): AdmissionReplay {
  const { admission } = item;
  const stored: StoredCarePlan = { patientId: admission.patientId, pathway: admission.pathway, carePlan: admission.carePlan };
  const current = replay(item.readings, stored, admission, period.from, period.to);
  return { current, proposed: item.proposed ? replay(item.readings, item.proposed, admission, period.from, period.to) : current };
}

/** The report from every admission's replay, `replays[i]` being `admissions[i]`'s: in admission order, whoever replayed them. */
export function backtestReport(replays: readonly AdmissionReplay[], admissions: readonly BacktestAdmission[], actioned: readonly ActionedAlert[], period: { from: Date; to: Date }): RuleBacktestReport {
  const { from, to } = period;
  let patientDaysMs = 0;
  const current: Finding[] = [];
  const proposed: Finding[] = [];
  admissions.forEach(({ admission }, i) => {
    patientDaysMs += overlapMs(admission.admittedAt, admission.dischargedAt, from, to);
    const replayed = replays[i];
    if (!replayed) throw new RangeError(`Admission ${admission.id} was not replayed.`);
    current.push(...replayed.current);
    proposed.push(...replayed.proposed);
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
    catches: actioned.filter((a) => CLINICAL_ACTION_OUTCOMES.includes(a.outcome)).map((a) => catchOf(a, currentByPatient.get(a.patientId) ?? [], proposedByPatient.get(a.patientId) ?? [])),
  };
}

/** The plan's findings at every reading's measurement time inside the admission and the period. */
function replay(readings: readonly Reading[], plan: StoredCarePlan, admission: AnalyticsAdmission, from: Date, to: Date): Finding[] {
  const { carePlan } = mapCarePlan(plan);
  const lookBack = rulesLookBackMs(carePlan);
  const start = Math.max(from.getTime(), admission.admittedAt.getTime());
  const end = Math.min(to.getTime(), (admission.dischargedAt ?? to).getTime());
  const sorted = [...readings].sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
  const moments = [...new Set(sorted.map((r) => r.measuredAt.getTime()).filter((t) => t >= start && t < end))];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  let low = 0;
  let high = 0;
  for (const moment of moments) {
    while (low < sorted.length && (sorted[low] as Reading).measuredAt.getTime() < moment - lookBack) low++;
    while (high < sorted.length && (sorted[high] as Reading).measuredAt.getTime() <= moment) high++;
    for (const c of evaluatePatientRules(sorted.slice(low, high), carePlan, new Date(moment))) {
      // The engine drops a candidate it has already proposed (same evidence); so does the replay.
      const key = `${c.rule}|${c.subject}|${c.severity}|${c.readingIds.join(',')}|${c.measuredAt.getTime()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(findingOf(c, admission.patientId, moment));
    }
  }
  return findings;
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
  const rows = (counts: Map<string, number>) => [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => ({ key, count, perPatientDay: rate(count, days) }));
  return { findings: findings.length, perPatientDay: rate(findings.length, days), byRule: rows(countBy(findings, (f) => f.rule)), bySeverity: rows(countBy(findings, (f) => f.severity)) };
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
