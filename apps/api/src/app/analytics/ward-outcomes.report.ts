import type { AnalyticsDefinition, DischargeOutcomeColumn, WardOutcomeMonth, WardOutcomesReport } from '@homeward/contracts';
import { DISCHARGE_OUTCOMES } from '@homeward/domain';
import type { AnalyticsAdmission, WardAnalyticsSnapshot } from '@homeward/storage';
import { DAY_MS, mean, monthsOf, overlapMs, percentile, round } from './analytics-figures';
import type { ReportPeriod } from './alert-burden.report';

export const READMISSION_WINDOW_DAYS = 30;
/** Alert outcomes that sent the patient to hospital or urgent care (999, a hospital ward), and to the GP. */
export const HOSPITAL_ESCALATION_OUTCOMES: readonly string[] = ['escalated-to-999', 'escalated-to-ward'];
export const GP_ESCALATION_OUTCOMES: readonly string[] = ['escalated-to-gp'];

export const DISCHARGE_OUTCOME_COLUMNS: readonly DischargeOutcomeColumn[] = [...DISCHARGE_OUTCOMES, 'not-recorded'];

export const WARD_OUTCOMES_DEFINITIONS: readonly AnalyticsDefinition[] = [
  { term: 'Month', meaning: 'A calendar month in UTC, cut to the period asked for (and at the moment the report was made).' },
  { term: 'Patient-days', meaning: 'Hours each patient spent on the ward in the month, divided by 24.' },
  { term: 'Admissions', meaning: 'Admissions to the ward starting in the month, transfers in from another virtual ward included.' },
  { term: 'Discharges', meaning: 'Admissions to the ward ending in the month, by where the patient went as recorded at discharge: home, hospital admission, death, transferred (to another virtual ward), other; "not recorded" for discharges made without an outcome.' },
  { term: 'Escalations to hospital or urgent care', meaning: 'Alerts resolved in the month with the outcome "escalated to 999" or "escalated to a hospital ward"; escalations to the GP are counted apart.' },
  { term: 'Length of stay', meaning: 'Days from admission to discharge, for the discharges of the month (mean and median).' },
  { term: 'Readmissions within 30 days', meaning: "Admissions in the month of a patient discharged from this ward at most 30 days before, unless that discharge was a transfer or the patient's previous stay had not ended." },
];

export function wardOutcomesReport(snapshot: WardAnalyticsSnapshot, period: ReportPeriod): WardOutcomesReport {
  const months = monthsOf(period.from, period.to).map((m) => outcomeMonth(m.month, m.from, m.to, snapshot));
  return {
    wardId: period.wardId,
    wardName: snapshot.wardName,
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    generatedAt: period.now.toISOString(),
    months,
    definitions: WARD_OUTCOMES_DEFINITIONS,
  };
}

const within = (at: Date | null, from: Date, to: Date): at is Date => at !== null && at >= from && at < to;

function outcomeMonth(month: string, from: Date, to: Date, snapshot: WardAnalyticsSnapshot): WardOutcomeMonth {
  const admissions = snapshot.admissions;
  const discharged = admissions.filter((a) => within(a.dischargedAt, from, to));
  const dischargeOutcomes = Object.fromEntries(DISCHARGE_OUTCOME_COLUMNS.map((c) => [c, 0])) as Record<DischargeOutcomeColumn, number>;
  for (const a of discharged) dischargeOutcomes[a.dischargeOutcome ?? 'not-recorded'] += 1;
  const resolved = snapshot.resolvedByMonth.filter((r) => r.month === month);
  const escalations = (outcomes: readonly string[]) => resolved.filter((r) => outcomes.includes(r.outcome)).reduce((s, r) => s + r.alerts, 0);
  const stays = discharged.map((a) => ((a.dischargedAt as Date).getTime() - a.admittedAt.getTime()) / DAY_MS);
  return {
    month,
    patientDays: round(admissions.reduce((s, a) => s + overlapMs(a.admittedAt, a.dischargedAt, from, to), 0) / DAY_MS, 2),
    admissions: admissions.filter((a) => within(a.admittedAt, from, to)).length,
    discharges: discharged.length,
    dischargeOutcomes,
    escalationsToHospitalOrUrgentCare: escalations(HOSPITAL_ESCALATION_OUTCOMES),
    escalationsToGp: escalations(GP_ESCALATION_OUTCOMES),
    lengthOfStay: { discharges: stays.length, meanDays: round(mean(stays), 1), medianDays: round(percentile(stays, 0.5), 1) },
    readmissionsWithin30Days: admissions.filter((a) => within(a.admittedAt, from, to) && isReadmission(a)).length,
  };
}

export function isReadmission(admission: AnalyticsAdmission): boolean {
  const previous = admission.previousDischargeAt;
  if (previous === null || admission.previousDischargeOutcome === 'transferred') return false;
  return admission.admittedAt.getTime() - previous.getTime() <= READMISSION_WINDOW_DAYS * DAY_MS;
}
