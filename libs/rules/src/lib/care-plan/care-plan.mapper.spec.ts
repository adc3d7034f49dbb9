import { PATHWAY_SCHEDULES } from '../rules/pathway-schedules.defaults';
import { type StoredCarePlan, mapCarePlan } from './care-plan.mapper';

const admission = (carePlan: Record<string, unknown>): StoredCarePlan => ({ patientId: 'p1', pathway: 'copd', carePlan });

describe('care plan mapping (admissions.care_plan → CarePlan)', () => {
  it("gives pathway defaults for an empty plan, the pathway's expected readings among them", () => {
    expect(mapCarePlan(admission({}))).toEqual({
      carePlan: { patientId: 'p1', pathway: 'copd', news2: { windowHours: 12, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } },
      expectedReadings: PATHWAY_SCHEDULES.copd,
      expectedReadingsFrom: 'pathway',
      problems: [],
    });
    expect(mapCarePlan(admission({})).expectedReadings.map((e) => `${e.vital} ${e.everyHours}h +${e.graceHours}h ${e.severity}`)).toEqual([
      'spo2 12h +4h medium',
      'heart_rate 12h +4h medium',
      'body_temperature 24h +4h medium',
    ]);
  });

  it("falls back to the pathway's schedule when the list cannot be read, and says so", () => {
    expect(mapCarePlan(admission({ expectedReadings: 'daily' }))).toMatchObject({
      expectedReadings: PATHWAY_SCHEDULES.copd,
      expectedReadingsFrom: 'pathway',
      problems: ["expectedReadings must be a list; the pathway's schedule is used"],
    });
  });

  it('reports a lowersSeverity that is not true or false, and does not lower anything', () => {
    const { carePlan, problems } = mapCarePlan(
      admission({ thresholdOverrides: [{ vital: 'spo2', thresholds: [], decidedBy: 'c7', decidedAt: '2026-02-20T10:00:00Z', reason: 'r', reviewBy: '2026-03-20T00:00:00Z', lowersSeverity: 'yes' }] }),
    );
    expect(problems).toEqual(['thresholdOverrides[0].lowersSeverity must be true or false']);
    expect(carePlan.thresholdOverrides?.[0]?.lowersSeverity).toBeUndefined();
  });

  it('names every unknown or misspelt key, at every level, by its path', () => {
    const decision = { decidedBy: 'c7', decidedAt: '2026-02-20T10:00:00Z', reason: 'r' };
    const { problems } = mapCarePlan(
      admission({
        news2: { windowHour: 24, spo2Scale: { scale: 2, ...decision, reson: 'x' } },
        thresholdOverrides: [{ vitl: 'spo2', vital: 'spo2', thresholds: [{ direction: 'at-or-below', value: 88, severity: 'low', severty: 'x' }], ...decision, reviewBy: '2026-03-20T00:00:00Z' }],
        weightGain: { kg: 2, days: 3, decision: { ...decision, when: 'now' }, tolerance: 1 },
        spo2Baseline: { dayz: 7 },
        expectedReadings: [{ vital: 'spo2', everyHours: 12, every: 6 }],
        escalateTo: 'nobody',
      }),
    );
    expect(problems.map((p) => p.split(' (known')[0])).toEqual([
      'escalateTo: unknown key',
      'news2.windowHour: unknown key',
      'news2.spo2Scale.reson: unknown key',
      'thresholdOverrides[0].vitl: unknown key',
      'thresholdOverrides[0].thresholds[0].severty: unknown key',
      'weightGain.tolerance: unknown key',
      'weightGain.decision.when: unknown key',
      'spo2Baseline.dayz: unknown key',
      'expectedReadings[0].every: unknown key',
    ]);
    expect(problems[1]).toContain('(known: windowHours, spo2Scale, supplementalOxygen, alertFrom)');
  });

  it('bounds free text (reasons, actions) at 2000 characters', () => {
    const { problems } = mapCarePlan(admission({ news2: { spo2Scale: { scale: 2, decidedBy: 'c7', decidedAt: '2026-02-20T10:00:00Z', reason: 'r'.repeat(2001) } } }));
    expect(problems).toEqual(['news2.spo2Scale.reason must be at most 2000 characters']);
  });

  it('keeps an explicit empty list: a clinician decided nothing is expected', () => {
    expect(mapCarePlan(admission({ expectedReadings: [] }))).toMatchObject({ expectedReadings: [], expectedReadingsFrom: 'care-plan', problems: [] });
  });

  it('reads a severity-lowering override and the weight window tolerance', () => {
    const { carePlan, problems } = mapCarePlan(
      admission({
        weightGain: { toleranceHours: 0 },
        thresholdOverrides: [
          { vital: 'spo2', thresholds: [], decidedBy: 'c7', decidedAt: '2026-02-20T10:00:00Z', reason: 'Usual 88-90 %', reviewBy: '2026-03-20T00:00:00Z', lowersSeverity: true },
        ],
      }),
    );
    expect(problems).toEqual([]);
    expect(carePlan.weightGain).toEqual({ toleranceHours: 0 });
    expect(carePlan.thresholdOverrides?.[0]).toMatchObject({ vital: 'spo2', lowersSeverity: true });
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
      // No severity given: the pathway's silence severity (COPD is high-risk: medium).
      { vital: 'spo2', everyHours: 12, graceHours: 1, severity: 'medium' },
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
