import type { VitalKey } from '@homeward/domain';
import type { CarePlan, ThresholdOverride } from '../model/care-plan.model';
import { SCALE_2_DECISION, carePlan, reading } from '../testing/rules-test.builders';
import { patientAdviceFor } from './patient-advice.rule';

const one = (vital: VitalKey, value: number, plan: CarePlan = carePlan()) => patientAdviceFor([reading(vital, value, 0)], plan);

const scale2 = (supplementalOxygen: CarePlan['news2']['supplementalOxygen'] = 'none') => carePlan({ pathway: 'copd' }, { spo2Scale: SCALE_2_DECISION, supplementalOxygen });

const override = (vital: VitalKey, thresholds: ThresholdOverride['thresholds']): ThresholdOverride => ({
  vital,
  thresholds,
  decidedBy: 'dr-okafor',
  decidedAt: new Date('2026-03-01T10:00:00.000Z'),
  reason: 'Known brittle diabetes',
  reviewBy: new Date('2026-04-01T00:00:00.000Z'),
});

describe('patientAdviceFor', () => {
  // RCP 2017 chart 1: the edge of every parameter's score of 3, and the value just inside it.
  describe('NEWS2 parameters on scale 1: red exactly where the chart scores 3', () => {
    it.each([
      ['spo2', 91, 'red'],
      ['spo2', 92, null],
      ['spo2', 88, 'red'],
      ['spo2', 91.4, 'red'], // read at 91 (whole numbers)
      ['spo2', 91.5, null], // read at 92
      ['heart_rate', 131, 'red'],
      ['heart_rate', 130, null],
      ['heart_rate', 112, null], // 2 points: the ward's NEWS2 sees it, the patient is not told to call
      ['heart_rate', 40, 'red'],
      ['heart_rate', 41, null],
      ['systolic_bp', 90, 'red'],
      ['systolic_bp', 91, null],
      ['systolic_bp', 220, 'red'],
      ['systolic_bp', 219, null],
      ['respiration_rate', 8, 'red'],
      ['respiration_rate', 9, null],
      ['respiration_rate', 25, 'red'],
      ['respiration_rate', 24, null],
      ['body_temperature', 35.0, 'red'],
      ['body_temperature', 35.04, 'red'], // read at 35.0
      ['body_temperature', 35.1, null],
      ['body_temperature', 39.5, null], // ≥39.1 scores 2, not 3
      ['body_temperature', 37, null],
    ] as const)('%s %p gets %p advice', (vital, value, expected) => {
      expect(one(vital, value)).toBe(expected);
    });

    it('is the same on every pathway', () => {
      for (const pathway of ['general', 'heart-failure', 'copd', 'acute-respiratory-infection', 'frailty'] as const) {
        expect(one('spo2', 91, carePlan({ pathway }))).toBe('red');
        expect(one('heart_rate', 131, carePlan({ pathway }))).toBe('red');
        expect(one('spo2', 92, carePlan({ pathway }))).toBeNull();
      }
    });
  });

  describe('SpO2 scale 2 (a documented clinician decision)', () => {
    it.each([
      [83, 'none', 'red'],
      [84, 'none', null],
      [88, 'none', null],
      [92, 'none', null],
      [97, 'none', null], // ≥93 on air scores 0
      [97, 'intermittent', null], // no air/oxygen answer with the entry: scored as on air
      [96, 'continuous', null], // 95–96 on oxygen scores 2
      [97, 'continuous', 'red'], // ≥97 on oxygen scores 3
      [83, 'continuous', 'red'],
    ] as const)('SpO2 %p with oxygen "%s" gets %p advice', (value, oxygen, expected) => {
      expect(one('spo2', value, scale2(oxygen))).toBe(expected);
    });

    it('falls back to scale 1 when scale 2 has no recorded decision, so hypoxia is never hidden', () => {
      const undocumented = carePlan({ pathway: 'copd' }, { spo2Scale: { ...SCALE_2_DECISION, decidedBy: ' ' } });
      expect(one('spo2', 88, undocumented)).toBe('red');
      const badDate = carePlan({ pathway: 'copd' }, { spo2Scale: { ...SCALE_2_DECISION, decidedAt: new Date(Number.NaN) } });
      expect(one('spo2', 88, badDate)).toBe('red');
      expect(one('spo2', 88, scale2())).toBeNull();
    });
  });

  describe('vitals outside NEWS2: only a top-severity limit of the plan makes them red', () => {
    it('gives no advice for weight, glucose or diastolic BP on pathway defaults', () => {
      for (const [vital, value] of [
        ['body_weight', 140],
        ['blood_glucose', 2.1],
        ['blood_glucose', 30],
        ['diastolic_bp', 130],
      ] as const) {
        expect(one(vital, value, carePlan({ pathway: 'heart-failure' }))).toBeNull();
      }
    });

    it('gives advice at a clinician\'s top-severity limit, at the vital\'s comparison precision, and not below it', () => {
      const plan = carePlan({
        thresholdOverrides: [
          override('blood_glucose', [
            { direction: 'at-or-below', value: 3.0, severity: 'high', action: 'Hypoglycaemia: call now.' },
            { direction: 'at-or-below', value: 4.0, severity: 'medium', action: 'Low: review today.' },
            { direction: 'at-or-above', value: 25, severity: 'high', action: 'Very high: call now.' },
          ]),
        ],
      });
      expect(one('blood_glucose', 3.0, plan)).toBe('red');
      expect(one('blood_glucose', 3.04, plan)).toBe('red'); // read at 3.0
      expect(one('blood_glucose', 3.1, plan)).toBeNull();
      expect(one('blood_glucose', 3.8, plan)).toBeNull(); // only medium
      expect(one('blood_glucose', 25, plan)).toBe('red');
      expect(one('blood_glucose', 24.9, plan)).toBeNull();
    });

    it('does not let an override on a NEWS2 vital take away the red band', () => {
      const plan = carePlan({ thresholdOverrides: [override('spo2', [])] });
      expect(one('spo2', 90, plan)).toBe('red');
    });

    it("follows a clinician's decision to lower a NEWS2 vital's severity: then only that override's top-severity limits make it red", () => {
      const lowered = (thresholds: ThresholdOverride['thresholds']) => carePlan({ pathway: 'copd', thresholdOverrides: [{ ...override('spo2', thresholds), reason: 'Lives at 88–90 % when well', lowersSeverity: true }] });
      const plan = lowered([
        { direction: 'at-or-below', value: 85, severity: 'high', action: 'Call now.' },
        { direction: 'at-or-below', value: 87, severity: 'medium', action: 'Review today.' },
      ]);
      expect(one('spo2', 89, plan)).toBeNull();
      expect(one('spo2', 86, plan)).toBeNull(); // medium only
      expect(one('spo2', 85, plan)).toBe('red');
      expect(one('spo2', 89, lowered([]))).toBeNull();
      // Other vitals keep the red band.
      expect(one('heart_rate', 131, plan)).toBe('red');
      // Only the latest override of a vital counts, as for the alert limits.
      const withdrawn = carePlan({
        thresholdOverrides: [
          { ...override('spo2', []), lowersSeverity: true },
          { ...override('spo2', []), decidedAt: new Date('2026-03-05T10:00:00.000Z') },
        ],
      });
      expect(one('spo2', 89, withdrawn)).toBe('red');
    });

    it('never judges a device-sent NEWS2 total', () => {
      expect(one('news2_score', 12)).toBeNull();
    });
  });

  describe('a submission of several readings', () => {
    it('is red when any one reading is: SpO2 88 with pulse 112', () => {
      expect(patientAdviceFor([reading('spo2', 88, 0), reading('heart_rate', 112, 0)], carePlan())).toBe('red');
    });

    it('is not red when none is, however many score 1 or 2', () => {
      expect(
        patientAdviceFor([reading('spo2', 93, 0), reading('heart_rate', 125, 0), reading('systolic_bp', 95, 0), reading('body_temperature', 39.4, 0), reading('respiration_rate', 23, 0)], carePlan()),
      ).toBeNull();
    });

    it('gives nothing for no readings and skips a non-finite value', () => {
      expect(patientAdviceFor([], carePlan())).toBeNull();
      expect(patientAdviceFor([{ vital: 'spo2', value: Number.NaN }], carePlan())).toBeNull();
    });
  });
});
