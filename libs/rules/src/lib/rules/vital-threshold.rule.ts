import type { Pathway, Reading, VitalKey } from '@homeward/domain';
import { type AlertCandidate, highestSeverity, readingIdsOf, severityRank } from '../model/alert-candidate.model';
import type { CarePlan, ThresholdOverride, VitalThreshold } from '../model/care-plan.model';
import { HOUR_MS, latestOfEach, ownReadings } from '../shared/reading-window';
import { roundToUnits } from '../shared/rounding';
import { COMPARISON_DECIMALS, VITAL_LABELS, formatDate, formatVitalValue } from '../shared/vital-display';
import { documentedSpo2Scale, overrideNote, vitalSeverityFloor } from './home-severity.policy';
import { pathwayThresholds } from './pathway-thresholds.defaults';

/** A reading older than this (hours before `now`) is not the patient's current value. */
export const CURRENT_WITHIN_HOURS_DEFAULT = 24;

export const PATHWAY_NAMES: Readonly<Record<Pathway, string>> = {
  'heart-failure': 'heart failure',
  copd: 'COPD',
  'acute-respiratory-infection': 'acute respiratory infection',
  frailty: 'frailty',
  general: 'general',
};

/** The limits that apply to one vital of this patient, and the override they came from, if any. */
export interface EffectiveThresholds {
  readonly vital: VitalKey;
  readonly thresholds: readonly VitalThreshold[];
  readonly override?: ThresholdOverride;
}

/**
 * Pathway defaults (pathway-thresholds.defaults.ts, by the patient's SpO2 scale: scale 2 only
 * with a recorded clinician decision, see documentedSpo2Scale), with each
 * clinician override replacing every default limit of its vital. Where a vital has several
 * overrides the most recent decision wins.
 */
export function effectiveThresholds(carePlan: CarePlan): EffectiveThresholds[] {
  const defaults = pathwayThresholds(carePlan.pathway, documentedSpo2Scale(carePlan));
  const overrides = new Map<VitalKey, ThresholdOverride>();
  for (const override of carePlan.thresholdOverrides ?? []) {
    const current = overrides.get(override.vital);
    if (!current || override.decidedAt.getTime() >= current.decidedAt.getTime()) overrides.set(override.vital, override);
  }
  const vitals = [...new Set<VitalKey>([...defaults.map((t) => t.vital), ...overrides.keys()])];
  return vitals.map((vital) => {
    const override = overrides.get(vital);
    return override
      ? { vital, override, thresholds: override.thresholds.map((t) => ({ ...t, vital })) }
      : { vital, thresholds: defaults.filter((t) => t.vital === vital) };
  });
}

/**
 * Per-vital limits: for each vital with limits, the latest measured reading of the last
 * `currentWithinHours` (default 24) is compared with them, at the precision NEWS2 reads that vital
 * (whole numbers; temperature to 0.1), so the two never disagree about an edge. One alert per
 * vital and direction, with the most severe limit crossed, raised to the physiology floor (a
 * value scoring 3 in NEWS2 is high) unless the vital's override `lowersSeverity`.
 */
export function vitalThresholdRule(readings: readonly Reading[], carePlan: CarePlan, now: Date): AlertCandidate[] {
  const from = new Date(now.getTime() - (carePlan.currentWithinHours ?? CURRENT_WITHIN_HOURS_DEFAULT) * HOUR_MS);
  const own = ownReadings(readings, carePlan.patientId);
  const candidates: AlertCandidate[] = [];
  const ranked = rankedLimitsOf(carePlan);
  const latest = latestOfEach(own, ranked.vitals, from, now);
  for (const { vital, override, byDirection } of ranked.limits) {
    const reading = latest[vital];
    if (!reading) continue;
    const value = roundToUnits(reading.value, COMPARISON_DECIMALS[vital]);
    for (const { direction, limits } of byDirection) {
      const threshold = limits.find((l) => (direction === 'at-or-below' ? value <= l.units : value >= l.units))?.threshold;
      if (!threshold) continue;
      // Physiology sets the floor on every pathway (a red value is high); only a clinician's
      // explicit, dated override may put this vital's severity below it.
      const floor = override?.lowersSeverity === true ? null : vitalSeverityFloor(vital, reading.value, documentedSpo2Scale(carePlan));
      const severity = highestSeverity([threshold.severity, floor]) ?? threshold.severity;
      candidates.push({
        rule: 'vital-threshold',
        severity,
        patientId: carePlan.patientId,
        subject: `${vital}:${direction}`,
        readings: [reading],
        readingIds: readingIdsOf([reading]),
        measuredAt: reading.measuredAt,
        explanation: explain(reading, threshold, carePlan, now, override),
        details: {
          vital,
          value: reading.value,
          direction,
          limit: threshold.value,
          source: override ? 'override' : 'pathway',
          pathway: carePlan.pathway,
          limitSeverity: threshold.severity,
          ...(floor !== null && floor !== threshold.severity ? { physiologyFloor: floor } : {}),
          ...(override ? { override: overrideNote(override, now) } : {}),
        },
      });
    }
  }
  return candidates;
}

/** A plan's limits of one vital per direction, most severe (then furthest out) first, with each limit in comparison units. */
interface RankedLimits {
  readonly vital: VitalKey;
  readonly override?: ThresholdOverride;
  readonly byDirection: readonly {
    readonly direction: VitalThreshold['direction'];
    readonly limits: readonly { readonly threshold: VitalThreshold; readonly units: number }[];
  }[];
}

/** Care plans are immutable once mapped; an engine or a replay judges many moments with one. */
const rankedLimitsCache = new WeakMap<CarePlan, { readonly limits: readonly RankedLimits[]; readonly vitals: readonly VitalKey[] }>();

/**
 * effectiveThresholds ranked once per care plan: the first limit of a direction that a value
 * crosses is the one the rule reports (the most severe crossed, then the furthest from normal).
 * Sorting before filtering picks the same one, as both sorts are stable.
 */
function rankedLimitsOf(carePlan: CarePlan): { readonly limits: readonly RankedLimits[]; readonly vitals: readonly VitalKey[] } {
  const cached = rankedLimitsCache.get(carePlan);
  if (cached) return cached;
  const ranked = effectiveThresholds(carePlan).map(({ vital, thresholds, override }) => ({
    vital,
    ...(override ? { override } : {}),
    byDirection: (['at-or-below', 'at-or-above'] as const).map((direction) => ({
      direction,
      limits: thresholds
        .filter((t) => t.direction === direction)
        .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (direction === 'at-or-below' ? a.value - b.value : b.value - a.value))
        .map((threshold) => ({ threshold, units: roundToUnits(threshold.value, COMPARISON_DECIMALS[vital]) })),
    })),
  }));
  const entry = { limits: ranked, vitals: ranked.map((r) => r.vital) };
  rankedLimitsCache.set(carePlan, entry);
  return entry;
}

function explain(reading: Reading, threshold: VitalThreshold, carePlan: CarePlan, now: Date, override: ThresholdOverride | undefined): string {
  const vital = reading.vital;
  const comparison = threshold.direction === 'at-or-below' ? 'at or below' : 'at or above';
  const limit = formatVitalValue(vital, threshold.value);
  const source = override
    ? `the limit ${override.decidedBy} set for this patient on ${formatDate(override.decidedAt)} ("${override.reason}"); ${
        override.reviewBy.getTime() < now.getTime()
          ? `its review was due on ${formatDate(override.reviewBy)} and is overdue`
          : `review due ${formatDate(override.reviewBy)}`
      }`
    : `the alert limit for the ${PATHWAY_NAMES[carePlan.pathway]} pathway`;
  return `${VITAL_LABELS[vital].name} ${formatVitalValue(vital, reading.value)} is ${comparison} ${limit}, ${source}. ${threshold.action}`;
}
