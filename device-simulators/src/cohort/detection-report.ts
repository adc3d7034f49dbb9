import type { ScriptedEvent, ScriptedEventKind } from './cohort.model';
import { ALERT_SEVERITY_BANDS, type AlertSeverityBand, alertSeverityRank } from '@homeward/domain';
import type { AlertKind } from '@homeward/rules';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** What the evaluator needs of the cohort: who carried which scripted event, on which timeline. */
export interface DetectionCohort {
  /** Day 0 of the replayed timeline (replay time). */
  readonly start: Date;
  readonly days: number;
  readonly patients: ReadonlyArray<{ readonly index: number; readonly events: readonly ScriptedEvent[] }>;
}

/** An alert Homeward raised, as read back through the API (resolved ones included). */
export interface RaisedAlert {
  readonly patientIndex: number;
  readonly rule: string;
  readonly severity: AlertSeverityBand;
  /** As the worklist classifies it (alertKind). */
  readonly kind: AlertKind;
  /** Measurement (replay) time of the earliest evidence behind the episode. */
  readonly firstMeasuredAt: Date;
}

/** What each scripted event should raise: the kind, the rules that count as detecting it, the least severity. */
interface Expectation {
  readonly kind: AlertKind;
  /** Rules whose alert counts as detecting the event; empty means any rule of that kind (clinical). */
  readonly rules: readonly string[];
  readonly minSeverity: AlertSeverityBand;
  readonly group: 'deterioration' | 'silence' | 'technical';
}

/**
 * Deteriorations must reach at least medium (a nurse is asked to act; CLINICAL.md), silences and
 * technical problems are expected at the severity their rules give. A late-delivery alert is the
 * outage's technical trace, not its detection: the outage is detected by hub-offline.
 */
export const EXPECTATIONS: Readonly<Record<ScriptedEventKind, Expectation>> = {
  'heart-failure-decompensation': { kind: 'clinical', rules: [], minSeverity: 'medium', group: 'deterioration' },
  'chest-infection': { kind: 'clinical', rules: [], minSeverity: 'medium', group: 'deterioration' },
  'non-adherence': { kind: 'silence', rules: ['patient-silent'], minSeverity: 'low', group: 'silence' },
  'hub-outage': { kind: 'silence', rules: ['hub-offline'], minSeverity: 'low', group: 'silence' },
  'wrong-clock': { kind: 'technical', rules: ['device-clock-off'], minSeverity: 'low', group: 'technical' },
  'malformed-frames': { kind: 'technical', rules: ['malformed-frames'], minSeverity: 'low', group: 'technical' },
};

/**
 * Evidence may come a little before the event by the clock (a silence's evidence can be the last
 * time the hub was heard from) and some time after it ends (a trend rule needs its last readings;
 * the backlog of an outage arrives when it ends). Beyond these an alert is not the event's.
 */
export const LEAD_TOLERANCE_MS = 12 * HOUR_MS;
export const END_TOLERANCE_MS = 24 * HOUR_MS;

export interface ScenarioResult {
  readonly scenario: ScriptedEventKind;
  readonly group: Expectation['group'];
  readonly expectedKind: AlertKind;
  readonly expectedRules: readonly string[];
  readonly expectedMinSeverity: AlertSeverityBand;
  readonly events: number;
  /** Events with a matching alert (expected kind and rule, evidence in the window). */
  readonly detected: number;
  /** Of those, with the expected severity or worse. */
  readonly detectedAtSeverity: number;
  /** Event start to first matching evidence, per detected event (hours, replay time). */
  readonly delaysHours: readonly number[];
  readonly medianDelayHours: number | null;
  /** The worst severity a matching alert reached, over the events. */
  readonly worstSeverity: AlertSeverityBand | null;
  /** The rules that matched. */
  readonly rules: readonly string[];
}

export interface DetectionReport {
  readonly patientDays: number;
  readonly scenarios: readonly ScenarioResult[];
  /** Alerts explained by no scripted event of that patient, by kind. */
  readonly unexplained: Readonly<Record<AlertKind, number>>;
  readonly falseClinicalPerPatientDay: number;
  readonly unexplainedRules: Readonly<Record<string, number>>;
}

/** The event's window in replay time; a wrong clock is wrong for the whole timeline. */
export function eventWindow(event: ScriptedEvent, cohort: Pick<DetectionCohort, 'start' | 'days'>): { from: number; to: number } {
  const start = cohort.start.getTime();
  if (event.kind === 'wrong-clock') return { from: start, to: start + cohort.days * DAY_MS };
  return { from: start + event.startDay * DAY_MS, to: start + (event.startDay + event.days) * DAY_MS };
}

function inWindow(at: Date, window: { from: number; to: number }, lead: number): boolean {
  const t = at.getTime();
  return t >= window.from - lead && t <= window.to + END_TOLERANCE_MS;
}

/** An alert the event explains: the event's kind (any rule of it), this patient, evidence in the window. */
function explains(event: ScriptedEvent, alert: RaisedAlert, cohort: DetectionCohort): boolean {
  const expected = EXPECTATIONS[event.kind];
  // A hub outage's backlog arrives late by design: its late-delivery alert is the outage's too. A
  // device whose frames are refused delivers none of its readings: the reading-missing alert
  // (others still arrive) is the malformed frames' consequence.
  const kindMatches =
    alert.kind === expected.kind || (event.kind === 'hub-outage' && alert.rule === 'late-delivery') || (event.kind === 'malformed-frames' && alert.rule === 'reading-missing');
  return kindMatches && inWindow(alert.firstMeasuredAt, eventWindow(event, cohort), expected.kind === 'clinical' ? 0 : LEAD_TOLERANCE_MS);
}

function detects(event: ScriptedEvent, alert: RaisedAlert, cohort: DetectionCohort): boolean {
  const expected = EXPECTATIONS[event.kind];
  if (alert.kind !== expected.kind) return false;
  if (expected.rules.length > 0 && !expected.rules.includes(alert.rule)) return false;
  return inWindow(alert.firstMeasuredAt, eventWindow(event, cohort), expected.kind === 'clinical' ? 0 : LEAD_TOLERANCE_MS);
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const worst = (a: AlertSeverityBand | null, b: AlertSeverityBand): AlertSeverityBand => (a === null || alertSeverityRank(b) > alertSeverityRank(a) ? b : a);

/**
 * Did Homeward see what the cohort scripted? Pure: the cohorts (one per run) and the alerts each
 * run raised in, the report out. Several runs (seeds) add up: events, detections and patient-days.
 */
export function evaluateDetection(runs: ReadonlyArray<{ readonly cohort: DetectionCohort; readonly alerts: readonly RaisedAlert[] }>): DetectionReport {
  const kinds = Object.keys(EXPECTATIONS) as ScriptedEventKind[];
  const acc = new Map(kinds.map((k) => [k, { events: 0, detected: 0, atSeverity: 0, delays: [] as number[], worst: null as AlertSeverityBand | null, rules: new Set<string>() }]));
  const unexplained: Record<AlertKind, number> = { clinical: 0, silence: 0, technical: 0 };
  const unexplainedRules: Record<string, number> = {};
  let patientDays = 0;
  for (const { cohort, alerts } of runs) {
    patientDays += cohort.patients.length * cohort.days;
    for (const patient of cohort.patients) {
      const mine = alerts.filter((a) => a.patientIndex === patient.index);
      for (const event of patient.events) {
        const a = acc.get(event.kind);
        if (!a) continue;
        a.events++;
        const matching = mine.filter((alert) => detects(event, alert, cohort));
        if (matching.length === 0) continue;
        a.detected++;
        const from = eventWindow(event, cohort).from;
        const first = Math.min(...matching.map((m) => m.firstMeasuredAt.getTime()));
        a.delays.push(Math.max(0, first - from) / HOUR_MS);
        const severity = matching.map((m) => m.severity).reduce<AlertSeverityBand | null>(worst, null) as AlertSeverityBand;
        if (alertSeverityRank(severity) >= alertSeverityRank(EXPECTATIONS[event.kind].minSeverity)) a.atSeverity++;
        a.worst = worst(a.worst, severity);
        for (const m of matching) a.rules.add(m.rule);
      }
      for (const alert of mine) {
        if (patient.events.some((event) => explains(event, alert, cohort))) continue;
        unexplained[alert.kind]++;
        unexplainedRules[alert.rule] = (unexplainedRules[alert.rule] ?? 0) + 1;
      }
    }
  }
  const scenarios = kinds.map((scenario): ScenarioResult => {
    const a = acc.get(scenario) as NonNullable<ReturnType<typeof acc.get>>;
    const e = EXPECTATIONS[scenario];
    return {
      scenario,
      group: e.group,
      expectedKind: e.kind,
      expectedRules: e.rules,
      expectedMinSeverity: e.minSeverity,
      events: a.events,
      detected: a.detected,
      detectedAtSeverity: a.atSeverity,
      delaysHours: a.delays,
      medianDelayHours: median(a.delays),
      worstSeverity: a.worst,
      rules: [...a.rules].sort(),
    };
  });
  return {
    patientDays,
    scenarios,
    unexplained,
    falseClinicalPerPatientDay: patientDays === 0 ? 0 : unexplained.clinical / patientDays,
    unexplainedRules,
  };
}

/** The false-alert goal of issue 15: fewer than 0.3 unexplained clinical alerts per patient-day. */
export const FALSE_ALERT_GOAL_PER_PATIENT_DAY = 0.3;

/** The report as a table, for people. */
export function renderDetectionReport(report: DetectionReport): string {
  const rows: string[][] = [['scenario', 'expected', 'detected', 'at severity', 'median delay', 'seen']];
  for (const s of report.scenarios) {
    rows.push([
      s.scenario,
      `${s.expectedKind}${s.expectedRules.length ? ` (${s.expectedRules.join(', ')})` : ''}, ≥ ${s.expectedMinSeverity}`,
      `${s.detected}/${s.events}`,
      `${s.detectedAtSeverity}/${s.events}`,
      s.medianDelayHours === null ? '—' : `${s.medianDelayHours.toFixed(1)} h`,
      s.worstSeverity === null ? 'nothing' : `${s.worstSeverity}: ${s.rules.join(', ')}`,
    ]);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: readonly string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const [head, ...body] = rows;
  const sum = (group: ScenarioResult['group']) => {
    const g = report.scenarios.filter((s) => s.group === group);
    return `${g.reduce((n, s) => n + s.detected, 0)}/${g.reduce((n, s) => n + s.events, 0)}`;
  };
  const rate = report.falseClinicalPerPatientDay;
  const byRule = Object.entries(report.unexplainedRules)
    .sort((a, b) => b[1] - a[1])
    .map(([rule, n]) => `${rule} ${n}`)
    .join(', ');
  return [
    line(head ?? []),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
    '',
    `Deteriorations detected ${sum('deterioration')}, silences ${sum('silence')}, technical ${sum('technical')}.`,
    `False clinical alerts: ${report.unexplained.clinical} over ${report.patientDays} patient-days = ${rate.toFixed(3)} per patient-day (goal < ${FALSE_ALERT_GOAL_PER_PATIENT_DAY}: ${rate < FALSE_ALERT_GOAL_PER_PATIENT_DAY ? 'met' : 'NOT met'}).`,
    `Unexplained silence alerts ${report.unexplained.silence}, technical ${report.unexplained.technical}.`,
    ...(byRule ? [`Unexplained alerts by rule: ${byRule}.`] : []),
  ].join('\n');
}

/** Severity bands, for validating what the API returned. */
export function isSeverityBand(value: unknown): value is AlertSeverityBand {
  return (ALERT_SEVERITY_BANDS as readonly unknown[]).includes(value);
}
