import { fieldErrorsFrom400, fieldErrorsFrom422 } from './entry-errors';

const fields = ['oxygen-spo2', 'oxygen-heart_rate'];
const fieldOf = (index: number) => fields[index];

describe('putting the API answers on the form fields', () => {
  it('maps 400 field messages to the field that sent each reading', () => {
    const errors = fieldErrorsFrom400(['readings.1.value must be a number conforming to the specified constraints', 'readings.0.measuredAt must be a valid ISO 8601 date string', 'something else'], fieldOf);
    expect(errors.byField['oxygen-heart_rate']).toMatch(/^Enter the number shown on the device \(must be a number/);
    expect(errors.byField['measuredAt']).toMatch(/^Enter when you took the reading/);
    expect(errors.general).toEqual(['something else']);
  });

  it('maps 422 coded reasons by index and keeps the code visible', () => {
    const errors = fieldErrorsFrom422({ code: 'reading.implausible', message: 'readings[0]: …', rejected: [{ index: 0, code: 'reading.implausible', message: 'SpO2 of 101 % is outside the plausible range 40–100 %.' }] }, fieldOf);
    expect(errors.byField).toEqual({ 'oxygen-spo2': 'SpO2 of 101 % is outside the plausible range 40–100 %. (reading.implausible)' });
    expect(errors.general).toEqual([]);
  });

  it('falls back to the message when a 422 names no reading', () => {
    expect(fieldErrorsFrom422({ code: 'x', message: 'Refused.' }, fieldOf)).toEqual({ byField: {}, general: ['Refused.'] });
  });
});
