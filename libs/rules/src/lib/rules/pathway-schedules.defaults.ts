import type { Pathway } from '@homeward/domain';
import type { AlertSeverity } from '../model/alert-candidate.model';
import type { ExpectedReading } from '../model/care-plan.model';

/**
 * Severity of silence (patient silent, device unused) by pathway: medium on the high-risk
 * pathways, which are admissions for an acute problem that can worsen within a day (CLINICAL.md,
 * "Severity at home": medium by default, configurable), low on frailty and general monitoring.
 */
export const PATHWAY_SILENCE_SEVERITY: Readonly<Record<Pathway, AlertSeverity>> = {
  'heart-failure': 'medium',
  copd: 'medium',
  'acute-respiratory-infection': 'medium',
  frailty: 'low',
  general: 'low',
};

/**
 * Grace after an expected time before a reading counts as missing: 4 hours for a daily reading
 * (taken "in the morning", not at one minute). Readings due two or three times a day are taken
 * while the patient is awake, so the longest ordinary gap is the night (20:00 → 08:00, or 18:00 →
 * 08:00: up to 14 h), not the daytime interval: such a reading counts as missing once
 * OVERNIGHT_GAP_HOURS have passed since the last one. Without this every patient on a
 * three-times-daily schedule would be "silent" every night (found by a demo replay). A skipped
 * daytime reading is then not an alert on its own; a skipped day is.
 */
const DAILY_GRACE_HOURS = 4;
const OVERNIGHT_GAP_HOURS = 16;

function every(hours: number, vitals: readonly ExpectedReading['vital'][], pathway: Pathway): ExpectedReading[] {
  const graceHours = hours >= 24 ? DAILY_GRACE_HOURS : Math.max(2, OVERNIGHT_GAP_HOURS - hours);
  return vitals.map((vital) => ({ vital, everyHours: hours, graceHours, severity: PATHWAY_SILENCE_SEVERITY[pathway] }));
}

/**
 * Expected readings by pathway, used when a care plan lists none (../shared/CLINICAL.md table,
 * marked *check* against local pathways; each is configurable per patient):
 * - heart failure: weight and BP with pulse daily (morning, after voiding, before breakfast; ESC
 *   heart-failure patient guidance on daily weighing);
 * - COPD: SpO2 and pulse twice daily, temperature daily;
 * - acute respiratory infection: SpO2, pulse and temperature three times daily (NHS England
 *   COVID oximetry @home: three readings a day); RR only if the patient can count it, so not expected;
 * - frailty and general: BP, pulse, SpO2 and temperature daily.
 */
export const PATHWAY_SCHEDULES: Readonly<Record<Pathway, readonly ExpectedReading[]>> = {
  'heart-failure': every(24, ['body_weight', 'systolic_bp', 'heart_rate'], 'heart-failure'),
  copd: [...every(12, ['spo2', 'heart_rate'], 'copd'), ...every(24, ['body_temperature'], 'copd')],
  'acute-respiratory-infection': every(8, ['spo2', 'heart_rate', 'body_temperature'], 'acute-respiratory-infection'),
  frailty: every(24, ['systolic_bp', 'heart_rate', 'spo2', 'body_temperature'], 'frailty'),
  general: every(24, ['systolic_bp', 'heart_rate', 'spo2', 'body_temperature'], 'general'),
};

export function pathwaySchedule(pathway: Pathway): readonly ExpectedReading[] {
  return PATHWAY_SCHEDULES[pathway];
}
