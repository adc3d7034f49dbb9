import { UcumLhcUtils } from '@lhncbc/ucum-lhc';
import { type CodedError, type Result, fail, ok } from './coded-error';
import { VITAL_SIGNS, type VitalKey } from './vital-signs';

/**
 * The units each vital may arrive in, as UCUM codes. Conversion factors come from the UCUM
 * definitions through NLM's ucum-lhc, not from hand tables. Stone is here because UK patients
 * weigh themselves in it.
 */
const ACCEPTED_UNITS: Readonly<Record<VitalKey, readonly string[]>> = {
  systolic_bp: ['mm[Hg]', 'kPa'],
  diastolic_bp: ['mm[Hg]', 'kPa'],
  mean_arterial_pressure: ['mm[Hg]', 'kPa'],
  heart_rate: ['/min'],
  spo2: ['%'],
  respiration_rate: ['/min'],
  body_temperature: ['Cel', '[degF]'],
  body_weight: ['kg', 'g', '[lb_av]', '[stone_av]'],
  blood_glucose: ['mmol/L', 'mg/dL'],
  news2_score: ['{score}'],
};

/** Everyday spellings devices and people use, mapped to UCUM (which is case-sensitive). */
const UNIT_ALIASES: Readonly<Record<string, string>> = {
  mmhg: 'mm[Hg]',
  'mm hg': 'mm[Hg]',
  'mm[hg]': 'mm[Hg]',
  kpa: 'kPa',
  bpm: '/min',
  'beats/min': '/min',
  'breaths/min': '/min',
  '{beats}/min': '/min',
  '{breaths}/min': '/min',
  '1/min': '/min',
  '°c': 'Cel',
  degc: 'Cel',
  cel: 'Cel',
  '°f': '[degF]',
  degf: '[degF]',
  '[degf]': '[degF]',
  kg: 'kg',
  g: 'g',
  lb: '[lb_av]',
  lbs: '[lb_av]',
  '[lb_av]': '[lb_av]',
  st: '[stone_av]',
  '[stone_av]': '[stone_av]',
  'mmol/l': 'mmol/L',
  'mg/dl': 'mg/dL',
  '%': '%',
  '{score}': '{score}',
  '/min': '/min',
};

/** Molar mass of glucose (C6H12O6), g/mol, for UCUM's mass ↔ substance conversion. */
const GLUCOSE_MOLAR_MASS = 180.156;

export type UnitErrorCode = 'unit.unsupported' | 'unit.conversion-failed';

export function normaliseUnitCode(unit: string): string {
  const trimmed = unit.trim();
  return UNIT_ALIASES[trimmed.toLowerCase()] ?? trimmed;
}

export function acceptedUnits(vital: VitalKey): readonly string[] {
  return ACCEPTED_UNITS[vital];
}

/**
 * Rounds half away from zero in decimal, not binary: 1.005 → 1.01 (a plain Math.round(x * 100)
 * gives 1.00, because 1.005 is stored as 1.00499…).
 */
export function roundTo(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return value;
  // Decimal shifting needs a plain digit string; far outside any vital's range, binary is fine.
  if (Math.abs(value) >= 1e15 || (value !== 0 && Math.abs(value) < 1e-6)) return Math.round(value * 10 ** decimals) / 10 ** decimals;
  const shifted = Math.round(Math.abs(Number(`${Math.abs(value)}e${decimals}`)));
  return Math.sign(value) * Number(`${shifted}e-${decimals}`);
}

/**
 * Converts a value of a vital into its canonical unit (VITAL_SIGNS[vital].unit), rounded to the
 * vital's precision.
 */
export function toCanonicalUnit(
  vital: VitalKey,
  value: number,
  unit: string,
): Result<{ value: number; unit: string }, CodedError<UnitErrorCode>> {
  const sign = VITAL_SIGNS[vital];
  const from = normaliseUnitCode(unit);
  if (!ACCEPTED_UNITS[vital].includes(from)) {
    return fail('unit.unsupported', `${sign.display} cannot be given in "${unit}"; use ${ACCEPTED_UNITS[vital].join(', ')}.`, {
      vital,
      unit,
      accepted: ACCEPTED_UNITS[vital],
    });
  }
  if (from === sign.unit) return ok({ value: roundTo(value, sign.precision), unit: sign.unit });
  const converted = ucum().convertUnitTo(from, value, sign.unit, {
    molecularWeight: vital === 'blood_glucose' ? GLUCOSE_MOLAR_MASS : null,
  });
  if (converted.status !== 'succeeded' || converted.toVal === null || !Number.isFinite(converted.toVal)) {
    return fail('unit.conversion-failed', `Could not convert ${value} ${from} to ${sign.unit}.`, {
      vital,
      unit,
      reasons: converted.msg,
    });
  }
  return ok({ value: roundTo(converted.toVal, sign.precision), unit: sign.unit });
}

let instance: UcumLhcUtils | undefined;
function ucum(): UcumLhcUtils {
  instance ??= UcumLhcUtils.getInstance();
  return instance;
}
