/**
 * NEWS2 vocabulary (Royal College of Physicians, National Early Warning Score 2, 2017).
 * The tables themselves are in news2-parameters.score.ts and news2-risk.score.ts.
 */

/**
 * ACVPU: Alert, new Confusion, Voice, Pain, Unresponsive. "C" is new confusion (or new
 * disorientation or agitation); a patient's long-standing confusion is recorded as their
 * baseline by the clinician, not as C.
 */
export const ACVPU_LEVELS = ['A', 'C', 'V', 'P', 'U'] as const;
export type Acvpu = (typeof ACVPU_LEVELS)[number];

export const ACVPU_NAMES: Readonly<Record<Acvpu, string>> = {
  A: 'alert',
  C: 'new confusion',
  V: 'responds to voice',
  P: 'responds to pain',
  U: 'unresponsive',
};

export function isAcvpu(value: unknown): value is Acvpu {
  return typeof value === 'string' && (ACVPU_LEVELS as readonly string[]).includes(value);
}

/** Breathing room air, or any supplemental oxygen (NEWS2 scores oxygen 2 whatever the flow). */
export const AIR_OR_OXYGEN = ['air', 'oxygen'] as const;
export type AirOrOxygen = (typeof AIR_OR_OXYGEN)[number];

export function isAirOrOxygen(value: unknown): value is AirOrOxygen {
  return typeof value === 'string' && (AIR_OR_OXYGEN as readonly string[]).includes(value);
}

/**
 * SpO2 scale 1 is the default. Scale 2 is only for hypercapnic respiratory failure (target
 * 88–92 %) and only when a clinician has decided it: used elsewhere, it hides hypoxia.
 */
export type Spo2Scale = 1 | 2;

export type News2ParameterScore = 0 | 1 | 2 | 3;

/**
 * The seven NEWS2 parameters, in chart order. The five measured ones use the domain's VitalKey
 * names (heart_rate is the chart's "pulse"); consciousness and air/oxygen are observations.
 */
export const NEWS2_PARAMETERS = [
  'respiration_rate',
  'spo2',
  'air_or_oxygen',
  'systolic_bp',
  'heart_rate',
  'consciousness',
  'body_temperature',
] as const;
export type News2Parameter = (typeof NEWS2_PARAMETERS)[number];

export const NEWS2_MEASURED_PARAMETERS = ['respiration_rate', 'spo2', 'systolic_bp', 'heart_rate', 'body_temperature'] as const;
export type News2MeasuredParameter = (typeof NEWS2_MEASURED_PARAMETERS)[number];

export const NEWS2_PARAMETER_NAMES: Readonly<Record<News2Parameter, string>> = {
  respiration_rate: 'respiratory rate',
  spo2: 'SpO2',
  air_or_oxygen: 'air or oxygen',
  systolic_bp: 'systolic BP',
  heart_rate: 'pulse',
  consciousness: 'consciousness (ACVPU)',
  body_temperature: 'temperature',
};

/** What a NEWS2 is calculated from. Every parameter may be absent; the result then says so. */
export interface News2Values {
  readonly respiration_rate?: number;
  readonly spo2?: number;
  readonly air_or_oxygen?: AirOrOxygen;
  readonly systolic_bp?: number;
  readonly heart_rate?: number;
  readonly consciousness?: Acvpu;
  readonly body_temperature?: number;
}

export interface MeasuredParameterResult {
  /** As given. */
  readonly value: number;
  /** The value the chart was read at: rounded half away from zero to the chart's precision. */
  readonly scoredValue: number;
  readonly score: News2ParameterScore;
}

export interface Spo2ParameterResult extends MeasuredParameterResult {
  readonly scale: Spo2Scale;
  /**
   * 'air' when scale 2, SpO2 ≥ 93 % and air/oxygen unknown: scored as on air (0), the lowest
   * it could be, so the partial aggregate stays a lower bound of the true one.
   */
  readonly assumed?: 'air';
}

export interface News2ParameterResults {
  readonly respiration_rate?: MeasuredParameterResult;
  readonly spo2?: Spo2ParameterResult;
  readonly air_or_oxygen?: { readonly value: AirOrOxygen; readonly score: News2ParameterScore };
  readonly systolic_bp?: MeasuredParameterResult;
  readonly heart_rate?: MeasuredParameterResult;
  readonly consciousness?: { readonly value: Acvpu; readonly score: News2ParameterScore };
  readonly body_temperature?: MeasuredParameterResult;
}

/** RCP chart 3 (thresholds and triggers). "low-medium" is a 3 in any single parameter. */
export const NEWS2_RISK_BANDS = ['low', 'low-medium', 'medium', 'high'] as const;
export type News2RiskBand = (typeof NEWS2_RISK_BANDS)[number];

/** Which row of RCP chart 4 (clinical response to the trigger thresholds) applies. */
export type News2Trigger = 'aggregate-0' | 'aggregate-1-4' | 'single-parameter-3' | 'aggregate-5-6' | 'aggregate-7-plus';

export interface News2Risk {
  readonly band: News2RiskBand;
  readonly trigger: News2Trigger;
  /** Minimum frequency of monitoring. */
  readonly monitoring: string;
  /** The clinical response, as the RCP chart words it for a ward. */
  readonly response: string;
}

interface News2Common {
  readonly spo2Scale: Spo2Scale;
  readonly parameters: News2ParameterResults;
  /** Parameters the score was calculated from, in chart order. */
  readonly present: readonly News2Parameter[];
  /** True when any present parameter scored 3 (a "red score"). */
  readonly hasSingleParameter3: boolean;
}

/** Every one of the seven parameters was present. */
export interface CompleteNews2 extends News2Common {
  readonly partial: false;
  readonly missing: readonly [];
  /** The aggregate, 0–20. */
  readonly score: number;
  readonly risk: News2Risk;
}

/**
 * One or more parameters were missing. The score and risk have different names from a complete
 * result's on purpose: code cannot read `score` without first checking `partial`, so a partial
 * score cannot be shown as if it were complete by accident.
 *
 * A missing parameter could only add points, so `partialScore` is a lower bound of the true
 * aggregate: a partial score of 5 means at least 5; a partial score of 0 reassures nobody.
 */
export interface PartialNews2 extends News2Common {
  readonly partial: true;
  readonly missing: readonly [News2Parameter, ...News2Parameter[]];
  /** Sum of the present parameters' scores: at least this much, possibly more. */
  readonly partialScore: number;
  /** The band the present parameters alone reach: at least this band, possibly higher. */
  readonly partialRisk: News2Risk;
}

export type News2Result = CompleteNews2 | PartialNews2;
