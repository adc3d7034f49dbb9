import type { VitalKey } from '@homeward/domain';
import { roundHalfAwayFromZero } from './rounding';

/**
 * Decimal places a rule compares a vital at. The NEWS2 chart (RCP 2017) bands respiration rate,
 * SpO2, systolic BP and pulse in whole numbers and temperature to one decimal; a threshold rule
 * uses the same precision so it never disagrees with NEWS2 about which side of an edge a value is.
 */
export const COMPARISON_DECIMALS: Readonly<Record<VitalKey, number>> = {
  systolic_bp: 0,
  diastolic_bp: 0,
  mean_arterial_pressure: 0,
  heart_rate: 0,
  spo2: 0,
  respiration_rate: 0,
  body_temperature: 1,
  body_weight: 1,
  blood_glucose: 1,
  news2_score: 0,
};

/** How a nurse reads each vital: everyday names and units, not UCUM codes. */
export const VITAL_LABELS: Readonly<Record<VitalKey, { readonly name: string; readonly unit: string }>> = {
  systolic_bp: { name: 'Systolic BP', unit: 'mmHg' },
  diastolic_bp: { name: 'Diastolic BP', unit: 'mmHg' },
  mean_arterial_pressure: { name: 'Mean arterial pressure', unit: 'mmHg' },
  heart_rate: { name: 'Heart rate', unit: '/min' },
  spo2: { name: 'SpO2', unit: '%' },
  respiration_rate: { name: 'Respiratory rate', unit: '/min' },
  body_temperature: { name: 'Temperature', unit: '°C' },
  body_weight: { name: 'Weight', unit: 'kg' },
  blood_glucose: { name: 'Blood glucose', unit: 'mmol/L' },
  news2_score: { name: 'NEWS2', unit: '' },
};

/** A number with at most `maxDecimals` places and no trailing zeros: 94 → "94", 94.25 → "94.3". */
export function formatNumber(value: number, maxDecimals = 1): string {
  return String(roundHalfAwayFromZero(value, maxDecimals));
}

/** A value with its unit, at the vital's comparison precision: "91 %", "38.2 °C". */
export function formatVitalValue(vital: VitalKey, value: number): string {
  const { unit } = VITAL_LABELS[vital];
  const text = formatNumber(value, COMPARISON_DECIMALS[vital]);
  return unit === '' ? text : `${text} ${unit}`;
}

/** A calendar date in ISO form (UTC), for review dates and the like: "2026-03-01". */
export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A span of time in the largest unit that reads naturally: "3 days", "1.5 days", "20 hours". */
export function formatDuration(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 36) {
    const h = formatNumber(hours, hours < 10 ? 1 : 0);
    return `${h} ${h === '1' ? 'hour' : 'hours'}`;
  }
  const d = formatNumber(hours / 24, 1);
  return `${d} days`;
}
