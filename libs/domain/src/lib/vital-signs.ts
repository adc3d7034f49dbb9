import type { CodedError } from './coded-error';

/**
 * The vital-sign catalogue. Codes come from ../shared/CLINICAL.md: LOINC (FHIR R4 vital-signs
 * profile), SNOMED CT (UK Core), UCUM units and IEEE 11073-10101 MDC codes (HL7 PHD IG).
 * A code marked "not recorded" is absent on purpose: CLINICAL.md gives none we have verified,
 * and an invented code in clinical data is worse than none.
 */
export const VITAL_KEYS = [
  'systolic_bp',
  'diastolic_bp',
  'mean_arterial_pressure',
  'heart_rate',
  'spo2',
  'respiration_rate',
  'body_temperature',
  'body_weight',
  'blood_glucose',
  'news2_score',
] as const;

export type VitalKey = (typeof VITAL_KEYS)[number];

export interface VitalSign {
  readonly key: VitalKey;
  readonly display: string;
  /** Primary LOINC code. */
  readonly loinc?: string;
  /** Further LOINC codes a FHIR Observation carries alongside the primary one. */
  readonly loincAlternates?: readonly string[];
  readonly snomed?: string;
  /** Canonical UCUM unit: every stored value is in this unit. */
  readonly unit: string;
  readonly mdc?: number;
  /**
   * Inclusive bounds of a value a living person can present with at home. Anything outside is a
   * device or typing error and is rejected, never stored as a reading.
   */
  readonly plausible: { readonly min: number; readonly max: number };
  /** Decimal places kept after unit conversion (finer than any device resolution we accept). */
  readonly precision: number;
  /**
   * Calculated by Homeward from other vitals (NEWS2): shown and exported, never taken as input,
   * since a submitted score would stand beside, or contradict, the one the rules compute.
   */
  readonly derived?: true;
}

export const BLOOD_PRESSURE_PANEL = {
  display: 'Blood pressure panel',
  loinc: '85354-9',
  snomed: '75367002',
  mdc: 150020, // MDC_PRESS_BLD_NONINV
} as const;

export const VITAL_SIGNS: Readonly<Record<VitalKey, VitalSign>> = {
  systolic_bp: {
    key: 'systolic_bp',
    display: 'Systolic blood pressure',
    loinc: '8480-6',
    snomed: '271649006',
    unit: 'mm[Hg]',
    mdc: 150021, // MDC_PRESS_BLD_NONINV_SYS
    plausible: { min: 40, max: 300 },
    precision: 1,
  },
  diastolic_bp: {
    key: 'diastolic_bp',
    display: 'Diastolic blood pressure',
    loinc: '8462-4',
    snomed: '271650006',
    unit: 'mm[Hg]',
    mdc: 150022, // MDC_PRESS_BLD_NONINV_DIA
    plausible: { min: 20, max: 200 },
    precision: 1,
  },
  mean_arterial_pressure: {
    key: 'mean_arterial_pressure',
    display: 'Mean arterial pressure',
    loinc: '8478-0',
    // SNOMED CT: not recorded in CLINICAL.md.
    unit: 'mm[Hg]',
    mdc: 150023, // MDC_PRESS_BLD_NONINV_MEAN
    plausible: { min: 25, max: 250 },
    precision: 1,
  },
  heart_rate: {
    key: 'heart_rate',
    display: 'Heart rate',
    loinc: '8867-4',
    snomed: '364075005',
    unit: '/min',
    mdc: 149546, // MDC_PULS_RATE_NONINV
    plausible: { min: 20, max: 300 },
    precision: 1,
  },
  spo2: {
    key: 'spo2',
    display: 'Oxygen saturation (SpO2)',
    loinc: '59408-5',
    loincAlternates: ['2708-6'],
    snomed: '431314004',
    unit: '%',
    mdc: 150456, // MDC_PULS_OXIM_SAT_O2
    plausible: { min: 40, max: 100 },
    precision: 1,
  },
  respiration_rate: {
    key: 'respiration_rate',
    display: 'Respiratory rate',
    loinc: '9279-1',
    snomed: '86290005',
    unit: '/min',
    mdc: 151562, // MDC_RESP_RATE
    plausible: { min: 2, max: 80 },
    precision: 1,
  },
  body_temperature: {
    key: 'body_temperature',
    display: 'Body temperature',
    loinc: '8310-5',
    snomed: '386725007',
    unit: 'Cel',
    mdc: 150364, // MDC_TEMP_BODY
    plausible: { min: 25, max: 45 },
    precision: 2,
  },
  body_weight: {
    key: 'body_weight',
    display: 'Body weight',
    loinc: '29463-7',
    snomed: '27113001',
    unit: 'kg',
    mdc: 188736, // MDC_MASS_BODY_ACTUAL
    plausible: { min: 2, max: 650 },
    precision: 3, // Weight Scale raw unit is 0.005 kg (GATT Weight Measurement)
  },
  blood_glucose: {
    key: 'blood_glucose',
    display: 'Capillary blood glucose',
    loinc: '14743-9', // mmol/L; 41653-7 is the mg/dL code, used only when a value is reported in mg/dL
    unit: 'mmol/L',
    mdc: 160184, // MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD
    plausible: { min: 0.5, max: 60 },
    precision: 2,
  },
  news2_score: {
    key: 'news2_score',
    display: 'NEWS2 total score',
    // LOINC: not recorded (CLINICAL.md marks it "check").
    snomed: '1104051000000101',
    unit: '{score}',
    plausible: { min: 0, max: 20 },
    precision: 0,
    derived: true,
  },
};

/** Why a submitted reading of `vital` is refused for being derived, or undefined when it may be submitted. */
export function derivedVitalProblem(vital: string): CodedError<'reading.derived'> | undefined {
  if (!isVitalKey(vital) || VITAL_SIGNS[vital].derived !== true) return undefined;
  return {
    code: 'reading.derived',
    message: `${VITAL_SIGNS[vital].display} is calculated by Homeward from the other readings; send those readings instead.`,
    details: { vital },
  };
}

export function isVitalKey(value: unknown): value is VitalKey {
  return typeof value === 'string' && (VITAL_KEYS as readonly string[]).includes(value);
}

/** Finds a vital by LOINC (primary or alternate), SNOMED CT or MDC code. */
export function findVitalByCode(code: string | number): VitalSign | undefined {
  const text = String(code);
  return Object.values(VITAL_SIGNS).find(
    (v) => v.loinc === text || v.loincAlternates?.includes(text) || v.snomed === text || String(v.mdc) === text,
  );
}
