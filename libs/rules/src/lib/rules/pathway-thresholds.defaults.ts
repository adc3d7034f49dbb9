import type { Pathway } from '@homeward/domain';
import type { VitalThreshold } from '../model/care-plan.model';
import type { Spo2Scale } from '../news2/news2.model';

/**
 * Default per-vital alert limits by pathway. Starting points for each ward's clinical safety
 * officer to confirm; a clinician replaces them per patient with a ThresholdOverride.
 *
 * Severity follows physiology, not the pathway (../shared/CLINICAL.md, "Severity at home"):
 * - every pathway alerts on the NEWS2 red values (RCP 2017 chart 1: a value scoring 3 on its own)
 *   at top severity, high. SpO2 follows the patient's scale: ≤ 91 % on scale 1, ≤ 83 % on scale 2
 *   (target 88–92 %, set by a clinician);
 * - every pathway has temperature (fever ≥ 38.1 °C, high fever ≥ 39.1 °C, hypothermia ≤ 35.0 °C:
 *   the NEWS2 temperature bands, CLINICAL.md) and pulse limits;
 * - a pathway adds limits for the vitals it measures (pathway-schedules.defaults.ts). Those alert
 *   earlier than NEWS2 would ("a crossed limit is at least low") but stay below the urgency bands
 *   (medium, high), which only physiology sets: so the same value never gets a more urgent band
 *   on one pathway than a worse value on another (home-severity.monotonicity.spec.ts). An
 *   amber value scoring 2 in NEWS2 is low-medium, one scoring 1 (or none) is low.
 *
 * Heart failure's own trend rule is weight gain (weight-gain.rule.ts, ESC: > 2 kg in 3 days).
 */
export function pathwayThresholds(pathway: Pathway, spo2Scale: Spo2Scale): readonly VitalThreshold[] {
  return [...RED_VALUES, ...(spo2Scale === 2 ? SPO2_SCALE_2_RED : SPO2_SCALE_1_RED), ...TEMPERATURE, ...PULSE, ...PATHWAY_LIMITS[pathway](spo2Scale)];
}

const RED_ACTION =
  'This value scores 3 in NEWS2 on its own, top severity at home: contact the patient now, repeat the reading, assess them and inform the clinician responsible, who decides whether to escalate.';

const RED_VALUES: readonly VitalThreshold[] = [
  { vital: 'respiration_rate', direction: 'at-or-below', value: 8, severity: 'high', action: RED_ACTION },
  { vital: 'respiration_rate', direction: 'at-or-above', value: 25, severity: 'high', action: RED_ACTION },
  { vital: 'systolic_bp', direction: 'at-or-below', value: 90, severity: 'high', action: RED_ACTION },
  { vital: 'systolic_bp', direction: 'at-or-above', value: 220, severity: 'high', action: RED_ACTION },
];

const SPO2_SCALE_1_RED: readonly VitalThreshold[] = [{ vital: 'spo2', direction: 'at-or-below', value: 91, severity: 'high', action: RED_ACTION }];

const SPO2_SCALE_2_RED: readonly VitalThreshold[] = [{ vital: 'spo2', direction: 'at-or-below', value: 83, severity: 'high', action: RED_ACTION }];

/** NEWS2 temperature bands (RCP 2017 chart 1; CLINICAL.md "Pathway defaults"), on every pathway. */
const TEMPERATURE: readonly VitalThreshold[] = [
  {
    vital: 'body_temperature',
    direction: 'at-or-above',
    value: 38.1,
    severity: 'low',
    action: 'Fever: ask about cough, breathlessness, urine and wounds, and check the other vital signs; repeat the temperature in 4 hours.',
  },
  {
    vital: 'body_temperature',
    direction: 'at-or-above',
    value: 39.1,
    severity: 'low-medium',
    action: 'High fever: assess the patient today for a source of infection and for sepsis (NICE NG51), with a full set of observations.',
  },
  { vital: 'body_temperature', direction: 'at-or-below', value: 35.0, severity: 'high', action: `Hypothermia. ${RED_ACTION}` },
];

/** Pulse on every pathway: the NEWS2 red values, and tachycardia scoring 2 (111–130 /min). */
const PULSE: readonly VitalThreshold[] = [
  { vital: 'heart_rate', direction: 'at-or-below', value: 40, severity: 'high', action: RED_ACTION },
  { vital: 'heart_rate', direction: 'at-or-above', value: 131, severity: 'high', action: RED_ACTION },
  {
    vital: 'heart_rate',
    direction: 'at-or-above',
    value: 111,
    severity: 'low-medium',
    action: 'Tachycardia (NEWS2 2 points): repeat at rest, ask about palpitations, breathlessness and fever, and check the other vital signs.',
  },
];

/** Blood pressure for pathways that measure it. */
const BLOOD_PRESSURE: readonly VitalThreshold[] = [
  {
    vital: 'systolic_bp',
    direction: 'at-or-below',
    value: 100,
    severity: 'low-medium',
    // NEWS2 91–100 scores 2; in heart failure symptomatic hypotension limits vasodilator and diuretic doses (ESC 2021 HF guideline).
    action: 'Low blood pressure (NEWS2 2 points): ask about dizziness and falls, and review fluid and blood-pressure medicines with the clinician responsible.',
  },
  {
    vital: 'systolic_bp',
    direction: 'at-or-above',
    value: 180,
    severity: 'low',
    // NICE NG136: clinic blood pressure of 180/120 mmHg or more is severe hypertension, to be assessed the same day when with symptoms.
    action: 'Severe hypertension (NICE NG136, 180/120 mmHg): repeat after 5 minutes seated, ask about headache, chest pain and vision, and tell the clinician responsible.',
  },
  {
    vital: 'diastolic_bp',
    direction: 'at-or-above',
    value: 120,
    severity: 'low',
    action: 'Severe hypertension (NICE NG136, 180/120 mmHg): repeat after 5 minutes seated, ask about headache, chest pain and vision, and tell the clinician responsible.',
  },
];

/** SpO2 scale 1 below the usual target of 94–98 % (BTS 2017 oxygen guideline): NEWS2 2 points at 92–93 %. */
const SPO2_BELOW_TARGET: readonly VitalThreshold[] = [
  {
    vital: 'spo2',
    direction: 'at-or-below',
    value: 93,
    severity: 'low',
    action: 'SpO2 below the usual target of 94–98 % (BTS): repeat at rest with a warm hand, and ask about breathlessness, cough and fever.',
  },
];

/** Scale 2 (target 88–92 %, BTS 2017; a clinician's decision): below target scores 1 (86–87 %) or 2 (84–85 %). */
const SPO2_SCALE_2_BELOW_TARGET: readonly VitalThreshold[] = [
  {
    vital: 'spo2',
    direction: 'at-or-below',
    value: 87,
    severity: 'low',
    action: "SpO2 below this patient's scale-2 target of 88–92 %: repeat at rest, and ask about breathlessness, sputum and drowsiness.",
  },
  {
    vital: 'spo2',
    direction: 'at-or-below',
    value: 85,
    severity: 'low-medium',
    action: "SpO2 well below this patient's scale-2 target of 88–92 % (NEWS2 2 points): assess the patient today, with the COPD team's plan at hand.",
  },
];

/**
 * NHS England COVID/acute respiratory infection oximetry bands (CLINICAL.md, *check*): ≥ 95 %
 * normal, 93–94 % moderate, ≤ 92 % severe (consider admission). Low and low-medium here because
 * at 91 % the red value (high) takes over and 92 % with any other abnormal sign reaches NEWS2 5.
 */
const SPO2_ACUTE_RESPIRATORY_INFECTION: readonly VitalThreshold[] = [
  {
    vital: 'spo2',
    direction: 'at-or-below',
    value: 94,
    severity: 'low',
    action: 'Moderate range for an acute respiratory infection (93–94 %): repeat the reading at rest and arrange clinical review today.',
  },
  {
    vital: 'spo2',
    direction: 'at-or-below',
    value: 92,
    severity: 'low-medium',
    action: 'Severe range for an acute respiratory infection (92 % or less): repeat the reading at rest and, if confirmed, arrange urgent assessment and consider admission.',
  },
];

/** Respiration rate 21–24 scores 2 (RCP 2017): counted by patients who can, on the infection pathway. */
const RESPIRATION_RAISED: readonly VitalThreshold[] = [
  {
    vital: 'respiration_rate',
    direction: 'at-or-above',
    value: 21,
    severity: 'low-medium',
    action: 'Breathing faster than usual (NEWS2 2 points): ask the patient to count again at rest and check SpO2 and temperature.',
  },
];

const PATHWAY_LIMITS: Readonly<Record<Pathway, (spo2Scale: Spo2Scale) => readonly VitalThreshold[]>> = {
  // Weight (the weight-gain rule), BP and pulse (CLINICAL.md schedule).
  'heart-failure': () => BLOOD_PRESSURE,
  // SpO2 and pulse twice daily, temperature daily; most COPD patients on a virtual ward are on scale 1.
  copd: (scale) => (scale === 2 ? SPO2_SCALE_2_BELOW_TARGET : SPO2_BELOW_TARGET),
  // SpO2, pulse and temperature three times daily, RR if the patient can count it.
  'acute-respiratory-infection': (scale) => [...(scale === 2 ? SPO2_SCALE_2_BELOW_TARGET : SPO2_ACUTE_RESPIRATORY_INFECTION), ...RESPIRATION_RAISED],
  // BP, pulse, SpO2 and temperature daily.
  frailty: (scale) => [...BLOOD_PRESSURE, ...(scale === 2 ? SPO2_SCALE_2_BELOW_TARGET : SPO2_BELOW_TARGET)],
  general: (scale) => [...BLOOD_PRESSURE, ...(scale === 2 ? SPO2_SCALE_2_BELOW_TARGET : SPO2_BELOW_TARGET)],
};
