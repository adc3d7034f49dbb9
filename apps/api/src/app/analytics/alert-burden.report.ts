import type { AdherenceRow, AlertBurdenReport, AnalyticsDefinition, DeviceModelProblems, DurationSummary, RateRow } from '@homeward/contracts';
import { ALERT_OUTCOMES, ALERT_SEVERITY_BANDS, PATHWAYS } from '@homeward/domain';
import { alertKind, mapCarePlan } from '@homeward/rules';
import type { AnalyticsAdmission, AnalyticsAlert, WardAnalyticsSnapshot } from '@homeward/storage';
import { DAY_MS, HOUR_MS, countBy, overlapMs, percentile, rate, round } from './analytics-figures';

/** The outcome a person records when the alert needed nothing doing (issue 21: the share resolved "no action needed"). */
export const NO_ACTION_NEEDED_OUTCOMES: readonly string[] = ['false-alarm'];

export const ALERT_BURDEN_DEFINITIONS: readonly AnalyticsDefinition[] = [
  { term: 'Period', meaning: 'From the start time up to (not including) the end time, cut at the moment the report was made; months and days are UTC.' },
  { term: 'Patient-days', meaning: "Hours each patient spent on the ward inside the period, divided by 24 (an admission still open counts up to the period's end)." },
  { term: 'Alerts', meaning: 'Alert episodes opened in the period (a repeat of an open alert is not a new alert). Per patient-day: divided by the patient-days of the ward, or of the pathway for the pathway rows.' },
  { term: 'Kind', meaning: 'clinical, silence (patient silent, hub offline, device unused, reading missing, overdue) or technical (device clock, late delivery, malformed frames, low battery, pipeline), as the worklist classes them.' },
  { term: 'Time to acknowledge', meaning: 'From the alert opening to the first acknowledgement or resolution by a person; p50 and p90 over the alerts that had one.' },
  { term: 'Time to resolve', meaning: 'From the alert opening to its resolution (by a person or, for an overdue reading that arrived, by the system); p50 and p90 over resolved alerts.' },
  { term: 'Escalations', meaning: "Escalations of the period's alerts: by the escalation timer (nobody acknowledged in time) and by a person." },
  { term: 'No action needed', meaning: 'Alerts a person resolved as "false alarm", as a share of all alerts a person resolved.' },
  { term: 'Reading adherence', meaning: "Readings received against those the care plan's schedule expects (the plan's list, or the pathway's schedule when it lists none): expected = whole intervals of the schedule inside the patient's hours on the ward; a reading counts when the hour it was measured in lies in those hours; at most the expected number counts per patient and vital." },
  { term: 'Silence episodes', meaning: 'Silence alerts opened in the period, by rule.' },
  { term: 'Technical problems per device model', meaning: "Technical alerts opened in the period naming a device, and messages refused from it, grouped by the device's model (type when no model is recorded)." },
];

export interface ReportPeriod {
  readonly wardId: string;
  readonly from: Date;
  /** Already cut at `now` by the caller. */
  readonly to: Date;
  readonly now: Date;
}

export function alertBurdenReport(snapshot: WardAnalyticsSnapshot, period: ReportPeriod): AlertBurdenReport {
  const { from, to } = period;
  const stays = snapshot.admissions.map((a) => ({ admission: a, ms: overlapMs(a.admittedAt, a.dischargedAt, from, to) }));
  const patientDaysMs = stays.reduce((sum, s) => sum + s.ms, 0);
  const pathwayMs = new Map<string, number>();
  for (const s of stays) pathwayMs.set(s.admission.pathway, (pathwayMs.get(s.admission.pathway) ?? 0) + s.ms);
  const patientDays = patientDaysMs / DAY_MS;
  const alerts = snapshot.alerts;
  const kindOf = (a: AnalyticsAlert) => alertKind({ rule: a.rule, details: { technical: a.technical } });
  const rows = (counts: Map<string, number>, days: (key: string) => number): RateRow[] =>
    [...counts].map(([key, count]) => ({ key, count, perPatientDay: rate(count, days(key)) }));
  const wardDays = () => patientDays;

  const silences = alerts.filter((a) => kindOf(a) === 'silence');
  const resolvedByPerson = alerts.filter((a) => a.resolvedByPerson);
  const noAction = resolvedByPerson.filter((a) => a.outcome !== null && NO_ACTION_NEEDED_OUTCOMES.includes(a.outcome)).length;

  return {
    wardId: period.wardId,
    wardName: snapshot.wardName,
    from: from.toISOString(),
    to: to.toISOString(),
    generatedAt: period.now.toISOString(),
    readingSource: snapshot.readingSource,
    patientDays: round(patientDays, 2),
    patients: new Set(stays.filter((s) => s.ms > 0).map((s) => s.admission.patientId)).size,
    alerts: {
      total: alerts.length,
      perPatientDay: rate(alerts.length, patientDays),
      byKind: rows(countBy(alerts, kindOf, ['clinical', 'silence', 'technical']), wardDays),
      byRule: rows(sortedByCount(countBy(alerts, (a) => a.rule)), wardDays),
      bySeverity: rows(countBy(alerts, (a) => a.severity, ALERT_SEVERITY_BANDS), wardDays),
      byPathway: rows(
        countBy(alerts, (a) => a.pathway ?? 'unknown', PATHWAYS.filter((p) => pathwayMs.has(p))),
        (key) => (pathwayMs.get(key) ?? 0) / DAY_MS,
      ),
    },
    response: {
      acknowledge: durations(alerts.flatMap((a) => (a.firstResponseAt ? [a.firstResponseAt.getTime() - a.openedAt.getTime()] : []))),
      resolve: durations(alerts.flatMap((a) => (a.resolvedAt ? [a.resolvedAt.getTime() - a.openedAt.getTime()] : []))),
    },
    escalations: {
      alertsEscalated: alerts.filter((a) => a.escalatedByTimer + a.escalatedByPerson > 0).length,
      byTimer: alerts.reduce((sum, a) => sum + a.escalatedByTimer, 0),
      byPerson: alerts.reduce((sum, a) => sum + a.escalatedByPerson, 0),
    },
    resolutions: {
      resolvedByPerson: resolvedByPerson.length,
      noActionNeeded: noAction,
      noActionNeededShare: rate(noAction, resolvedByPerson.length),
      byOutcome: [...countBy(alerts.filter((a) => a.outcome !== null), (a) => a.outcome as string, ALERT_OUTCOMES)].map(([key, count]) => ({ key, count })),
    },
    adherence: adherence(snapshot, from, to),
    silence: { episodes: silences.length, byRule: rows(sortedByCount(countBy(silences, (a) => a.rule)), wardDays) },
    technicalByDeviceModel: deviceModelProblems(snapshot, alerts.filter((a) => kindOf(a) === 'technical')),
    definitions: ALERT_BURDEN_DEFINITIONS,
  };
}

function sortedByCount(counts: Map<string, number>): Map<string, number> {
  return new Map([...counts].sort(([ka, a], [kb, b]) => b - a || ka.localeCompare(kb)));
}

function durations(ms: readonly number[]): DurationSummary {
  const minutes = ms.map((m) => m / 60_000);
  return { count: minutes.length, p50Minutes: round(percentile(minutes, 0.5), 1), p90Minutes: round(percentile(minutes, 0.9), 1) };
}

/** Expected against received readings per admission and vital, summed by vital and by pathway. */
function adherence(snapshot: WardAnalyticsSnapshot, from: Date, to: Date): AlertBurdenReport['adherence'] {
  const received = new Map(snapshot.readingCounts.map((c) => [`${c.admissionId}|${c.vital}`, c.readings]));
  const cells: { admission: AnalyticsAdmission; vital: string; expected: number; received: number }[] = [];
  for (const admission of snapshot.admissions) {
    const hours = overlapMs(admission.admittedAt, admission.dischargedAt, from, to) / HOUR_MS;
    // The care plan as the engine reads it (libs/rules), so "expected" is what silence is judged against.
    const { expectedReadings } = mapCarePlan({ patientId: admission.patientId, pathway: admission.pathway, carePlan: admission.carePlan });
    for (const expected of expectedReadings) {
      cells.push({ admission, vital: expected.vital, expected: Math.floor(hours / expected.everyHours), received: received.get(`${admission.id}|${expected.vital}`) ?? 0 });
    }
  }
  const summarise = (key: string, of: typeof cells): AdherenceRow => {
    const expected = of.reduce((s, c) => s + c.expected, 0);
    const counted = of.reduce((s, c) => s + Math.min(c.expected, c.received), 0);
    return { key, expected, received: of.reduce((s, c) => s + c.received, 0), counted, adherence: rate(counted, expected) };
  };
  const group = (by: (c: (typeof cells)[number]) => string) => {
    const groups = new Map<string, typeof cells>();
    for (const c of cells) groups.set(by(c), [...(groups.get(by(c)) ?? []), c]);
    return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, of]) => summarise(key, of));
  };
  return { overall: summarise('all', cells), byVital: group((c) => c.vital), byPathway: group((c) => c.admission.pathway) };
}

function deviceModelProblems(snapshot: WardAnalyticsSnapshot, technical: readonly AnalyticsAlert[]): DeviceModelProblems[] {
  const groups = new Map<string, { model: string; deviceType: string; devices: Set<string>; rejected: number; rules: Map<string, number>; alerts: number }>();
  const groupOf = (model: string, deviceType: string) => {
    const key = `${deviceType}|${model}`;
    const existing = groups.get(key);
    if (existing) return existing;
    const created = { model, deviceType, devices: new Set<string>(), rejected: 0, rules: new Map<string, number>(), alerts: 0 };
    groups.set(key, created);
    return created;
  };
  const byId = new Map(snapshot.devices.map((d) => [d.id, d]));
  const modelOf = (d: { type: string; model: string | null }) => d.model ?? `${d.type} (model not recorded)`;
  for (const d of snapshot.devices) {
    const g = groupOf(modelOf(d), d.type);
    g.devices.add(d.id);
    g.rejected += d.rejectedMessages;
  }
  for (const a of technical) {
    const device = a.deviceId ? byId.get(a.deviceId) : undefined;
    const g = device ? groupOf(modelOf(device), device.type) : groupOf('no device (system)', 'system');
    g.alerts += 1;
    g.rules.set(a.rule, (g.rules.get(a.rule) ?? 0) + 1);
  }
  return [...groups.values()]
    .map((g) => ({
      model: g.model,
      deviceType: g.deviceType,
      devices: g.devices.size,
      technicalAlerts: g.alerts,
      byRule: [...g.rules].sort(([a], [b]) => a.localeCompare(b)).map(([rule, count]) => ({ rule, count })),
      rejectedMessages: g.rejected,
    }))
    .sort((a, b) => b.technicalAlerts - a.technicalAlerts || b.rejectedMessages - a.rejectedMessages || a.model.localeCompare(b.model));
}
