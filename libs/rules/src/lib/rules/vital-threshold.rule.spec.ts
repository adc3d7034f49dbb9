import type { VitalKey } from '@homeward/domain';
import type { ThresholdOverride } from '../model/care-plan.model';
import { NOW, SCALE_2_DECISION, carePlan, reading } from '../testing/rules-test.builders';
import { effectiveThresholds, vitalThresholdRule } from './vital-threshold.rule';

const one = (vital: VitalKey, value: number, plan = carePlan(), hoursAgo = 1) => vitalThresholdRule([reading(vital, value, hoursAgo)], plan, NOW);

const override = (changes: Partial<ThresholdOverride> = {}): ThresholdOverride => ({
  vital: 'spo2',
  thresholds: [{ direction: 'at-or-below', value: 86, severity: 'medium', action: 'Call the respiratory team.' }],
  decidedBy: 'dr-okafor',
  decidedAt: new Date('2026-03-01T10:00:00.000Z'),
  reason: 'Lives at 88–90 % when well',
  reviewBy: new Date('2026-04-01T00:00:00.000Z'),
  ...changes,
});

describe('vitalThresholdRule', () => {
  describe('NEWS2 red values, every pathway', () => {
    it.each([
      ['respiration_rate', 8, 'at-or-below'],
      ['respiration_rate', 25, 'at-or-above'],
      ['spo2', 91, 'at-or-below'],
      ['systolic_bp', 90, 'at-or-below'],
      ['systolic_bp', 220, 'at-or-above'],
      ['heart_rate', 40, 'at-or-below'],
      ['heart_rate', 131, 'at-or-above'],
      ['body_temperature', 35.0, 'at-or-below'],
      ['body_temperature', 35.04, 'at-or-below'], // 35.0 at one decimal, as NEWS2 reads it
    ] as const)('%s %p alerts high, top severity (%s)', (vital, value, direction) => {
      for (const pathway of ['general', 'heart-failure', 'copd', 'frailty', 'acute-respiratory-infection'] as const) {
        const alerts = one(vital, value, carePlan({ pathway }));
        expect(alerts).toHaveLength(1);
        expect(alerts[0]).toMatchObject({ rule: 'vital-threshold', severity: 'high', subject: `${vital}:${direction}` });
      }
    });

    it.each([
      ['respiration_rate', 9],
      ['respiration_rate', 24],
      ['spo2', 92],
      ['systolic_bp', 91],
      ['systolic_bp', 219],
      ['heart_rate', 41],
      ['heart_rate', 130],
      ['body_temperature', 35.1],
      ['body_temperature', 35.05], // 35.1
      ['body_temperature', 40],
    ] as const)('%s %p is not red: below high on every pathway', (vital, value) => {
      for (const pathway of ['general', 'heart-failure', 'copd', 'frailty', 'acute-respiratory-infection'] as const) {
        expect(one(vital, value, carePlan({ pathway })).filter((a) => a.severity === 'high')).toEqual([]);
      }
    });
  });

  it('explains the value, the limit and what to do', () => {
    const [alert] = one('spo2', 90);
    expect(alert!.explanation).toBe(
      'SpO2 90 % is at or below 91 %, the alert limit for the general pathway. This value scores 3 in NEWS2 on its own, top severity at home: contact the patient now, repeat the reading, assess them and inform the clinician responsible, who decides whether to escalate.',
    );
    expect(alert!.readingIds).toHaveLength(1);
  });

  describe('acute respiratory infection oximetry bands', () => {
    const ari = carePlan({ pathway: 'acute-respiratory-infection' });
    it.each([
      [95, null],
      [94, 'low'],
      [93, 'low'],
      [92, 'low-medium'],
      [91, 'high'],
      [88, 'high'],
    ] as const)('SpO2 %p → %s', (spo2, severity) => {
      const alerts = one('spo2', spo2, ari);
      expect(alerts.map((a) => a.severity)).toEqual(severity === null ? [] : [severity]);
    });
  });

  it('uses the scale 2 target (88–92 %) and red value (≤83 %) for a patient a clinician put on scale 2', () => {
    const copd = carePlan({ pathway: 'copd' }, { spo2Scale: SCALE_2_DECISION });
    expect(one('spo2', 88, copd)).toEqual([]);
    expect(one('spo2', 87, copd)[0]).toMatchObject({ severity: 'low' });
    expect(one('spo2', 84, copd)[0]).toMatchObject({ severity: 'low-medium' });
    expect(one('spo2', 83, copd)[0]).toMatchObject({ severity: 'high' });
  });

  it('judges only the latest measured reading of the last 24 hours', () => {
    const recovered = [reading('heart_rate', 135, 3), reading('heart_rate', 88, 1, { receivedAt: new Date(NOW.getTime() - 4 * 3_600_000) })];
    expect(vitalThresholdRule(recovered, carePlan(), NOW)).toEqual([]);
    expect(one('heart_rate', 135, carePlan(), 25)).toEqual([]);
    expect(one('heart_rate', 135, carePlan({ currentWithinHours: 48 }), 25)).toHaveLength(1);
  });

  it('ignores readings of other patients', () => {
    expect(vitalThresholdRule([reading('spo2', 85, 1, { patientId: 'patient-2' })], carePlan(), NOW)).toEqual([]);
  });

  describe('clinician overrides', () => {
    it('replace the pathway limits for that vital and say who set them, why, and when to review', () => {
      const plan = carePlan({ pathway: 'copd', thresholdOverrides: [override()] });
      expect(one('spo2', 88, plan)).toEqual([]);
      const [alert] = one('spo2', 86, plan);
      // 86 % scores 3 on scale 1: the override made alerting no less urgent, so physiology's high stands.
      expect(alert).toMatchObject({
        severity: 'high',
        details: { source: 'override', limit: 86, limitSeverity: 'medium', physiologyFloor: 'high', override: { decidedBy: 'dr-okafor', reviewOverdue: false, lowersSeverity: false } },
      });
      expect(alert!.explanation).toBe(
        'SpO2 86 % is at or below 86 %, the limit dr-okafor set for this patient on 2026-03-01 ("Lives at 88–90 % when well"); review due 2026-04-01. Call the respiratory team.',
      );
      expect(one('heart_rate', 131, plan)).toHaveLength(1); // other vitals keep the pathway limits
    });

    it('lower the severity below the physiology floor only when the clinician says so explicitly, and the alert carries it', () => {
      const plan = carePlan({ pathway: 'copd', thresholdOverrides: [override({ lowersSeverity: true })] });
      const [alert] = one('spo2', 86, plan);
      expect(alert).toMatchObject({ severity: 'medium', details: { override: { decidedBy: 'dr-okafor', reason: 'Lives at 88–90 % when well', reviewBy: new Date('2026-04-01T00:00:00.000Z'), lowersSeverity: true } } });
      expect(alert!.details['physiologyFloor']).toBeUndefined();
    });

    it('still apply after the review date, and say the review is overdue', () => {
      const plan = carePlan({ thresholdOverrides: [override({ reviewBy: new Date('2026-03-05T00:00:00.000Z') })] });
      const [alert] = one('spo2', 85, plan);
      expect(alert!.explanation).toContain('its review was due on 2026-03-05 and is overdue');
      expect(alert!.details).toMatchObject({ override: { reviewOverdue: true } });
    });

    it('with no limits, silence that vital for this patient', () => {
      expect(one('spo2', 85, carePlan({ thresholdOverrides: [override({ thresholds: [] })] }))).toEqual([]);
    });

    it('can add a vital the pathway has no limits for', () => {
      const plan = carePlan({
        thresholdOverrides: [override({ vital: 'diastolic_bp', thresholds: [{ direction: 'at-or-above', value: 110, severity: 'medium', action: 'Recheck in 15 minutes.' }] })],
      });
      expect(one('diastolic_bp', 112, plan)[0]).toMatchObject({ subject: 'diastolic_bp:at-or-above', severity: 'medium' });
    });

    it('the most recent decision wins when a vital has several', () => {
      const older = override({ thresholds: [{ direction: 'at-or-below', value: 80, severity: 'high', action: 'old' }] });
      const newer = override({ decidedAt: new Date('2026-03-08T10:00:00.000Z') });
      const byVital = effectiveThresholds(carePlan({ thresholdOverrides: [newer, older] })).find((e) => e.vital === 'spo2');
      expect(byVital?.override).toBe(newer);
    });

    it('report the most severe limit crossed in each direction', () => {
      const plan = carePlan({
        thresholdOverrides: [
          override({
            vital: 'heart_rate',
            thresholds: [
              { direction: 'at-or-above', value: 100, severity: 'low', action: 'watch' },
              { direction: 'at-or-above', value: 120, severity: 'medium', action: 'review' },
              { direction: 'at-or-below', value: 45, severity: 'medium', action: 'slow' },
            ],
          }),
        ],
      });
      expect(one('heart_rate', 125, plan).map((a) => [a.subject, a.severity, a.details['limit']])).toEqual([['heart_rate:at-or-above', 'medium', 120]]);
      expect(one('heart_rate', 110, plan).map((a) => a.severity)).toEqual(['low']);
    });
  });
});
