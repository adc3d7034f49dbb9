import type { CarePlanChange, CarePlanEditChoices, CarePlanEditorView, CarePlanLimitView } from '@homeward/contracts';
import { type AlertSeverityBand, type Pathway, VITAL_SIGNS, type VitalKey, isVitalKey } from '@homeward/domain';
import {
  VITAL_LABELS,
  assembleHomeNews2,
  documentedSpo2Scale,
  effectiveThresholds,
  formatVitalValue,
  mapCarePlan,
  pathwaySchedule,
  pathwayThresholds,
  spo2BaselineSettings,
  weightGainSettings,
} from '@homeward/rules';

/** The vitals the editor offers, in the order a nurse reads them (NEWS2 order, then weight). */
export const EDITABLE_VITALS: readonly VitalKey[] = ['respiration_rate', 'spo2', 'systolic_bp', 'heart_rate', 'body_temperature', 'body_weight'];

export interface AdmittedPlan {
  readonly patientId: string;
  readonly pathway: Pathway;
  readonly carePlan: Readonly<Record<string, unknown>>;
  /** The stored plan's version (1 before any edit). */
  readonly carePlanVersion?: number;
}

const limitView = (t: { direction: 'at-or-below' | 'at-or-above'; value: number; severity: CarePlanLimitView['severity'] }): CarePlanLimitView => ({ direction: t.direction, value: t.value, severity: t.severity });

/** What the editor shows: the pathway's defaults beside this patient's own settings (through the rules' own mapping). */
export function carePlanEditorView(admission: AdmittedPlan): CarePlanEditorView {
  const mapped = mapCarePlan(admission);
  const scale = documentedSpo2Scale(mapped.carePlan);
  const defaults = pathwayThresholds(admission.pathway, scale);
  const effective = new Map(effectiveThresholds(mapped.carePlan).map((e) => [e.vital, e]));
  const schedule = pathwaySchedule(admission.pathway);
  const decision = mapped.carePlan.news2.spo2Scale;
  const firstOverride = mapped.carePlan.thresholdOverrides?.[0];
  const weight = weightGainSettings(mapped.carePlan);
  const baseline = spo2BaselineSettings(mapped.carePlan);
  return {
    patientId: admission.patientId,
    pathway: admission.pathway,
    spo2Scale: scale,
    spo2ScaleDecision: decision.scale === 2 && scale === 2 ? { decidedBy: decision.decidedBy, decidedAt: decision.decidedAt.toISOString(), reason: decision.reason } : null,
    offerScale2: admission.pathway === 'copd',
    vitals: EDITABLE_VITALS.map((vital) => {
      const override = effective.get(vital)?.override;
      return {
        vital,
        pathwayLimits: defaults.filter((t) => t.vital === vital).map(limitView),
        personalLimits: override ? override.thresholds.map(limitView) : null,
        pathwayEveryHours: schedule.find((s) => s.vital === vital)?.everyHours ?? null,
        everyHours: mapped.expectedReadings.find((s) => s.vital === vital)?.everyHours ?? null,
      };
    }),
    scheduleFrom: mapped.expectedReadingsFrom,
    weightGain: { enabled: weight.enabled, kg: weight.kg, days: weight.days, severity: weight.severity },
    spo2Baseline: { enabled: baseline.enabled, days: baseline.days, minReadings: baseline.minReadings, minDropPoints: baseline.minDropPoints, spreadMultiplier: baseline.spreadMultiplier, severity: baseline.severity },
    reviewBy: firstOverride ? firstOverride.reviewBy.toISOString().slice(0, 10) : null,
    reason: firstOverride?.reason ?? (decision.scale === 2 ? decision.reason : null),
    problems: mapped.problems,
    version: admission.carePlanVersion ?? 1,
  };
}

/**
 * Field-level problems of an edit, each keyed by the form field it belongs to ("limits.spo2",
 * "reviewBy", "spo2Scale"), in words a clinician can act on. Empty when the edit can be saved.
 */
export function carePlanEditProblems(edit: CarePlanEditChoices, admission: AdmittedPlan, today: string): Record<string, string> {
  const problems: Record<string, string> = {};
  const current = documentedSpo2Scale(mapCarePlan(admission).carePlan);
  if (edit.spo2Scale === 2 && current !== 2 && edit.scale2Confirmed !== true) {
    problems['spo2Scale'] = 'Scale 2 is only for hypercapnic respiratory failure with a target of 88–92 %: confirm that this is your decision.';
  }
  if (edit.reviewBy <= today) problems['reviewBy'] = 'The review date must be after today.';
  const seen = new Set<string>();
  for (const { vital, limits } of edit.limits) {
    const field = `limits.${vital}`;
    if (seen.has(vital)) problems[field] = `${VITAL_SIGNS[vital].display} is listed twice.`;
    seen.add(vital);
    const { min, max } = VITAL_SIGNS[vital].plausible;
    const unit = VITAL_SIGNS[vital].unit;
    for (const limit of limits) {
      if (limit.value < min || limit.value > max) problems[field] = `${VITAL_SIGNS[vital].display} limits must be between ${min} and ${max} ${unit}.`;
    }
    const below = limits.filter((l) => l.direction === 'at-or-below').map((l) => l.value);
    const above = limits.filter((l) => l.direction === 'at-or-above').map((l) => l.value);
    if (below.length > 0 && above.length > 0 && Math.max(...below) >= Math.min(...above)) {
      problems[field] = `The low limit for ${VITAL_SIGNS[vital].display} must be below its high limit.`;
    }
  }
  for (const { vital } of edit.schedule ?? []) {
    if (seen.has(`schedule.${vital}`)) problems[`schedule.${vital}`] = `${VITAL_SIGNS[vital].display} is listed twice.`;
    seen.add(`schedule.${vital}`);
  }
  if (edit.weightGain && (edit.weightGain.kg <= 0 || edit.weightGain.kg > 10)) problems['weightGain.kg'] = 'Weight gain must be more than 0 and at most 10 kg.';
  if (edit.weightGain && (edit.weightGain.days < 1 || edit.weightGain.days > 14)) problems['weightGain.days'] = 'The weight-gain window must be 1 to 14 days.';
  const baseline = edit.spo2Baseline;
  if (baseline) {
    for (const [field, { min, max, whole, words }] of Object.entries(SPO2_BASELINE_RANGES)) {
      const value = baseline[field as keyof typeof SPO2_BASELINE_RANGES];
      if (value < min || value > max || (whole && !Number.isInteger(value))) problems[`spo2Baseline.${field}`] = words;
    }
  }
  return problems;
}

/**
 * What a clinician may set for the SpO2 baseline rule, and the message at the field otherwise. A
 * baseline needs a few days and a few readings to mean anything; a drop under 1 point is noise,
 * and a spread multiplier outside 0.5–4 either alerts on ordinary variation or never.
 */
const SPO2_BASELINE_RANGES = {
  days: { min: 2, max: 30, whole: true, words: 'The baseline must cover 2 to 30 days (whole days).' },
  minReadings: { min: 3, max: 100, whole: true, words: 'A baseline needs 3 to 100 readings (a whole number).' },
  minDropPoints: { min: 1, max: 15, whole: false, words: 'The drop must be 1 to 15 percentage points.' },
  spreadMultiplier: { min: 0.5, max: 4, whole: false, words: 'The spread multiplier must be from 0.5 to 4 standard deviations.' },
} as const;

/**
 * The stored plan after the edit, in the shape libs/rules' care-plan mapper reads. Parts the
 * editor does not show (NEWS2 window, oxygen, baseline settings) are kept as they were; each
 * decision carries who made it, when and why. A scale-2 decision already on record is kept.
 */
export function editedCarePlan(stored: Readonly<Record<string, unknown>>, edit: CarePlanEditChoices, userId: string, now: Date): Record<string, unknown> {
  const decision = { decidedBy: userId, decidedAt: now.toISOString(), reason: edit.reason.trim() };
  const news2 = { ...((stored['news2'] as Record<string, unknown> | undefined) ?? {}) };
  const previousScale = news2['spo2Scale'] as { scale?: number } | undefined;
  news2['spo2Scale'] = edit.spo2Scale === 1 ? { scale: 1 } : previousScale?.scale === 2 ? previousScale : { scale: 2, ...decision };
  const next: Record<string, unknown> = { ...stored, news2 };
  if (edit.limits.length > 0) {
    next['thresholdOverrides'] = edit.limits.map(({ vital, limits }) => ({
      vital,
      thresholds: limits.map((l) => ({ direction: l.direction, value: l.value, severity: l.severity, action: '' })),
      ...decision,
      reviewBy: `${edit.reviewBy}T00:00:00.000Z`,
    }));
  } else delete next['thresholdOverrides'];
  if (edit.schedule) next['expectedReadings'] = edit.schedule.map(({ vital, everyHours }) => ({ vital, everyHours }));
  else delete next['expectedReadings'];
  if (edit.weightGain) {
    const stored = (next['weightGain'] as Record<string, unknown> | undefined) ?? {};
    next['weightGain'] = { ...stored, enabled: edit.weightGain.enabled, kg: edit.weightGain.kg, days: edit.weightGain.days, ...(edit.weightGain.severity ? { severity: edit.weightGain.severity } : {}), decision };
  }
  if (edit.spo2Baseline) {
    const { enabled, days, minReadings, minDropPoints, spreadMultiplier, severity } = edit.spo2Baseline;
    next['spo2Baseline'] = { enabled, days, minReadings, minDropPoints, spreadMultiplier, severity, decision };
  }
  return next;
}

/** Problems the rules engine would have following the plan as written (the same check as a raw PUT). */
export function unreadablePlanProblems(admission: AdmittedPlan, now: Date): string[] {
  const mapped = mapCarePlan(admission);
  const scored = assembleHomeNews2([], mapped.carePlan, now);
  return [...mapped.problems, ...(scored.ok ? [] : [scored.error.message])];
}

/** Old and new, field by field (dotted paths; lists compared whole): the stored JSON's diff, kept in the audit log for inspection. */
export function storedPlanDiff(before: unknown, after: unknown, path = ''): { path: string; before: unknown; after: unknown }[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => storedPlanDiff(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, before: before ?? null, after: after ?? null }];
}

const BAND_WORDS: Readonly<Record<AlertSeverityBand, string>> = { low: 'low', 'low-medium': 'low–medium', medium: 'medium', high: 'high' };

const vitalWord = (vital: string): string => (isVitalKey(vital) ? VITAL_LABELS[vital].name : vital);
const valueWords = (vital: string, value: number): string => (isVitalKey(vital) ? formatVitalValue(vital, value) : String(value));
const limitWords = (vital: string, limits: readonly CarePlanLimitView[], withSeverity: boolean): string =>
  limits.length === 0 ? 'none' : limits.map((l) => `${valueWords(vital, l.value)}${withSeverity ? ` (${BAND_WORDS[l.severity]})` : ''}`).join(', ');
const scaleWords = (view: CarePlanEditorView): string => (view.spo2Scale === 2 ? 'Scale 2 (target 88–92 %)' : 'Scale 1');
const onOff = (on: boolean): string => (on ? 'on' : 'off');
const everyWords = (hours: number | null): string => (hours === null ? 'not expected' : `every ${hours} h`);

/**
 * What a save changed, in a clinician's words ("SpO2 lower limit: 94 % → 92 %"), compared on the
 * plan as the rules read it (defaults filled in), so an untouched default is no change. Shown
 * after the save and kept in the audit log beside who and why. `by` names the clinician saving,
 * who confirms a new scale-2 decision.
 */
export function carePlanChanges(before: CarePlanEditorView, after: CarePlanEditorView, by: string): CarePlanChange[] {
  const changes: CarePlanChange[] = [];
  const add = (what: string, was: string, now: string) => {
    if (was !== now) changes.push({ what, before: was, after: now });
  };
  add('SpO2 scale', scaleWords(before), after.spo2Scale === 2 && before.spo2Scale !== 2 ? `${scaleWords(after)}, confirmed by ${by}` : scaleWords(after));
  for (const next of after.vitals) {
    const was = before.vitals.find((v) => v.vital === next.vital);
    if (!was) continue;
    for (const [direction, side] of [
      ['at-or-below', 'lower'],
      ['at-or-above', 'upper'],
    ] as const) {
      const old = (was.personalLimits ?? was.pathwayLimits).filter((l) => l.direction === direction);
      const now = (next.personalLimits ?? next.pathwayLimits).filter((l) => l.direction === direction);
      if (old.length === 0 && now.length === 0) continue; // no limit on this side before or after, whoever's
      // Severities are named when they differ, or when a side is the pathway's (several limits, each with its own).
      const withSeverity = old.length !== 1 || now.length !== 1 || old[0]?.severity !== now[0]?.severity || was.personalLimits === null || next.personalLimits === null;
      const words = (limits: readonly CarePlanLimitView[], personal: boolean) => `${limitWords(next.vital, limits, withSeverity)}${personal ? '' : " (pathway's)"}`;
      add(`${vitalWord(next.vital)} ${side} limit`, words(old, was.personalLimits !== null), words(now, next.personalLimits !== null));
    }
    add(`${vitalWord(next.vital)} expected`, everyWords(was.everyHours), everyWords(next.everyHours));
  }
  const weight = (w: CarePlanEditorView['weightGain']) => ({ on: onOff(w.enabled), amount: `more than ${w.kg} kg within ${w.days} days`, severity: BAND_WORDS[w.severity] });
  const [wasWeight, nowWeight] = [weight(before.weightGain), weight(after.weightGain)];
  add('Weight-gain alert', wasWeight.on, nowWeight.on);
  add('Weight-gain alert when', wasWeight.amount, nowWeight.amount);
  add('Weight-gain alert severity', wasWeight.severity, nowWeight.severity);
  const [b, a] = [before.spo2Baseline, after.spo2Baseline];
  add('SpO2 drop-from-baseline alert', onOff(b.enabled), onOff(a.enabled));
  add('SpO2 baseline period', `${b.days} days`, `${a.days} days`);
  add('SpO2 baseline readings needed', `${b.minReadings}`, `${a.minReadings}`);
  add('SpO2 drop of at least', `${b.minDropPoints} points`, `${a.minDropPoints} points`);
  add('SpO2 drop of at least (spread)', `${b.spreadMultiplier} standard deviations`, `${a.spreadMultiplier} standard deviations`);
  add('SpO2 drop-from-baseline alert severity', BAND_WORDS[b.severity], BAND_WORDS[a.severity]);
  add('Review by', before.reviewBy ?? 'none', after.reviewBy ?? 'none');
  return changes;
}
