import type { Reading } from '@homeward/domain';
import { type AlertCandidate, type AlertSeverity, readingIdsOf } from '../model/alert-candidate.model';
import type { CarePlan } from '../model/care-plan.model';
import { DAY_MS, HOUR_MS, latestOf, ownReadings } from '../shared/reading-window';
import { roundHalfAwayFromZero } from '../shared/rounding';
import { formatNumber } from '../shared/vital-display';
import { personalBaseline } from './personal-baseline.stats';
import { CURRENT_WITHIN_HOURS_DEFAULT } from './vital-threshold.rule';

export const SPO2_BASELINE_DEFAULTS = {
  days: 7,
  minReadings: 5,
  minDropPoints: 3,
  spreadMultiplier: 2,
  severity: 'medium' as AlertSeverity,
} as const;

export interface ResolvedSpo2BaselineSettings {
  readonly enabled: boolean;
  readonly days: number;
  readonly minReadings: number;
  readonly minDropPoints: number;
  readonly spreadMultiplier: number;
  readonly severity: AlertSeverity;
}

/** On for every pathway unless the care plan turns it off; unset values take the defaults. */
export function spo2BaselineSettings(carePlan: CarePlan): ResolvedSpo2BaselineSettings {
  const given = carePlan.spo2Baseline;
  return {
    enabled: given?.enabled !== false,
    days: given?.days ?? SPO2_BASELINE_DEFAULTS.days,
    minReadings: given?.minReadings ?? SPO2_BASELINE_DEFAULTS.minReadings,
    minDropPoints: given?.minDropPoints ?? SPO2_BASELINE_DEFAULTS.minDropPoints,
    spreadMultiplier: given?.spreadMultiplier ?? SPO2_BASELINE_DEFAULTS.spreadMultiplier,
    severity: given?.severity ?? SPO2_BASELINE_DEFAULTS.severity,
  };
}

/**
 * SpO2 drop from the patient's own baseline. The latest SpO2 of the last `currentWithinHours`
 * is compared with the mean of their SpO2 readings over the `days` before it (at least
 * `minReadings` of them, else there is no baseline and no alert). It alerts when the drop is at
 * least `minDropPoints` and at least `spreadMultiplier` standard deviations: a fixed floor so a
 * very steady patient does not alert on one point, and the spread so a variable one does not
 * alert on their ordinary variation. Drop and spread are compared at one decimal, the precision
 * the explanation states them in. No edge tolerance here (unlike weight gain): the baseline is a
 * mean over the window, not a comparison with the reading at its edge, so a reading just outside
 * it changes little.
 */
export function spo2BaselineDropRule(readings: readonly Reading[], carePlan: CarePlan, now: Date): AlertCandidate[] {
  const settings = spo2BaselineSettings(carePlan);
  if (!settings.enabled) return [];
  const own = ownReadings(readings, carePlan.patientId);
  const currentFrom = new Date(now.getTime() - (carePlan.currentWithinHours ?? CURRENT_WITHIN_HOURS_DEFAULT) * HOUR_MS);
  const current = latestOf(own, 'spo2', currentFrom, now);
  if (!current) return [];

  const baseline = personalBaseline(own, 'spo2', new Date(current.measuredAt.getTime() - settings.days * DAY_MS), current.measuredAt);
  if (!baseline || baseline.count < settings.minReadings) return [];

  const value = roundHalfAwayFromZero(current.value, 0);
  const mean = roundHalfAwayFromZero(baseline.mean, 1);
  const drop = roundHalfAwayFromZero(mean - value, 1);
  const spreadDrop = roundHalfAwayFromZero(settings.spreadMultiplier * baseline.standardDeviation, 1);
  if (drop < settings.minDropPoints || drop < spreadDrop) return [];

  const low = Math.max(0, Math.round(baseline.mean - settings.spreadMultiplier * baseline.standardDeviation));
  const high = Math.min(100, Math.round(baseline.mean + settings.spreadMultiplier * baseline.standardDeviation));
  const usual = low === high ? `${low} %` : `${low}–${high} %`;
  const days = formatNumber(settings.days, 1);
  const points = drop === 1 ? 'point' : 'points';

  return [
    {
      rule: 'spo2-baseline-drop',
      severity: settings.severity,
      patientId: carePlan.patientId,
      subject: 'spo2:baseline-drop',
      readings: [current],
      readingIds: readingIdsOf([current]),
      measuredAt: current.measuredAt,
      explanation:
        `SpO2 ${value} %, ${formatNumber(drop, 1)} ${points} below this patient's ${days}-day baseline of ${formatNumber(mean, 1)} % ` +
        `(usually ${usual}, from ${baseline.count} readings). ` +
        'Ask the patient to repeat it at rest with a warm hand; if it stays low, ask about breathlessness, cough and fever, and check their other vital signs.',
      details: {
        value: current.value,
        baselineMean: baseline.mean,
        baselineStandardDeviation: baseline.standardDeviation,
        baselineCount: baseline.count,
        baselineReadingIds: readingIdsOf(baseline.readings),
        drop,
        days: settings.days,
      },
    },
  ];
}
