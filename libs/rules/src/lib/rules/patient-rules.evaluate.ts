import type { Reading } from '@homeward/domain';
import type { AlertCandidate } from '../model/alert-candidate.model';
import type { CarePlan } from '../model/care-plan.model';
import type { ClinicalObservation } from '../model/clinical-observation.model';
import { DAY_MS, HOUR_MS } from '../shared/reading-window';
import { news2BandRule } from './news2-band.rule';
import { spo2BaselineDropRule, spo2BaselineSettings } from './spo2-baseline-drop.rule';
import { CURRENT_WITHIN_HOURS_DEFAULT, vitalThresholdRule } from './vital-threshold.rule';
import { weightGainRule, weightGainSettings } from './weight-gain.rule';

/**
 * Every patient rule at one moment: the candidates of NEWS2 band, vital thresholds, weight gain
 * and SpO2 baseline drop, in that order. `now` is the moment judged; an engine re-evaluating a
 * late reading passes that reading's measurement time.
 */
export function evaluatePatientRules(
  readings: readonly Reading[],
  carePlan: CarePlan,
  now: Date,
  observations: readonly ClinicalObservation[] = [],
): AlertCandidate[] {
  return [
    ...news2BandRule(readings, carePlan, now, observations),
    ...vitalThresholdRule(readings, carePlan, now),
    ...weightGainRule(readings, carePlan, now),
    ...spo2BaselineDropRule(readings, carePlan, now),
  ];
}

/**
 * How far back from a moment the rules of this plan look (ms): the longest of the NEWS2 window and
 * `currentWithinHours`, plus the longest trend window (weight gain with its edge tolerance, SpO2
 * baseline). An engine reads this much history, and a late reading re-opens the moments this far
 * after it.
 */
export function rulesLookBackMs(carePlan: CarePlan): number {
  const currentHours = Math.max(carePlan.news2.windowHours, carePlan.currentWithinHours ?? CURRENT_WITHIN_HOURS_DEFAULT);
  const weight = weightGainSettings(carePlan);
  const spo2 = spo2BaselineSettings(carePlan);
  const weightMs = weight.enabled ? weight.days * DAY_MS + weight.toleranceHours * HOUR_MS : 0;
  const spo2Ms = spo2.enabled ? spo2.days * DAY_MS : 0;
  return currentHours * HOUR_MS + Math.max(weightMs, spo2Ms);
}
