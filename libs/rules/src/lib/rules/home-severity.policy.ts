import type { VitalKey } from '@homeward/domain';
import type { AlertSeverity } from '../model/alert-candidate.model';
import type { CarePlan, ThresholdOverride } from '../model/care-plan.model';
import { isDocumentedDecision } from '../news2/home-news2.assembler';
import { NEWS2_MEASURED_PARAMETERS, type News2MeasuredParameter, type News2Parameter, type News2Result, type Spo2Scale } from '../news2/news2.model';
import { scorePulse, scoreRespirationRate, scoreSpo2Scale1, scoreSpo2Scale2, scoreSystolicBp, scoreTemperature } from '../news2/news2-parameters.score';

/**
 * Severity at home (../shared/CLINICAL.md, "Severity at home"), the same on every pathway.
 *
 * On a ward a single red parameter is "low-medium, urgent ward-based response" because the nurse
 * re-observes hourly; at home nobody does, so it is top severity. The RCP band stays in each
 * finding's details (`band`) for the record; the alert's severity is this table's.
 */
export type HomeSeverityTrigger = 'aggregate-7-plus' | 'single-parameter-3' | 'aggregate-5-6' | 'aggregate-1-4' | 'aggregate-0';

export const HOME_SEVERITY_TABLE: readonly { readonly finding: string; readonly trigger: HomeSeverityTrigger | 'limit-crossed'; readonly severity: AlertSeverity | null }[] = [
  { finding: 'NEWS2 aggregate ≥ 7', trigger: 'aggregate-7-plus', severity: 'high' },
  { finding: 'any single NEWS2 parameter scoring 3 (red)', trigger: 'single-parameter-3', severity: 'high' },
  { finding: 'NEWS2 aggregate 5–6', trigger: 'aggregate-5-6', severity: 'medium' },
  { finding: 'NEWS2 aggregate 1–4 alone: no worklist alert (patient page, ward overview)', trigger: 'aggregate-1-4', severity: null },
  { finding: 'NEWS2 aggregate 0', trigger: 'aggregate-0', severity: null },
  { finding: 'a pathway or personal limit crossed: at least low, the limit may set higher', trigger: 'limit-crossed', severity: 'low' },
];

export interface HomeNews2Severity {
  /** null: below alerting. The score is still shown (NEWS2 chart, ward overview), not put on the worklist. */
  readonly severity: AlertSeverity | null;
  readonly trigger: HomeSeverityTrigger;
  /** The aggregate (a lower bound when the NEWS2 is partial). */
  readonly score: number;
  /** Parameters scoring 3 that count towards the red trigger. */
  readonly redParameters: readonly News2Parameter[];
  /** Parameters scoring 3 that a clinician's `lowersSeverity` override took out of the red trigger. */
  readonly exemptedRedParameters: readonly News2Parameter[];
}

/**
 * The home severity of a NEWS2 (complete or partial: a partial score is a lower bound, so it
 * alerts on what it has). `exempt` lists parameters whose red score a clinician's override
 * (`lowersSeverity`) keeps from triggering on its own; the aggregate still counts them.
 * `alertFrom: 'low'` makes 1–4 a low alert (more sensitive); nothing makes the table less so.
 */
export function homeNews2Severity(result: News2Result, options: { readonly alertFrom?: AlertSeverity; readonly exempt?: readonly News2Parameter[] } = {}): HomeNews2Severity {
  const score = result.partial ? result.partialScore : result.score;
  const red = result.present.filter((p) => result.parameters[p]?.score === 3);
  const exempt = new Set(options.exempt ?? []);
  const redParameters = red.filter((p) => !exempt.has(p));
  const exemptedRedParameters = red.filter((p) => exempt.has(p));
  // Written out, not spread from a common part: it runs at every judged moment (see scoreNews2).
  if (score >= 7) return { score, redParameters, exemptedRedParameters, severity: 'high', trigger: 'aggregate-7-plus' };
  if (redParameters.length > 0) return { score, redParameters, exemptedRedParameters, severity: 'high', trigger: 'single-parameter-3' };
  if (score >= 5) return { score, redParameters, exemptedRedParameters, severity: 'medium', trigger: 'aggregate-5-6' };
  if (score >= 1) return { score, redParameters, exemptedRedParameters, severity: options.alertFrom === 'low' ? 'low' : null, trigger: 'aggregate-1-4' };
  return { score, redParameters, exemptedRedParameters, severity: null, trigger: 'aggregate-0' };
}

const SCORERS: Readonly<Record<Exclude<News2MeasuredParameter, 'spo2'>, (value: number) => number>> = {
  respiration_rate: scoreRespirationRate,
  systolic_bp: scoreSystolicBp,
  heart_rate: scorePulse,
  body_temperature: scoreTemperature,
};

function isNews2Measured(vital: VitalKey): vital is News2MeasuredParameter {
  return (NEWS2_MEASURED_PARAMETERS as readonly string[]).includes(vital);
}

/**
 * The least severity one value of one vital gets on any pathway: 'high' when it scores 3 in NEWS2
 * on the patient's SpO2 scale, else null. On scale 2 SpO2 is read as on air: whether ≥ 97 % is
 * red depends on oxygen, which a single reading does not carry (the NEWS2 rule sees it).
 */
export function vitalSeverityFloor(vital: VitalKey, value: number, spo2Scale: Spo2Scale): AlertSeverity | null {
  if (!isNews2Measured(vital) || !Number.isFinite(value)) return null;
  const score = vital === 'spo2' ? (spo2Scale === 2 ? scoreSpo2Scale2(value, 'air') : scoreSpo2Scale1(value)) : SCORERS[vital](value);
  return score === 3 ? 'high' : null;
}

/**
 * The clinician overrides of this plan that lower severity (`lowersSeverity`), the most recent
 * per vital, as effectiveThresholds picks them.
 */
export function severityLoweringOverrides(carePlan: CarePlan): ThresholdOverride[] {
  const latest = new Map<VitalKey, ThresholdOverride>();
  for (const override of carePlan.thresholdOverrides ?? []) {
    const current = latest.get(override.vital);
    if (!current || override.decidedAt.getTime() >= current.decidedAt.getTime()) latest.set(override.vital, override);
  }
  return [...latest.values()].filter((o) => o.lowersSeverity === true);
}

/** What an alert shows about an override that shaped its severity. */
export function overrideNote(override: ThresholdOverride, now: Date): Readonly<Record<string, unknown>> {
  return {
    vital: override.vital,
    decidedBy: override.decidedBy,
    decidedAt: override.decidedAt,
    reason: override.reason,
    reviewBy: override.reviewBy,
    reviewOverdue: override.reviewBy.getTime() < now.getTime(),
    lowersSeverity: override.lowersSeverity === true,
  };
}

/**
 * The SpO2 scale the limits and the physiology floor use: 2 only with a recorded clinician
 * decision (who, when, why). An undocumented scale 2 is read as scale 1 here, because scale 2
 * where it does not belong hides hypoxia (the NEWS2 rule separately refuses it, loudly).
 */
export function documentedSpo2Scale(carePlan: CarePlan): Spo2Scale {
  const decision = carePlan.news2.spo2Scale;
  return decision.scale === 2 && isDocumentedDecision(decision) ? 2 : 1;
}
