/**
 * The fields of the no-JavaScript reading form (issue 22): plain words, the unit in the label, and
 * how to measure in two or three short sentences. Values are typed as people write them ("37,2"
 * is 37.2); what is out of range is for the ingest pipeline to say, as for any other entry.
 */
export interface EntryFormField {
  readonly name: string;
  readonly vital: string;
  readonly unit: string;
  readonly label: string;
  readonly example: string;
  readonly how: string;
}

export const ENTRY_FORM_FIELDS: readonly EntryFormField[] = [
  {
    name: 'spo2',
    vital: 'spo2',
    unit: '%',
    label: 'Oxygen level (SpO2), in %',
    example: '96',
    how: 'Rest sitting down for 5 minutes. Put the clip on a warm finger with no nail varnish. When the number stays the same for 10 seconds, write the number marked SpO2.',
  },
  { name: 'heart_rate', vital: 'heart_rate', unit: '/min', label: 'Pulse, in beats a minute', example: '72', how: 'Use the number marked PR or ♥ on the finger clip or the blood pressure monitor.' },
  {
    name: 'systolic_bp',
    vital: 'systolic_bp',
    unit: 'mm[Hg]',
    label: 'Blood pressure: top number',
    example: '128',
    how: 'Sit with your back supported and your arm resting at the height of your heart for 5 minutes. Put the cuff on your bare upper arm and do not talk while it measures. Write the top (bigger) number.',
  },
  { name: 'diastolic_bp', vital: 'diastolic_bp', unit: 'mm[Hg]', label: 'Blood pressure: bottom number', example: '82', how: 'The bottom (smaller) number of the same measurement.' },
  {
    name: 'body_temperature',
    vital: 'body_temperature',
    unit: 'Cel',
    label: 'Temperature, in °C',
    example: '37.2',
    how: 'Do not eat, drink or smoke for 15 minutes before. Use the thermometer as its leaflet says.',
  },
  { name: 'respiration_rate', vital: 'respiration_rate', unit: '/min', label: 'Breaths in one minute', example: '16', how: 'Sit quietly. Count each time your chest rises, for one whole minute by a clock.' },
  { name: 'body_weight', vital: 'body_weight', unit: 'kg', label: 'Weight, in kg', example: '81.2', how: 'Weigh yourself each morning after going to the toilet and before breakfast, in similar clothes.' },
  { name: 'blood_glucose', vital: 'blood_glucose', unit: 'mmol/L', label: 'Blood sugar, in mmol/L', example: '6.1', how: 'Wash and dry your hands first. Use the meter as your nurse showed you.' },
];

export interface ParsedEntry {
  /** What the person typed, to show again with the errors. */
  readonly values: Readonly<Record<string, string>>;
  readonly readings: ReadonlyArray<{ readonly field: EntryFormField; readonly value: number }>;
  /** Problems by field name ('' for the form as a whole). */
  readonly errors: Readonly<Record<string, string>>;
}

/** Reads the posted form: every value a number, blood pressure both numbers or neither, at least one reading. */
export function parseEntryForm(body: Readonly<Record<string, unknown>>): ParsedEntry {
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  const readings: Array<{ field: EntryFormField; value: number }> = [];
  for (const field of ENTRY_FORM_FIELDS) {
    const raw = body[field.name];
    const text = typeof raw === 'string' ? raw.trim().slice(0, 20) : '';
    values[field.name] = text;
    if (!text) continue;
    const value = Number(text.replace(',', '.'));
    if (!/^[0-9]+(?:[.,][0-9]+)?$/.test(text) || !Number.isFinite(value)) {
      errors[field.name] = `${field.label.split(',')[0]} must be a number, like ${field.example}.`;
      continue;
    }
    readings.push({ field, value });
  }
  if (values['systolic_bp'] && !values['diastolic_bp'] && !errors['systolic_bp']) errors['diastolic_bp'] = 'Enter the bottom number of your blood pressure too.';
  if (values['diastolic_bp'] && !values['systolic_bp'] && !errors['diastolic_bp']) errors['systolic_bp'] = 'Enter the top number of your blood pressure too.';
  if (Object.values(values).every((v) => !v)) errors[''] = 'Enter at least one reading.';
  return { values, readings: Object.keys(errors).length ? [] : readings, errors };
}
