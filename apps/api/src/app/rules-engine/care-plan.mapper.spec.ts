import type { MonitoredAdmission } from '@homeward/storage';
import { mapCarePlan } from './care-plan.mapper';

const admission = (carePlan: Record<string, unknown>): MonitoredAdmission => ({
  admissionId: 'a1',
  patientId: 'p1',
  wardId: 'w1',
  pathway: 'copd',
  carePlan,
  admittedAt: new Date('2026-03-01T00:00:00Z'),
});

describe('care plan mapping (admissions.care_plan → CarePlan)', () => {
  it('gives pathway defaults for an empty plan', () => {
    expect(mapCarePlan(admission({}))).toEqual({
      carePlan: { patientId: 'p1', pathway: 'copd', news2: { windowHours: 12, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } },
      expectedReadings: [],
      problems: [],
    });
  });

  it('reads a full plan, turning ISO strings into dates', () => {
    const { carePlan, expectedReadings, problems } = mapCarePlan(
      admission({
        news2: {
          windowHours: 24,
          spo2Scale: { scale: 2, decidedBy: 'clinician-7', decidedAt: '2026-02-20T10:00:00Z', reason: 'Hypercapnic on blood gas' },
          supplementalOxygen: 'continuous',
          alertFrom: 'medium',
        },
        currentWithinHours: 12,
        thresholdOverrides: [
          {
            vital: 'spo2',
            thresholds: [{ direction: 'at-or-below', value: 85, severity: 'medium', action: 'Phone the patient.' }],
            decidedBy: 'clinician-7',
            decidedAt: '2026-02-20T10:00:00Z',
            reason: 'Usual 86-88 %',
            reviewBy: '2026-03-20T00:00:00Z',
          },
        ],
        weightGain: { enabled: true, kg: 1, days: 2 },
        spo2Baseline: { enabled: false },
        expectedReadings: [{ vital: 'spo2', everyHours: 12 }, { vital: 'body_weight', everyHours: 24, graceHours: 3, severity: 'low-medium' }],
      }),
    );
    expect(problems).toEqual([]);
    expect(carePlan.news2).toEqual({
      windowHours: 24,
      spo2Scale: { scale: 2, decidedBy: 'clinician-7', decidedAt: new Date('2026-02-20T10:00:00Z'), reason: 'Hypercapnic on blood gas' },
      supplementalOxygen: 'continuous',
      alertFrom: 'medium',
    });
    expect(carePlan.thresholdOverrides?.[0]).toMatchObject({ vital: 'spo2', reviewBy: new Date('2026-03-20T00:00:00Z'), thresholds: [{ value: 85 }] });
    expect(carePlan.weightGain).toEqual({ enabled: true, kg: 1, days: 2 });
    expect(carePlan.spo2Baseline).toEqual({ enabled: false });
    expect(carePlan.currentWithinHours).toBe(12);
    expect(expectedReadings).toEqual([
      { vital: 'spo2', everyHours: 12, graceHours: 1, severity: 'low' },
      { vital: 'body_weight', everyHours: 24, graceHours: 3, severity: 'low-medium' },
    ]);
  });

  it('reports each bad part and keeps the rest, so one typo does not stop monitoring', () => {
    const { carePlan, expectedReadings, problems } = mapCarePlan(
      admission({ news2: { windowHours: -1, supplementalOxygen: 'sometimes' }, expectedReadings: [{ vital: 'weight', everyHours: 24 }, { vital: 'spo2', everyHours: 8 }] }),
    );
    expect(carePlan.news2).toEqual({ windowHours: 12, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' });
    expect(expectedReadings.map((e) => e.vital)).toEqual(['spo2']);
    expect(problems).toEqual([
      'news2.windowHours must be a positive number',
      'news2.supplementalOxygen must be one of none, continuous, intermittent',
      'expectedReadings[0] needs a known vital; ignored',
    ]);
  });

  it('passes an undocumented scale-2 decision on, for the NEWS2 rule to refuse loudly', () => {
    const { carePlan } = mapCarePlan(admission({ news2: { spo2Scale: { scale: 2 } } }));
    expect(carePlan.news2.spo2Scale).toMatchObject({ scale: 2, decidedBy: '', reason: '' });
  });
});
