/**
 * Fixed y-axis ranges per vital, so a chart's slope means the same thing for every patient: a
 * 1 % change in SpO2 is a small step on 80–100 %, not a cliff on an auto-scaled 95–96 %. A range
 * extends only as far as the data or a drawn limit need. Weight has no clinical range: it is
 * shown as the patient's own ±3 kg around their readings.
 */
export const CLINICAL_Y_RANGES: Readonly<Record<string, { readonly min: number; readonly max: number }>> = {
  spo2: { min: 80, max: 100 },
  heart_rate: { min: 30, max: 160 },
  systolic_bp: { min: 70, max: 220 },
  diastolic_bp: { min: 40, max: 130 },
  mean_arterial_pressure: { min: 50, max: 160 },
  respiration_rate: { min: 5, max: 35 },
  body_temperature: { min: 34, max: 41 },
  blood_glucose: { min: 2, max: 20 },
};

export function clinicalYRange(vital: string, values: readonly number[]): { min: number; max: number } | undefined {
  const fixed = CLINICAL_Y_RANGES[vital];
  if (values.length === 0) return fixed;
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (!fixed) return { min: Math.floor(low - 3), max: Math.ceil(high + 3) };
  const pad = (fixed.max - fixed.min) * 0.05;
  return { min: low < fixed.min ? Math.floor(low - pad) : fixed.min, max: high > fixed.max ? Math.ceil(high + pad) : fixed.max };
}
