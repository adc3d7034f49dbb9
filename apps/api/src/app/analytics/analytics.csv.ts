import type { AlertBurdenReport, WardOutcomesReport } from '@homeward/contracts';
import { DISCHARGE_OUTCOME_COLUMNS } from './ward-outcomes.report';

type Cell = string | number | null;

/** RFC 4180: comma-separated, CRLF, a field quoted when it holds a comma, quote or line break. */
export function toCsv(rows: readonly (readonly Cell[])[]): string {
  const cell = (value: Cell) => {
    const text = value === null ? '' : String(value);
    // A leading =, +, - or @ would run as a formula in a spreadsheet (CSV injection): quote it with a leading apostrophe.
    const safe = /^[=+\-@]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** The alert-burden report as long rows: section, key, measure, value. */
export function alertBurdenCsv(report: AlertBurdenReport): string {
  const rows: Cell[][] = [['section', 'key', 'measure', 'value']];
  const add = (section: string, key: string, measure: string, value: Cell) => rows.push([section, key, measure, value]);
  add('ward', report.wardName, 'from', report.from);
  add('ward', report.wardName, 'to', report.to);
  add('ward', report.wardName, 'patient_days', report.patientDays);
  add('ward', report.wardName, 'patients', report.patients);
  add('alerts', 'all', 'count', report.alerts.total);
  add('alerts', 'all', 'per_patient_day', report.alerts.perPatientDay);
  for (const [section, list] of [
    ['alerts_by_kind', report.alerts.byKind],
    ['alerts_by_rule', report.alerts.byRule],
    ['alerts_by_severity', report.alerts.bySeverity],
    ['alerts_by_pathway', report.alerts.byPathway],
    ['silence_by_rule', report.silence.byRule],
  ] as const) {
    for (const row of list) {
      add(section, row.key, 'count', row.count);
      add(section, row.key, 'per_patient_day', row.perPatientDay);
    }
  }
  for (const [step, summary] of Object.entries(report.response)) {
    add('response', step, 'alerts', summary.count);
    add('response', step, 'p50_minutes', summary.p50Minutes);
    add('response', step, 'p90_minutes', summary.p90Minutes);
  }
  add('escalations', 'all', 'alerts_escalated', report.escalations.alertsEscalated);
  add('escalations', 'timer', 'count', report.escalations.byTimer);
  add('escalations', 'person', 'count', report.escalations.byPerson);
  add('resolutions', 'by_person', 'count', report.resolutions.resolvedByPerson);
  add('resolutions', 'no_action_needed', 'count', report.resolutions.noActionNeeded);
  add('resolutions', 'no_action_needed', 'share', report.resolutions.noActionNeededShare);
  for (const o of report.resolutions.byOutcome) add('resolutions_by_outcome', o.key, 'count', o.count);
  for (const row of [report.adherence.overall, ...report.adherence.byVital.map((r) => ({ ...r, key: `vital:${r.key}` })), ...report.adherence.byPathway.map((r) => ({ ...r, key: `pathway:${r.key}` }))]) {
    add('adherence', row.key, 'expected', row.expected);
    add('adherence', row.key, 'received', row.received);
    add('adherence', row.key, 'adherence', row.adherence);
  }
  add('silence', 'all', 'episodes', report.silence.episodes);
  for (const m of report.technicalByDeviceModel) {
    const key = `${m.deviceType}:${m.model}`;
    add('technical_by_device_model', key, 'devices', m.devices);
    add('technical_by_device_model', key, 'technical_alerts', m.technicalAlerts);
    add('technical_by_device_model', key, 'rejected_messages', m.rejectedMessages);
    for (const r of m.byRule) add('technical_by_device_model', key, `alerts:${r.rule}`, r.count);
  }
  return toCsv(rows);
}

/** One row per month. */
export function wardOutcomesCsv(report: WardOutcomesReport): string {
  const header = [
    'month',
    'patient_days',
    'admissions',
    'discharges',
    ...DISCHARGE_OUTCOME_COLUMNS.map((c) => `discharged_${c.replace(/-/g, '_')}`),
    'escalations_hospital_or_urgent_care',
    'escalations_gp',
    'length_of_stay_discharges',
    'length_of_stay_mean_days',
    'length_of_stay_median_days',
    'readmissions_within_30_days',
  ];
  return toCsv([
    header,
    ...report.months.map((m) => [
      m.month,
      m.patientDays,
      m.admissions,
      m.discharges,
      ...DISCHARGE_OUTCOME_COLUMNS.map((c) => m.dischargeOutcomes[c]),
      m.escalationsToHospitalOrUrgentCare,
      m.escalationsToGp,
      m.lengthOfStay.discharges,
      m.lengthOfStay.meanDays,
      m.lengthOfStay.medianDays,
      m.readmissionsWithin30Days,
    ]),
  ]);
}
