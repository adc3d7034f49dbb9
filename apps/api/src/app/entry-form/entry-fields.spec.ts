import { parseEntryForm } from './entry-fields';

describe('reading the no-JavaScript entry form', () => {
  it('takes numbers as people type them, each in its canonical unit', () => {
    const parsed = parseEntryForm({ spo2: ' 94 ', body_temperature: '37,9', heart_rate: '', systolic_bp: '142', diastolic_bp: '88' });
    expect(parsed.errors).toEqual({});
    expect(parsed.readings.map((r) => [r.field.vital, r.value, r.field.unit])).toEqual([
      ['spo2', 94, '%'],
      ['systolic_bp', 142, 'mm[Hg]'],
      ['diastolic_bp', 88, 'mm[Hg]'],
      ['body_temperature', 37.9, 'Cel'],
    ]);
  });

  it('says what to fix at each field, keeps what was typed, and stores nothing until all is right', () => {
    const parsed = parseEntryForm({ spo2: 'ninety', systolic_bp: '140', heart_rate: '-5', body_weight: '1e3' });
    expect(parsed.errors).toEqual({
      spo2: 'Oxygen level (SpO2) must be a number, like 96.',
      heart_rate: 'Pulse must be a number, like 72.',
      body_weight: 'Weight must be a number, like 81.2.',
      diastolic_bp: 'Enter the bottom number of your blood pressure too.',
    });
    expect(parsed.values['spo2']).toBe('ninety');
    expect(parsed.readings).toEqual([]);
    expect(parseEntryForm({ diastolic_bp: '80' }).errors).toEqual({ systolic_bp: 'Enter the top number of your blood pressure too.' });
  });

  it('asks for at least one reading, and ignores fields that are not text', () => {
    expect(parseEntryForm({}).errors).toEqual({ '': 'Enter at least one reading.' });
    expect(parseEntryForm({ spo2: ['96', '97'] }).errors).toEqual({ '': 'Enter at least one reading.' });
  });
});
