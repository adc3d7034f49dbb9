import fc from 'fast-check';
import { type VitalKey, VITAL_SIGNS } from '@homeward/domain';
import { HOUR_MS } from '../shared/reading-window';
import { NOW, carePlan, reading } from '../testing/rules-test.builders';
import { TREND_VITALS, evaluatePatientRules, rulesLookBack, rulesLookBackMs } from './patient-rules.evaluate';

const RULES = ['news2-band', 'spo2-baseline-drop', 'vital-threshold', 'weight-gain'];
const VITALS = Object.keys(VITAL_SIGNS) as VitalKey[];
/** Values around each vital's bands, so that every rule fires in some cases. */
const VALUE: Record<string, fc.Arbitrary<number>> = {
  // Mostly a steady 94–96 with the odd low one: a personal baseline, and drops below it.
  spo2: fc.oneof({ arbitrary: fc.integer({ min: 94, max: 96 }), weight: 9 }, { arbitrary: fc.integer({ min: 82, max: 91 }), weight: 1 }),
  heart_rate: fc.integer({ min: 35, max: 150 }),
  respiratory_rate: fc.integer({ min: 6, max: 30 }),
  body_temperature: fc.integer({ min: 340, max: 400 }).map((t) => t / 10),
  blood_pressure_systolic: fc.integer({ min: 80, max: 230 }),
  blood_pressure_diastolic: fc.integer({ min: 40, max: 130 }),
  body_weight: fc.integer({ min: 6_000, max: 9_000 }).map((g) => g / 100),
};

// The engine reads, for a moment, every reading of the current window and only the trend vitals
// before it (rulesLookBack). That must change no candidate against every reading back to reachMs.
describe('rulesLookBack: the narrower window gives the same candidates', () => {
  it('the current window is the NEWS2 window or currentWithinHours, whichever is longer; the reach adds the longest trend look-back', () => {
    // currentWithinHours defaults to 24 h, longer than this plan's 12 h NEWS2 window; the SpO2 baseline's 7 days are the longest trend.
    expect(rulesLookBack(carePlan())).toEqual({ currentMs: 24 * HOUR_MS, reachMs: 24 * HOUR_MS + 7 * 24 * HOUR_MS });
    expect(rulesLookBack(carePlan()).reachMs).toBe(rulesLookBackMs(carePlan()));
    expect(rulesLookBack(carePlan({ currentWithinHours: 6 }, { windowHours: 18 }))).toMatchObject({ currentMs: 18 * HOUR_MS });
    expect(rulesLookBack(carePlan({ spo2Baseline: { enabled: false }, weightGain: { enabled: false } }))).toEqual({ currentMs: 24 * HOUR_MS, reachMs: 24 * HOUR_MS });
    expect(TREND_VITALS).toEqual(['body_weight', 'spo2']);
  });

  it('for random histories of every vital over ten days, and random plans, at every reading\'s moment', () => {
    const aReading = fc
      .record({ vital: fc.oneof({ arbitrary: fc.constant<VitalKey>('spo2'), weight: 2 }, { arbitrary: fc.constantFrom(...VITALS), weight: 3 }), hoursAgo: fc.integer({ min: 0, max: 10 * 24 * 4 }).map((q) => q / 4) })
      .chain(({ vital, hoursAgo }) => (VALUE[vital] ?? fc.integer({ min: 1, max: 200 })).map((value) => reading(vital, value, hoursAgo)));
    const aPlan = fc
      .record({
        currentWithinHours: fc.option(fc.integer({ min: 1, max: 48 }), { nil: undefined }),
        windowHours: fc.integer({ min: 1, max: 24 }),
        spo2Days: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        spo2Enabled: fc.boolean(),
        weightDays: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
        weightEnabled: fc.boolean(),
      })
      .map((p) =>
        carePlan(
          {
            ...(p.currentWithinHours === undefined ? {} : { currentWithinHours: p.currentWithinHours }),
            spo2Baseline: { enabled: p.spo2Enabled, ...(p.spo2Days === undefined ? {} : { days: p.spo2Days }), minReadings: 3 },
            weightGain: { enabled: p.weightEnabled, ...(p.weightDays === undefined ? {} : { days: p.weightDays }) },
          },
          { windowHours: p.windowHours },
        ),
      );
    const raised = new Set<string>();
    fc.assert(
      fc.property(fc.array(aReading, { minLength: 1, maxLength: 80 }), aPlan, (history, plan) => {
        const sorted = [...history].sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime() || (a.id ?? '').localeCompare(b.id ?? ''));
        const { currentMs, reachMs } = rulesLookBack(plan);
        for (const moment of [NOW, ...sorted.map((r) => r.measuredAt)]) {
          const at = moment.getTime();
          const full = sorted.filter((r) => r.measuredAt.getTime() >= at - reachMs && r.measuredAt.getTime() <= at);
          const narrow = full.filter((r) => r.measuredAt.getTime() >= at - currentMs || TREND_VITALS.includes(r.vital));
          const candidates = evaluatePatientRules(full, plan, moment);
          expect(evaluatePatientRules(narrow, plan, moment)).toEqual(candidates);
          for (const c of candidates) raised.add(c.rule);
        }
      }),
      { seed: 20_261_203, numRuns: 300 },
    );
    // The histories made every rule speak, the trend rules included.
    expect([...raised].sort()).toEqual(RULES);
  });
});
