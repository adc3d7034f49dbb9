import { VITAL_SIGNS, type VitalKey } from '@homeward/domain';

/** The vitals a chart or table shows, in the order a nurse reads them (NEWS2 order first). */
export const CHARTED_VITALS: readonly VitalKey[] = ['respiration_rate', 'spo2', 'systolic_bp', 'diastolic_bp', 'heart_rate', 'body_temperature', 'body_weight', 'blood_glucose'];

export function vitalName(vital: string): string {
  return vital in VITAL_SIGNS ? VITAL_SIGNS[vital as VitalKey].display : vital.replace(/_/g, ' ');
}

export function canonicalUnit(vital: string): string {
  return vital in VITAL_SIGNS ? VITAL_SIGNS[vital as VitalKey].unit : '';
}

export interface EntryField {
  readonly vital: VitalKey;
  readonly label: string;
  /** Units a person may type it in (UCUM codes the API accepts); the first is the default. */
  readonly units: readonly string[];
  readonly optional?: boolean;
  readonly hint?: string;
}

export interface EntryGroup {
  readonly id: string;
  readonly title: string;
  readonly fields: readonly EntryField[];
}

/** What a patient measures at home, as they would name it; one form section each. */
export const ENTRY_GROUPS: readonly EntryGroup[] = [
  {
    id: 'blood-pressure',
    title: 'Blood pressure',
    fields: [
      { vital: 'systolic_bp', label: 'Systolic (top number)', units: ['mm[Hg]'] },
      { vital: 'diastolic_bp', label: 'Diastolic (bottom number)', units: ['mm[Hg]'] },
      { vital: 'heart_rate', label: 'Pulse', units: ['/min'], optional: true, hint: 'Beats per minute, if the cuff shows it' },
    ],
  },
  {
    id: 'oxygen',
    title: 'Oxygen level',
    fields: [
      { vital: 'spo2', label: 'Oxygen saturation (SpO2)', units: ['%'], hint: 'The number marked SpO2 on the finger clip' },
      { vital: 'heart_rate', label: 'Pulse', units: ['/min'], optional: true, hint: 'Beats per minute (PR or ♥ on the clip)' },
    ],
  },
  { id: 'temperature', title: 'Temperature', fields: [{ vital: 'body_temperature', label: 'Temperature', units: ['Cel', '[degF]'] }] },
  { id: 'weight', title: 'Weight', fields: [{ vital: 'body_weight', label: 'Weight', units: ['kg', '[stone_av]', '[lb_av]'], hint: 'Weigh yourself at the same time each morning' }] },
  { id: 'glucose', title: 'Blood sugar', fields: [{ vital: 'blood_glucose', label: 'Blood glucose', units: ['mmol/L', 'mg/dL'] }] },
  { id: 'breathing', title: 'Breathing rate', fields: [{ vital: 'respiration_rate', label: 'Breaths in one minute', units: ['/min'] }] },
];
