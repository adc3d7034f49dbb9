import type { Reading } from '@homeward/domain';
import { type AlertCandidate, type AlertSeverity, readingIdsOf } from '../model/alert-candidate.model';
import type { CarePlan } from '../model/care-plan.model';
import { DAY_MS, HOUR_MS, latestOf, ownReadings, readingsOf } from '../shared/reading-window';
import { roundHalfAwayFromZero } from '../shared/rounding';
import { formatDuration, formatNumber } from '../shared/vital-display';
import { CURRENT_WITHIN_HOURS_DEFAULT } from './vital-threshold.rule';

/** ESC heart-failure patient guidance: more than 2 kg in 3 days. UK trusts differ, hence settings. */
export const WEIGHT_GAIN_DEFAULTS = { kg: 2, days: 3, toleranceHours: 12, severity: 'medium' as AlertSeverity } as const;

export interface ResolvedWeightGainSettings {
  readonly enabled: boolean;
  readonly kg: number;
  readonly days: number;
  /** How far beyond the window's far edge the earlier reading may lie (see WeightGainSettings). */
  readonly toleranceHours: number;
  readonly severity: AlertSeverity;
}

/**
 * On by default for heart failure; for any other pathway only when the care plan gives settings
 * (with `enabled` not false). Unset amounts take the defaults.
 */
export function weightGainSettings(carePlan: CarePlan): ResolvedWeightGainSettings {
  const given = carePlan.weightGain;
  const enabled = given ? given.enabled !== false : carePlan.pathway === 'heart-failure';
  return {
    enabled,
    kg: given?.kg ?? WEIGHT_GAIN_DEFAULTS.kg,
    days: given?.days ?? WEIGHT_GAIN_DEFAULTS.days,
    toleranceHours: given?.toleranceHours ?? WEIGHT_GAIN_DEFAULTS.toleranceHours,
    severity: given?.severity ?? WEIGHT_GAIN_DEFAULTS.severity,
  };
}

/**
 * Weight gain of more than `kg` within `days` (default 2 kg in 3 days). The latest weight of the
 * last `currentWithinHours` is compared with the lowest weight measured in the `days` before it
 * and with the reading nearest the window's far edge within `toleranceHours` either side (default
 * 12), even if that one lies just outside: a patient weighs once a day at about the same time, so
 * a strict 72-hour window missed a 2.7 kg gain between readings 73 hours apart. A reading outside
 * the window counts only when none inside is nearer the edge, so twice-daily weights keep the
 * strict window. At worst 2 kg over 3.5 days is judged as 2 kg in 3, the side to err on for
 * decompensation; the explanation states the real span. The gain must be strictly more than the limit. Gains are compared in grams (the scale's
 * resolution is 5 g) so 74.1 − 72.1 is exactly 2 kg, not 2.0000000000000027.
 */
export function weightGainRule(readings: readonly Reading[], carePlan: CarePlan, now: Date): AlertCandidate[] {
  const settings = weightGainSettings(carePlan);
  if (!settings.enabled) return [];
  const own = ownReadings(readings, carePlan.patientId);
  const currentFrom = new Date(now.getTime() - (carePlan.currentWithinHours ?? CURRENT_WITHIN_HOURS_DEFAULT) * HOUR_MS);
  const latest = latestOf(own, 'body_weight', currentFrom, now);
  if (!latest) return [];

  const edge = latest.measuredAt.getTime() - settings.days * DAY_MS;
  const tolerance = settings.toleranceHours * HOUR_MS;
  const inside = readingsOf(own, 'body_weight', new Date(edge), latest.measuredAt).filter((r) => r.measuredAt < latest.measuredAt);
  // The reading nearest the far edge, within the tolerance either side, stands for the edge even
  // when it lies just outside the window (a daily weight 73 hours before the latest).
  const nearEdge = readingsOf(own, 'body_weight', new Date(edge - tolerance), new Date(Math.min(edge + tolerance, latest.measuredAt.getTime() - 1)));
  const edgeReading = nearEdge.reduce<Reading | undefined>((best, r) => (!best || Math.abs(r.measuredAt.getTime() - edge) < Math.abs(best.measuredAt.getTime() - edge) ? r : best), undefined);
  const earlier = edgeReading && edgeReading.measuredAt.getTime() < edge ? [edgeReading, ...inside] : inside;
  // The lowest earlier weight; among equal lowest, the most recent (the shortest span, stated honestly).
  const lowest = earlier.reduce<Reading | undefined>((low, r) => (!low || r.value <= low.value ? r : low), undefined);
  if (!lowest) return [];

  const gainGrams = Math.round(latest.value * 1000) - Math.round(lowest.value * 1000);
  if (gainGrams <= Math.round(settings.kg * 1000)) return [];
  const gainKg = gainGrams / 1000;
  const span = latest.measuredAt.getTime() - lowest.measuredAt.getTime();

  return [
    {
      rule: 'weight-gain',
      severity: settings.severity,
      patientId: carePlan.patientId,
      subject: 'body_weight:gain',
      readings: [lowest, latest],
      readingIds: readingIdsOf([lowest, latest]),
      measuredAt: latest.measuredAt,
      explanation:
        `Weight ${kg(latest.value)}, up ${kg(gainKg)} from ${kg(lowest.value)} ${formatDuration(span)} earlier ` +
        `(alert limit: a gain of more than ${kg(settings.kg)} in ${formatNumber(settings.days, 1)} days` +
        `${span > settings.days * DAY_MS ? `, readings up to ${formatNumber(settings.toleranceHours, 1)} hours beyond it counted` : ''}). ` +
        (carePlan.pathway === 'heart-failure'
          ? 'Ask about breathlessness, ankle swelling and sleeping propped up, and review fluid and diuretic plans with the heart failure team.'
          : 'Ask about breathlessness and swelling, and review with the clinician responsible.'),
      details: { latestKg: latest.value, lowestKg: lowest.value, gainKg, spanMs: span, limitKg: settings.kg, limitDays: settings.days, toleranceHours: settings.toleranceHours },
    },
  ];
}

function kg(value: number): string {
  return `${String(roundHalfAwayFromZero(value, 2))} kg`;
}
