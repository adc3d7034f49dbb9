import { normaliseUnitCode, roundTo, toCanonicalUnit } from './units';

describe('canonical units (UCUM, through ucum-lhc)', () => {
  it.each([
    ['systolic_bp', 16, 'kPa', 120, 'mm[Hg]'], // 16 kPa = 120.01 mmHg
    ['diastolic_bp', 10.7, 'kPa', 80.3, 'mm[Hg]'],
    ['body_weight', 154, '[lb_av]', 69.853, 'kg'],
    ['body_weight', 11, 'st', 69.853, 'kg'], // 11 stone = 154 lb
    ['body_weight', 70500, 'g', 70.5, 'kg'],
    ['body_temperature', 98.6, '[degF]', 37, 'Cel'],
    ['body_temperature', 100.4, '°F', 38, 'Cel'],
    ['blood_glucose', 180, 'mg/dL', 9.99, 'mmol/L'], // glucose 180.156 g/mol
    ['blood_glucose', 90, 'mg/dl', 5, 'mmol/L'],
    ['spo2', 97, '%', 97, '%'],
    ['heart_rate', 72, 'bpm', 72, '/min'],
    ['systolic_bp', 120, 'mmHg', 120, 'mm[Hg]'],
  ] as const)('%s %p %s → %p %s', (vital, value, unit, expected, canonical) => {
    expect(toCanonicalUnit(vital, value, unit)).toEqual({ ok: true, value: { value: expected, unit: canonical } });
  });

  it('refuses a unit that does not fit the vital, listing the ones that do', () => {
    const result = toCanonicalUnit('spo2', 0.97, 'kg');
    expect(result).toMatchObject({ ok: false, error: { code: 'unit.unsupported', details: { accepted: ['%'] } } });
  });

  it('maps everyday spellings onto case-sensitive UCUM codes', () => {
    expect(normaliseUnitCode('MMHG')).toBe('mm[Hg]');
    expect(normaliseUnitCode('°C')).toBe('Cel');
    expect(normaliseUnitCode('lbs')).toBe('[lb_av]');
    expect(normaliseUnitCode('mmol/l')).toBe('mmol/L');
  });

  it('rounds half away from zero in decimal', () => {
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(-1.005, 2)).toBe(-1.01);
    expect(roundTo(70.0805, 3)).toBe(70.081);
    expect(roundTo(37.04999, 1)).toBe(37);
    // Values whose string form is in exponent notation (a corrupted device frame) stay numbers.
    expect(roundTo(6.5536e19, 2)).toBe(6.5536e19);
    expect(roundTo(1e-9, 2)).toBe(0);
    expect(roundTo(Number.NaN, 2)).toBeNaN();
  });
});
