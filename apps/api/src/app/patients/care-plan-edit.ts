import type { CarePlanChange, CarePlanEditDto, CarePlanEditorView, CarePlanLimitView } from '@homeward/contracts';
import { type Pathway, VITAL_SIGNS, type VitalKey } from '@homeward/domain';
import { assembleHomeNews2, documentedSpo2Scale, effectiveThresholds, mapCarePlan, pathwaySchedule, pathwayThresholds, weightGainSettings } from '@homeward/rules';

/** The vitals the editor offers, in the order a nurse reads them (NEWS2 order, then weight). */
export const EDITABLE_VITALS: readonly VitalKey[] = ['respiration_rate', 'spo2', 'systolic_bp', 'heart_rate', 'body_temperature', 'body_weight'];

export interface AdmittedPlan {
  readonly patientId: string;
  readonly pathway: Pathway;
  readonly carePlan: Readonly<Record<string, unknown>>;
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
    weightGain: { enabled: weight.enabled, kg: weight.kg, days: weight.days },
    reviewBy: firstOverride ? firstOverride.reviewBy.toISOString().slice(0, 10) : null,
    reason: firstOverride?.reason ?? (decision.scale === 2 ? decision.reason : null),
    problems: mapped.problems,
  };
}

/**
 * Field-level problems of an edit, each keyed by the form field it belongs to ("limits.spo2",
 * "reviewBy", "spo2Scale"), in words a clinician can act on. Empty when the edit can be saved.
 */
export function carePlanEditProblems(edit: CarePlanEditDto, admission: AdmittedPlan, today: string): Record<string, string> {
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
  return problems;
}

/**
 * The stored plan after the edit, in the shape libs/rules' care-plan mapper reads. Parts the
 * editor does not show (NEWS2 window, oxygen, baseline settings) are kept as they were; each
 * decision carries who made it, when and why. A scale-2 decision already on record is kept.
 */
export function editedCarePlan(stored: Readonly<Record<string, unknown>>, edit: CarePlanEditDto, userId: string, now: Date): Record<string, unknown> {
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
  if (edit.weightGain) next['weightGain'] = { enabled: edit.weightGain.enabled, kg: edit.weightGain.kg, days: edit.weightGain.days, decision };
  return next;
}

/** Problems the rules engine would have following the plan as written (the same check as a raw PUT). */
export function unreadablePlanProblems(admission: AdmittedPlan): string[] {
  const mapped = mapCarePlan(admission);
  const scored = assembleHomeNews2([], mapped.carePlan, new Date());
  return [...mapped.problems, ...(scored.ok ? [] : [scored.error.message])];
}

/** Old and new, field by field (dotted paths; lists compared whole), for the audit log and the screen. */
export function carePlanChanges(before: unknown, after: unknown, path = ''): CarePlanChange[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => carePlanChanges(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, before: before ?? null, after: after ?? null }];
}
