import { clinicalYRange } from './chart-range';

describe('clinical y-axis ranges', () => {
  it('keeps SpO2 on 80–100 % however little it moves, and extends only when the data or limits need it', () => {
    expect(clinicalYRange('spo2', [95, 96])).toEqual({ min: 80, max: 100 });
    expect(clinicalYRange('spo2', [])).toEqual({ min: 80, max: 100 });
    expect(clinicalYRange('spo2', [74, 96])).toEqual({ min: 73, max: 100 });
    expect(clinicalYRange('body_temperature', [36.5, 41.6])).toEqual({ min: 34, max: 42 });
  });

  it("draws weight as the patient's own range", () => {
    expect(clinicalYRange('body_weight', [78.2, 80.1])).toEqual({ min: 75, max: 84 });
    expect(clinicalYRange('body_weight', [])).toBeUndefined();
  });
});
