import { NOW, SCALE_2_DECISION, carePlan, consciousness, normalSet, reading } from '../testing/rules-test.builders';
import { news2BandRule } from './news2-band.rule';

const withChanges = (changes: Partial<Record<'respiration_rate' | 'spo2' | 'systolic_bp' | 'heart_rate' | 'body_temperature', number>>) =>
  normalSet(1).map((r) => {
    const value = changes[r.vital as keyof typeof changes];
    return value === undefined ? r : reading(r.vital, value, 1);
  });

/** A clinician's decision that SpO2's red score does not make this patient's NEWS2 alert high on its own. */
const LOWERING_SPO2 = {
  vital: 'spo2' as const,
  thresholds: [{ direction: 'at-or-below' as const, value: 86, severity: 'medium' as const, action: 'Call.' }],
  decidedBy: 'dr-okafor',
  decidedAt: new Date('2026-03-01T10:00:00.000Z'),
  reason: 'Lives at 88–90 % when well',
  reviewBy: new Date('2026-03-05T00:00:00.000Z'),
  lowersSeverity: true,
};

describe('news2BandRule', () => {
  it('raises nothing for a low score without a single 3 (aggregate 0–4)', () => {
    expect(news2BandRule(normalSet(), carePlan(), NOW, [consciousness('A', 1)])).toEqual([]);
    expect(news2BandRule(withChanges({ respiration_rate: 22, spo2: 95, heart_rate: 95 }), carePlan(), NOW, [consciousness('A', 1)])).toEqual([]);
  });

  it('raises high (top severity at home) for a 3 in a single parameter, naming it, with the RCP ward band kept in details', () => {
    const readings = withChanges({ spo2: 91 });
    const [alert, ...rest] = news2BandRule(readings, carePlan(), NOW, [consciousness('A', 1)]);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ rule: 'news2-band', severity: 'high', subject: 'news2', patientId: 'patient-1', measuredAt: readings[0]!.measuredAt });
    expect(alert!.explanation).toBe(
      'NEWS2 3 (red parameter, high severity at home): SpO2 91 % on scale 1 (3 points). SpO2 scores 3 on its own: top severity at home, where there is no hourly re-observation. Contact the patient now, repeat the observations and inform the clinician responsible, who decides whether to escalate.',
    );
    expect(alert!.readingIds).toHaveLength(5);
    expect(alert!.details).toMatchObject({ score: 3, partial: false, band: 'low-medium', trigger: 'single-parameter-3', homeTrigger: 'single-parameter-3', redParameters: ['spo2'] });
  });

  it('a clinician override that lowers severity keeps that red parameter from making it high, and the alert says whose decision it is', () => {
    const lowering = LOWERING_SPO2;
    // SpO2 89 alone: 3 points, but exempted → aggregate 3 → no NEWS2 alert (the threshold rule judges SpO2).
    expect(news2BandRule(withChanges({ spo2: 89 }), carePlan({ thresholdOverrides: [lowering] }), NOW, [consciousness('A', 1)])).toEqual([]);
    // With pulse 112 (2 points) the aggregate is 5: medium, carrying the override.
    const [alert] = news2BandRule(withChanges({ spo2: 89, heart_rate: 112 }), carePlan({ thresholdOverrides: [lowering] }), NOW, [consciousness('A', 1)]);
    expect(alert).toMatchObject({ severity: 'medium', details: { homeTrigger: 'aggregate-5-6', overrides: [{ vital: 'spo2', decidedBy: 'dr-okafor', reviewOverdue: true }] } });
    expect(alert!.explanation).toContain('SpO2 scoring 3 is not top severity for this patient: dr-okafor decided so on 2026-03-01 ("Lives at 88–90 % when well"); the review due 2026-03-05 is overdue.');
    // Without lowersSeverity the same override cannot lower it.
    expect(news2BandRule(withChanges({ spo2: 89 }), carePlan({ thresholdOverrides: [{ ...lowering, lowersSeverity: false }] }), NOW, [consciousness('A', 1)])[0]).toMatchObject({ severity: 'high' });
  });

  it.each([
    [{ respiration_rate: 22, spo2: 95, heart_rate: 95, body_temperature: 38.2 }, 5, 'medium'],
    [{ respiration_rate: 22, spo2: 93, heart_rate: 95, body_temperature: 38.2 }, 6, 'medium'],
    [{ respiration_rate: 22, spo2: 93, heart_rate: 112, body_temperature: 38.2 }, 7, 'high'],
  ] as const)('raises the NEWS2 band as severity: %p → %p, %s', (changes, score, severity) => {
    const [alert] = news2BandRule(withChanges(changes), carePlan(), NOW, [consciousness('A', 1)]);
    expect(alert).toMatchObject({ severity, details: { score, partial: false } });
    expect(alert!.explanation).toMatch(new RegExp(`^NEWS2 ${score} \\(${severity} risk\\)`));
  });

  it('alerts on a partial score, says it is partial and what to assess', () => {
    const readings = [reading('spo2', 92, 1), reading('heart_rate', 112, 2), reading('body_temperature', 38.3, 3)];
    const [alert] = news2BandRule(readings, carePlan(), NOW);
    expect(alert).toMatchObject({ severity: 'medium', details: { score: 5, partial: true, missing: ['respiration_rate', 'systolic_bp', 'consciousness'] } });
    expect(alert!.explanation).toBe(
      'Partial NEWS2 of at least 5 (medium risk) from 4 of 7 parameters: SpO2 92 % on scale 1 (2 points), pulse 112 /min (2 points), temperature 38.3 °C (1 point). ' +
        'Not recorded in the last 12 hours: respiratory rate, systolic BP, consciousness (ACVPU). Assess them: the full score may be higher. ' +
        'Urgent response threshold: the registered nurse immediately informs the medical team and requests urgent assessment by a clinician or team competent in the care of acutely ill patients; care in an environment with monitoring facilities. Monitoring: minimum 1-hourly.',
    );
    expect(alert!.measuredAt).toEqual(readings[0]!.measuredAt);
  });

  it('names ACVPU and oxygen in words', () => {
    const [alert] = news2BandRule(normalSet(), carePlan({}, { supplementalOxygen: 'continuous' }), NOW, [consciousness('C', 0.5)]);
    expect(alert!.severity).toBe('high'); // new confusion scores 3
    expect(alert!.explanation).toMatch(/^NEWS2 5 \(red parameter, high severity at home\): on supplemental oxygen \(2 points\), ACVPU C \(new confusion\) \(3 points\)\./);
  });

  it("follows the care plan's alert band only to be more sensitive", () => {
    const two = withChanges({ respiration_rate: 22 });
    expect(news2BandRule(two, carePlan({}, { alertFrom: 'low' }), NOW, [consciousness('A', 1)])[0]).toMatchObject({ severity: 'low' });
    expect(news2BandRule(two, carePlan(), NOW, [consciousness('A', 1)])).toEqual([]);
    const six = withChanges({ respiration_rate: 22, spo2: 93, heart_rate: 95, body_temperature: 38.2 });
    expect(news2BandRule(six, carePlan({}, { alertFrom: 'high' }), NOW, [consciousness('A', 1)])[0]).toMatchObject({ severity: 'medium' });
  });

  it('uses scale 2 when a clinician decided it, and says when SpO2 was scored as on air', () => {
    const plan = carePlan({ pathway: 'copd' }, { spo2Scale: SCALE_2_DECISION, supplementalOxygen: 'intermittent' });
    const readings = [reading('spo2', 88, 1), reading('respiration_rate', 26, 1)];
    const [onScale2] = news2BandRule(readings, plan, NOW);
    expect(onScale2!.details).toMatchObject({ score: 3, spo2Scale: 2 });
    const [assumed] = news2BandRule([reading('spo2', 96, 1), reading('respiration_rate', 26, 1)], plan, NOW);
    expect(assumed!.explanation).toContain('SpO2 was scored on scale 2 as if on air, because air or oxygen was not recorded.');
  });

  it('says so when NEWS2 cannot be calculated instead of staying silent', () => {
    const plan = carePlan({}, { spo2Scale: { ...SCALE_2_DECISION, decidedBy: '' } });
    const [alert] = news2BandRule(normalSet(), plan, NOW);
    expect(alert).toMatchObject({ rule: 'news2-band', severity: 'low', subject: 'news2:unavailable', readings: [] });
    expect(alert!.explanation).toMatch(/^NEWS2 could not be calculated: .*scale 2 without a recorded clinician decision/);
  });

  // Issue 19: a "high" badge never sits beside "medium risk" words. At each band edge of the home
  // severity table (CLINICAL.md), the headline's risk words name the alert's own severity and no other.
  describe('says the same severity in words as the badge, at every band edge', () => {
    const lowering = LOWERING_SPO2;
    const sensitive = carePlan({}, { alertFrom: 'low' });
    it.each([
      ['aggregate 1 (plan alerts from low)', { spo2: 95 }, sensitive, 1, 'low', 'low risk'],
      ['aggregate 4 (plan alerts from low)', { spo2: 95, heart_rate: 112, body_temperature: 38.5 }, sensitive, 4, 'low', 'low risk'],
      ['aggregate 5', { respiration_rate: 21, heart_rate: 112, spo2: 95 }, carePlan(), 5, 'medium', 'medium risk'],
      ['aggregate 6', { respiration_rate: 21, heart_rate: 112, spo2: 95, body_temperature: 38.5 }, carePlan(), 6, 'medium', 'medium risk'],
      ['aggregate 7', { respiration_rate: 21, heart_rate: 112, spo2: 93, body_temperature: 38.5 }, carePlan(), 7, 'high', 'high risk'],
      ['a single 3 with aggregate 3 (RCP ward band: low–medium)', { spo2: 91 }, carePlan(), 3, 'high', 'red parameter, high severity at home'],
      ['a single 3 with aggregate 5 (RCP ward band: medium)', { spo2: 91, heart_rate: 112 }, carePlan(), 5, 'high', 'red parameter, high severity at home'],
      ['a single 3 a clinician exempted, aggregate 3 (plan alerts from low)', { spo2: 89 }, carePlan({ thresholdOverrides: [lowering] }, { alertFrom: 'low' }), 3, 'low', 'low risk'],
      ['a single 3 a clinician exempted, aggregate 5', { spo2: 89, heart_rate: 112 }, carePlan({ thresholdOverrides: [lowering] }), 5, 'medium', 'medium risk'],
    ] as const)('%s', (_name, changes, plan, score, severity, words) => {
      const [alert] = news2BandRule(withChanges(changes), plan, NOW, [consciousness('A', 1)]);
      expect(alert).toMatchObject({ severity, details: { score } });
      const headline = alert!.explanation.split(':')[0] as string;
      expect(headline).toBe(`NEWS2 ${score} (${words})`);
      const others = (['high', 'medium', 'low'] as const).filter((band) => band !== severity);
      for (const other of others) expect(alert!.explanation).not.toMatch(new RegExp(`\\b${other}(–medium)? (risk|severity)`));
    });

    it('no alert below the table (aggregate 0, and 1–4 unless the plan asks)', () => {
      expect(news2BandRule(normalSet(), sensitive, NOW, [consciousness('A', 1)])).toEqual([]);
      expect(news2BandRule(withChanges({ spo2: 95, heart_rate: 112, body_temperature: 38.5 }), carePlan(), NOW, [consciousness('A', 1)])).toEqual([]);
    });
  });
});
