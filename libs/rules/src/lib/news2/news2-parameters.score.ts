import { roundToUnits } from '../shared/rounding';
import type { Acvpu, AirOrOxygen, News2MeasuredParameter, News2ParameterScore } from './news2.model';

/**
 * NEWS2 parameter scores, RCP 2017 chart 1 (tables in ../shared/CLINICAL.md).
 *
 * Between band edges: the chart lists respiration rate, SpO2, systolic BP and pulse in whole
 * numbers and temperature to one decimal, so a value is first rounded to that precision, half
 * away from zero, and the rounded value is read off the chart: RR 20.5 → 21 (scores 2),
 * SpO2 95.5 → 96 (scale 1: 0), SBP 90.4 → 90 (3), pulse 90.5 → 91 (1), temperature
 * 36.05 → 36.1 (0) and 38.04 → 38.0 (0). Rounding is decimal, on the value as written (see
 * roundToUnits), so 36.05 is never treated as 36.0499… .
 *
 * Each function takes a finite number; plausibility is checked by the callers (scoreNews2).
 */

/** Decimal places the chart reads each measured parameter at. */
export const NEWS2_CHART_DECIMALS: Readonly<Record<News2MeasuredParameter, number>> = {
  respiration_rate: 0,
  spo2: 0,
  systolic_bp: 0,
  heart_rate: 0,
  body_temperature: 1,
};

/** The value as the chart reads it: rounded half away from zero to the chart's precision. */
export function news2ChartValue(parameter: News2MeasuredParameter, value: number): number {
  const decimals = NEWS2_CHART_DECIMALS[parameter];
  return roundToUnits(value, decimals) / 10 ** decimals;
}

/** Respiration rate /min: ≤8 → 3, 9–11 → 1, 12–20 → 0, 21–24 → 2, ≥25 → 3. */
export function scoreRespirationRate(breathsPerMinute: number): News2ParameterScore {
  const rr = roundToUnits(breathsPerMinute, 0);
  if (rr <= 8) return 3;
  if (rr <= 11) return 1;
  if (rr <= 20) return 0;
  if (rr <= 24) return 2;
  return 3;
}

/** SpO2 scale 1 (%): ≤91 → 3, 92–93 → 2, 94–95 → 1, ≥96 → 0. Air or oxygen does not change it. */
export function scoreSpo2Scale1(percent: number): News2ParameterScore {
  const spo2 = roundToUnits(percent, 0);
  if (spo2 <= 91) return 3;
  if (spo2 <= 93) return 2;
  if (spo2 <= 95) return 1;
  return 0;
}

/**
 * SpO2 scale 2 (%), for hypercapnic respiratory failure (target 88–92 %): ≤83 → 3, 84–85 → 2,
 * 86–87 → 1, 88–92 → 0; from 93 it depends on oxygen: on air ≥93 → 0; on oxygen 93–94 → 1,
 * 95–96 → 2, ≥97 → 3 (over-oxygenation risks CO2 retention).
 */
export function scoreSpo2Scale2(percent: number, airOrOxygen: AirOrOxygen): News2ParameterScore {
  const spo2 = roundToUnits(percent, 0);
  if (spo2 <= 83) return 3;
  if (spo2 <= 85) return 2;
  if (spo2 <= 87) return 1;
  if (spo2 <= 92) return 0;
  if (airOrOxygen === 'air') return 0;
  if (spo2 <= 94) return 1;
  if (spo2 <= 96) return 2;
  return 3;
}

/** Air → 0; supplemental oxygen (any device, any flow) → 2. */
export function scoreAirOrOxygen(airOrOxygen: AirOrOxygen): News2ParameterScore {
  return airOrOxygen === 'oxygen' ? 2 : 0;
}

/** Systolic BP (mmHg): ≤90 → 3, 91–100 → 2, 101–110 → 1, 111–219 → 0, ≥220 → 3. */
export function scoreSystolicBp(mmHg: number): News2ParameterScore {
  const sbp = roundToUnits(mmHg, 0);
  if (sbp <= 90) return 3;
  if (sbp <= 100) return 2;
  if (sbp <= 110) return 1;
  if (sbp <= 219) return 0;
  return 3;
}

/** Pulse /min: ≤40 → 3, 41–50 → 1, 51–90 → 0, 91–110 → 1, 111–130 → 2, ≥131 → 3. */
export function scorePulse(beatsPerMinute: number): News2ParameterScore {
  const pulse = roundToUnits(beatsPerMinute, 0);
  if (pulse <= 40) return 3;
  if (pulse <= 50) return 1;
  if (pulse <= 90) return 0;
  if (pulse <= 110) return 1;
  if (pulse <= 130) return 2;
  return 3;
}

/** ACVPU: Alert → 0; new Confusion, Voice, Pain or Unresponsive → 3. */
export function scoreConsciousness(level: Acvpu): News2ParameterScore {
  return level === 'A' ? 0 : 3;
}

/**
 * Temperature (°C) to one decimal: ≤35.0 → 3, 35.1–36.0 → 1, 36.1–38.0 → 0, 38.1–39.0 → 1,
 * ≥39.1 → 2. Compared in tenths of a degree, so no edge depends on binary fractions.
 */
export function scoreTemperature(celsius: number): News2ParameterScore {
  const tenths = roundToUnits(celsius, 1);
  if (tenths <= 350) return 3;
  if (tenths <= 360) return 1;
  if (tenths <= 380) return 0;
  if (tenths <= 390) return 1;
  return 2;
}
