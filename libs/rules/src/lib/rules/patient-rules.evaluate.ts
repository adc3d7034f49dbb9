import type { Reading, VitalKey } from '@homeward/domain';
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
  // NEWS2 and the limits look only at their recent window: hand them just that part when the
  // readings come sorted by measurement time (the engine's and the backtest's windows do), so a
  // long trend look-back is not scanned twice more at every moment. The same readings, so the
  // same candidates; a reading of another patient anywhere keeps the whole window (NEWS2 refuses it).
  const recentFrom = now.getTime() - Math.max(carePlan.news2.windowHours, carePlan.currentWithinHours ?? CURRENT_WITHIN_HOURS_DEFAULT) * HOUR_MS;
  const recent = recentPart(readings, carePlan.patientId, recentFrom);
  return [
    ...news2BandRule(recent, carePlan, now, observations),
    ...vitalThresholdRule(recent, carePlan, now),
    ...weightGainRule(readings, carePlan, now),
    ...spo2BaselineDropRule(readings, carePlan, now),
  ];
}

/**
 * The readings measured from `from` on, when `readings` are one patient's in measurement order
 * (a binary search); otherwise (unsorted, another patient's among them, or an invalid time
 * bound) all of them, as given.
 */
function recentPart(readings: readonly Reading[], patientId: string, from: number): readonly Reading[] {
  if (!Number.isFinite(from)) return readings;
  let previous = -Infinity;
  for (const r of readings) {
    const t = r.measuredAt.getTime();
    if (!(t >= previous) || r.patientId !== patientId) return readings;
    previous = t;
  }
  let low = 0;
  let high = readings.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((readings[mid] as Reading).measuredAt.getTime() < from) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? readings : readings.slice(low);
}

/**
 * How far back from a moment the rules of this plan look (ms): the longest of the NEWS2 window and
 * `currentWithinHours`, plus the longest trend window (weight gain with its edge tolerance, SpO2
 * baseline). An engine reads this much history, and a late reading re-opens the moments this far
 * after it.
 */
export function rulesLookBackMs(carePlan: CarePlan): number {
  return currentWindowMs(carePlan) + trendLookBackMs(carePlan);
}

/**
 * The only vitals the rules read from before a moment's current window (the longest of the NEWS2
 * window and `currentWithinHours`): body weight (weight gain) and SpO2 (the personal baseline).
 * Every other rule reads that window alone.
 */
export const TREND_VITALS: readonly VitalKey[] = ['body_weight', 'spo2'];

/**
 * How much a moment's rules need, as two ranges back from the moment: every reading of the current
 * window (`currentMs`), and before it only the TREND_VITALS, back to `reachMs` (rulesLookBackMs).
 * An engine that reads that much for each moment gets the same candidates as with every reading
 * back to `reachMs` (patient-rules.look-back.spec.ts), and reads far less for a patient who
 * measures several times a day but not their weight or SpO2.
 */
export function rulesLookBack(carePlan: CarePlan): { readonly currentMs: number; readonly reachMs: number } {
  const currentMs = currentWindowMs(carePlan);
  return { currentMs, reachMs: currentMs + trendLookBackMs(carePlan) };
}

function currentWindowMs(carePlan: CarePlan): number {
  return Math.max(carePlan.news2.windowHours, carePlan.currentWithinHours ?? CURRENT_WITHIN_HOURS_DEFAULT) * HOUR_MS;
}

function trendLookBackMs(carePlan: CarePlan): number {
  const weight = weightGainSettings(carePlan);
  const spo2 = spo2BaselineSettings(carePlan);
  const weightMs = weight.enabled ? weight.days * DAY_MS + weight.toleranceHours * HOUR_MS : 0;
  const spo2Ms = spo2.enabled ? spo2.days * DAY_MS : 0;
  return Math.max(weightMs, spo2Ms);
}
