import { BLOOD_PRESSURE_PANEL, VITAL_KEYS, VITAL_SIGNS, derivedVitalProblem, findVitalByCode, isVitalKey } from './vital-signs';

// Every code as ../shared/CLINICAL.md lists it; a change here is a clinical change.
describe('vital-sign catalogue', () => {
  it.each([
    ['systolic_bp', '8480-6', '271649006', 'mm[Hg]', 150021],
    ['diastolic_bp', '8462-4', '271650006', 'mm[Hg]', 150022],
    ['mean_arterial_pressure', '8478-0', undefined, 'mm[Hg]', 150023],
    ['heart_rate', '8867-4', '364075005', '/min', 149546],
    ['spo2', '59408-5', '431314004', '%', 150456],
    ['respiration_rate', '9279-1', '86290005', '/min', 151562],
    ['body_temperature', '8310-5', '386725007', 'Cel', 150364],
    ['body_weight', '29463-7', '27113001', 'kg', 188736],
    ['blood_glucose', '14743-9', undefined, 'mmol/L', 160184],
    ['news2_score', undefined, '1104051000000101', '{score}', undefined],
  ] as const)('%s: LOINC %s, SNOMED CT %s, UCUM %s, MDC %s', (key, loinc, snomed, unit, mdc) => {
    const vital = VITAL_SIGNS[key];
    expect(vital.key).toBe(key);
    expect(vital.loinc).toBe(loinc);
    expect(vital.snomed).toBe(snomed);
    expect(vital.unit).toBe(unit);
    expect(vital.mdc).toBe(mdc);
  });

  it('carries both LOINC codes for pulse oximetry', () => {
    expect(VITAL_SIGNS.spo2.loincAlternates).toEqual(['2708-6']);
  });

  it('has the blood pressure panel codes', () => {
    expect(BLOOD_PRESSURE_PANEL).toEqual({ display: 'Blood pressure panel', loinc: '85354-9', snomed: '75367002', mdc: 150020 });
  });

  it('covers every key exactly once', () => {
    expect(Object.keys(VITAL_SIGNS).sort()).toEqual([...VITAL_KEYS].sort());
    expect(isVitalKey('spo2')).toBe(true);
    expect(isVitalKey('SpO2')).toBe(false);
  });

  it.each([
    ['8867-4', 'heart_rate'],
    ['2708-6', 'spo2'],
    ['431314004', 'spo2'],
    [188736, 'body_weight'],
  ])('finds %p as %s', (code, key) => {
    expect(findVitalByCode(code)?.key).toBe(key);
  });

  it('has a sensible plausibility range for each vital', () => {
    for (const vital of Object.values(VITAL_SIGNS)) expect(vital.plausible.min).toBeLessThan(vital.plausible.max);
  });
});

describe('derived vitals', () => {
  it('marks NEWS2 as derived (refused as input) and nothing measured', () => {
    expect(VITAL_KEYS.filter((key) => VITAL_SIGNS[key].derived)).toEqual(['news2_score']);
    expect(derivedVitalProblem('news2_score')).toMatchObject({ code: 'reading.derived', details: { vital: 'news2_score' } });
    expect(derivedVitalProblem('spo2')).toBeUndefined();
    expect(derivedVitalProblem('mood')).toBeUndefined(); // unknown vitals have their own refusal
  });
});
