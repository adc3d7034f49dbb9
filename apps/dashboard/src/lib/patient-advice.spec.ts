import { adviceFrom } from './patient-advice';

describe('adviceFrom', () => {
  it('reads the advice of a 201 or a 422 answer', () => {
    const advice = { level: 'red', message: 'Call the virtual ward on 01632 960 123 now.' };
    expect(adviceFrom({ stored: 1, duplicates: 0, readings: [], advice })).toEqual(advice);
    expect(adviceFrom({ code: 'reading.implausible', rejected: [], stored: 1, advice })).toEqual(advice);
  });

  it('is null when there is none, or when it is not red advice with words', () => {
    expect(adviceFrom({ stored: 1, duplicates: 0, readings: [] })).toBeNull();
    expect(adviceFrom(null)).toBeNull();
    expect(adviceFrom('text')).toBeNull();
    expect(adviceFrom({ advice: null })).toBeNull();
    expect(adviceFrom({ advice: { level: 'amber', message: 'x' } })).toBeNull();
    expect(adviceFrom({ advice: { level: 'red', message: '  ' } })).toBeNull();
    expect(adviceFrom({ advice: { level: 'red', message: 42 } })).toBeNull();
  });
});
