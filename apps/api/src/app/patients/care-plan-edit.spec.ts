import type { CarePlanEditDto } from '@homeward/contracts';
import { carePlanChanges, carePlanEditProblems, carePlanEditorView, editedCarePlan, storedPlanDiff, unreadablePlanProblems } from './care-plan-edit';

const copd = { patientId: 'p1', pathway: 'copd' as const, carePlan: {} };
const NOW = new Date('2026-12-03T10:00:00Z');
const edit = (overrides: Partial<CarePlanEditDto>): CarePlanEditDto => ({ reason: 'Usual SpO2 88-90 % at home', reviewBy: '2027-01-15', spo2Scale: 1, limits: [], ...overrides }) as CarePlanEditDto;

describe('the care-plan editor', () => {
  it("shows the pathway's defaults beside the patient's own settings, and offers scale 2 on COPD", () => {
    const view = carePlanEditorView(copd);
    expect(view).toMatchObject({ spo2Scale: 1, offerScale2: true, scheduleFrom: 'pathway', reviewBy: null, problems: [] });
    const spo2 = view.vitals.find((v) => v.vital === 'spo2');
    expect(spo2?.pathwayLimits).toContainEqual({ direction: 'at-or-below', value: 91, severity: 'high' });
    expect(spo2).toMatchObject({ personalLimits: null, pathwayEveryHours: 12, everyHours: 12 });
    expect(carePlanEditorView({ ...copd, pathway: 'heart-failure' }).offerScale2).toBe(false);
  });

  it('refuses scale 2 until the clinician confirms it, a past review date, crossed and implausible limits, each at its field', () => {
    expect(carePlanEditProblems(edit({ spo2Scale: 2 }), copd, '2026-12-03')).toEqual({ spo2Scale: expect.stringMatching(/hypercapnic respiratory failure/) });
    expect(carePlanEditProblems(edit({ spo2Scale: 2, scale2Confirmed: true }), copd, '2026-12-03')).toEqual({});
    expect(carePlanEditProblems(edit({ reviewBy: '2026-12-03' }), copd, '2026-12-03')).toEqual({ reviewBy: 'The review date must be after today.' });
    const crossed = edit({ limits: [{ vital: 'heart_rate', limits: [{ direction: 'at-or-below', value: 120, severity: 'low' }, { direction: 'at-or-above', value: 100, severity: 'low' }] }] });
    expect(carePlanEditProblems(crossed, copd, '2026-12-03')).toEqual({ 'limits.heart_rate': expect.stringMatching(/low limit .* must be below its high limit/) });
    const implausible = edit({ limits: [{ vital: 'spo2', limits: [{ direction: 'at-or-below', value: 5, severity: 'low' }] }] });
    expect(carePlanEditProblems(implausible, copd, '2026-12-03')['limits.spo2']).toMatch(/between/);
  });

  it('writes a plan the rules read back: scale 2 with who and why, personal limits with the review date; effective as the engine maps it', () => {
    const next = editedCarePlan({ news2: { windowHours: 24 } }, edit({ spo2Scale: 2, scale2Confirmed: true, limits: [{ vital: 'spo2', limits: [{ direction: 'at-or-below', value: 86, severity: 'low-medium' }] }], schedule: [{ vital: 'spo2', everyHours: 8 }] }), 'clinician-1', NOW);
    expect(next).toMatchObject({
      news2: { windowHours: 24, spo2Scale: { scale: 2, decidedBy: 'clinician-1', decidedAt: NOW.toISOString(), reason: 'Usual SpO2 88-90 % at home' } },
      thresholdOverrides: [{ vital: 'spo2', reviewBy: '2027-01-15T00:00:00.000Z', decidedBy: 'clinician-1', thresholds: [{ direction: 'at-or-below', value: 86, severity: 'low-medium', action: '' }] }],
      expectedReadings: [{ vital: 'spo2', everyHours: 8 }],
    });
    expect(unreadablePlanProblems({ ...copd, carePlan: next }, NOW)).toEqual([]);
    const view = carePlanEditorView({ ...copd, carePlan: next });
    expect(view).toMatchObject({ spo2Scale: 2, scheduleFrom: 'care-plan', reviewBy: '2027-01-15' });
    expect(view.vitals.find((v) => v.vital === 'spo2')).toMatchObject({ personalLimits: [{ direction: 'at-or-below', value: 86, severity: 'low-medium' }], everyHours: 8 });
    expect(view.vitals.find((v) => v.vital === 'spo2')?.pathwayLimits).toContainEqual({ direction: 'at-or-below', value: 83, severity: 'high' }); // scale 2's red value
  });

  it('lists what changed in plain words, compared on the plan as the rules read it', () => {
    const before = carePlanEditorView({ ...copd, carePlan: {} });
    const stored = editedCarePlan(
      {},
      edit({
        spo2Scale: 2,
        scale2Confirmed: true,
        limits: [{ vital: 'spo2', limits: [{ direction: 'at-or-below', value: 86, severity: 'low-medium' }] }],
        schedule: [{ vital: 'spo2', everyHours: 8 }, { vital: 'heart_rate', everyHours: 12 }, { vital: 'body_temperature', everyHours: 24 }],
        spo2Baseline: { enabled: true, days: 7, minReadings: 5, minDropPoints: 4, spreadMultiplier: 2, severity: 'medium' },
      }),
      'clinician-1',
      NOW,
    );
    const changes = carePlanChanges(before, carePlanEditorView({ ...copd, carePlan: stored }), 'Dr Ada Jones');
    expect(changes).toEqual([
      { what: 'SpO2 scale', before: 'Scale 1', after: 'Scale 2 (target 88–92 %), confirmed by Dr Ada Jones' },
      { what: 'SpO2 lower limit', before: "91 % (high), 93 % (low) (pathway's)", after: '86 % (low–medium)' },
      { what: 'SpO2 expected', before: 'every 12 h', after: 'every 8 h' },
      { what: 'SpO2 drop of at least', before: '3 points', after: '4 points' },
      { what: 'Review by', before: 'none', after: '2027-01-15' },
    ]);
    // Nothing reads like a field path or a JSON value.
    for (const c of changes) expect(`${c.what} ${c.before} ${c.after}`).not.toMatch(/[{}"[\]]|\w\.\w|thresholdOverrides|news2/);

    // A second edit of the same personal limit: values only, as a clinician would say it.
    const lowered = editedCarePlan(stored, edit({ spo2Scale: 2, limits: [{ vital: 'spo2', limits: [{ direction: 'at-or-below', value: 85, severity: 'low-medium' }] }], schedule: [{ vital: 'spo2', everyHours: 8 }, { vital: 'heart_rate', everyHours: 12 }, { vital: 'body_temperature', everyHours: 24 }], spo2Baseline: { enabled: true, days: 7, minReadings: 5, minDropPoints: 4, spreadMultiplier: 2, severity: 'medium' } }), 'clinician-2', NOW);
    const view = (plan: Record<string, unknown>) => carePlanEditorView({ ...copd, carePlan: plan });
    expect(carePlanChanges(view(stored), view(lowered), 'Dr B')).toEqual([{ what: 'SpO2 lower limit', before: '86 %', after: '85 %' }]);
  });

  it('keeps the raw stored diff, field path by field path, for the audit log', () => {
    const before = { news2: { spo2Scale: { scale: 1 }, windowHours: 24 } };
    const after = { news2: { spo2Scale: { scale: 2, reason: 'x' }, windowHours: 24 }, expectedReadings: [{ vital: 'spo2', everyHours: 8 }] };
    expect(storedPlanDiff(before, after)).toEqual([
      { path: 'expectedReadings', before: null, after: [{ vital: 'spo2', everyHours: 8 }] },
      { path: 'news2.spo2Scale.reason', before: null, after: 'x' },
      { path: 'news2.spo2Scale.scale', before: 1, after: 2 },
    ]);
  });

  it('edits the SpO2-baseline trend rule with a message at each field out of range, and the rules read it back', () => {
    const baseline = { enabled: true, days: 7, minReadings: 5, minDropPoints: 3, spreadMultiplier: 2, severity: 'medium' as const };
    expect(carePlanEditProblems(edit({ spo2Baseline: baseline }), copd, '2026-12-03')).toEqual({});
    expect(carePlanEditProblems(edit({ spo2Baseline: { ...baseline, days: 1, minReadings: 2.5, minDropPoints: 0, spreadMultiplier: 5 } }), copd, '2026-12-03')).toEqual({
      'spo2Baseline.days': 'The baseline must cover 2 to 30 days (whole days).',
      'spo2Baseline.minReadings': 'A baseline needs 3 to 100 readings (a whole number).',
      'spo2Baseline.minDropPoints': 'The drop must be 1 to 15 percentage points.',
      'spo2Baseline.spreadMultiplier': 'The spread multiplier must be from 0.5 to 4 standard deviations.',
    });
    const next = editedCarePlan({}, edit({ spo2Baseline: { ...baseline, minDropPoints: 2, severity: 'high' } }), 'clinician-1', NOW);
    expect(unreadablePlanProblems({ ...copd, carePlan: next }, NOW)).toEqual([]);
    expect(carePlanEditorView({ ...copd, carePlan: next }).spo2Baseline).toEqual({ ...baseline, minDropPoints: 2, severity: 'high' });
    expect(carePlanEditorView({ ...copd, carePlan: next, carePlanVersion: 4 }).version).toBe(4);
  });
});
