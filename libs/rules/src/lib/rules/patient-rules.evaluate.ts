import type { Reading } from '@homeward/domain';
import type { AlertCandidate } from '../model/alert-candidate.model';
import type { CarePlan } from '../model/care-plan.model';
import type { ClinicalObservation } from '../model/clinical-observation.model';
import { news2BandRule } from './news2-band.rule';
import { spo2BaselineDropRule } from './spo2-baseline-drop.rule';
import { vitalThresholdRule } from './vital-threshold.rule';
import { weightGainRule } from './weight-gain.rule';

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
