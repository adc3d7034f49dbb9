import { type CodedError, type Result, VITAL_SIGNS, checkPlausible, fail, ok } from '@homeward/domain';
import {
  NEWS2_MEASURED_PARAMETERS,
  NEWS2_PARAMETERS,
  NEWS2_PARAMETER_NAMES,
  isAcvpu,
  isAirOrOxygen,
  type News2MeasuredParameter,
  type News2Parameter,
  type News2ParameterResults,
  type News2ParameterScore,
  type News2Result,
  type News2RiskBand,
  type News2Values,
  type Spo2ParameterResult,
  type Spo2Scale,
} from './news2.model';
import {
  news2ChartValue,
  scoreAirOrOxygen,
  scoreConsciousness,
  scorePulse,
  scoreRespirationRate,
  scoreSpo2Scale1,
  scoreSpo2Scale2,
  scoreSystolicBp,
  scoreTemperature,
} from './news2-parameters.score';
import { news2Risk } from './news2-risk.score';

export type News2InputErrorCode =
  | 'news2.invalid-scale'
  | 'news2.not-a-number'
  | 'news2.implausible'
  | 'news2.invalid-acvpu'
  | 'news2.invalid-air-or-oxygen';

const MEASURED_SCORERS: Readonly<Record<Exclude<News2MeasuredParameter, 'spo2'>, (value: number) => News2ParameterScore>> = {
  respiration_rate: scoreRespirationRate,
  systolic_bp: scoreSystolicBp,
  heart_rate: scorePulse,
  body_temperature: scoreTemperature,
};

/**
 * NEWS2 (RCP 2017) from whatever parameters are present. With all seven it is a complete score;
 * with any missing it is a PartialNews2 whose score is a lower bound (see news2.model.ts).
 *
 * `spo2Scale` is required so that every caller decides it; scale 2 belongs only to a patient a
 * clinician has put on it. Values are checked before scoring: finite numbers inside the domain's
 * plausibility ranges (the same ones the ingest pipeline enforces), valid ACVPU and air/oxygen.
 * `undefined` or `null` means not measured.
 */
export function scoreNews2(values: News2Values, spo2Scale: Spo2Scale): Result<News2Result, CodedError<News2InputErrorCode>> {
  if (spo2Scale !== 1 && spo2Scale !== 2) {
    return fail('news2.invalid-scale', `SpO2 scale must be 1 or 2, not ${String(spo2Scale)}.`, { scale: String(spo2Scale) });
  }
  const invalid = validateValues(values);
  if (invalid) return { ok: false, error: invalid };

  const parameters: { -readonly [K in keyof News2ParameterResults]: News2ParameterResults[K] } = {};
  for (const parameter of NEWS2_MEASURED_PARAMETERS) {
    if (parameter === 'spo2') continue;
    const value = values[parameter];
    if (value == null) continue;
    parameters[parameter] = { value, scoredValue: news2ChartValue(parameter, value), score: MEASURED_SCORERS[parameter](value) };
  }
  if (values.air_or_oxygen != null) {
    parameters.air_or_oxygen = { value: values.air_or_oxygen, score: scoreAirOrOxygen(values.air_or_oxygen) };
  }
  if (values.consciousness != null) {
    parameters.consciousness = { value: values.consciousness, score: scoreConsciousness(values.consciousness) };
  }
  if (values.spo2 != null) parameters.spo2 = scoreSpo2(values.spo2, spo2Scale, values.air_or_oxygen ?? null);

  const present = NEWS2_PARAMETERS.filter((p) => parameters[p] !== undefined);
  const missing = NEWS2_PARAMETERS.filter((p) => parameters[p] === undefined);
  const scores = present.map((p) => parameters[p]?.score ?? 0);
  const aggregate = scores.reduce<number>((sum, s) => sum + s, 0);
  const hasSingleParameter3 = scores.includes(3);
  const risk = news2Risk(aggregate, hasSingleParameter3);
  // Written out rather than spread from a common part: this runs at every moment an engine or a
  // backtest judges, and the rest-destructuring and spreads cost more than the scoring itself.
  if (missing.length === 0) return ok({ spo2Scale, parameters, present, hasSingleParameter3, partial: false, missing: [], score: aggregate, risk });
  return ok({ spo2Scale, parameters, present, hasSingleParameter3, partial: true, missing: missing as [News2Parameter, ...News2Parameter[]], partialScore: aggregate, partialRisk: risk });
}

function scoreSpo2(value: number, scale: Spo2Scale, airOrOxygen: 'air' | 'oxygen' | null): Spo2ParameterResult {
  const scoredValue = news2ChartValue('spo2', value);
  if (scale === 1) return { value, scoredValue, scale, score: scoreSpo2Scale1(value) };
  // Scale 2 at 93 % and above needs to know air or oxygen. Unknown, it is scored as on air (0),
  // the lowest it can be: the result is partial anyway (air/oxygen missing) and stays a lower bound.
  if (airOrOxygen === null && scoredValue >= 93) return { value, scoredValue, scale, score: 0, assumed: 'air' };
  return { value, scoredValue, scale, score: scoreSpo2Scale2(value, airOrOxygen ?? 'air') };
}

function validateValues(values: News2Values): CodedError<News2InputErrorCode> | null {
  for (const parameter of NEWS2_MEASURED_PARAMETERS) {
    const value: unknown = values[parameter];
    if (value == null) continue;
    const { display, unit } = VITAL_SIGNS[parameter];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return { code: 'news2.not-a-number', message: `${display} must be a finite number of ${unit}.`, details: { parameter, value: String(value) } };
    }
    const implausible = checkPlausible(parameter, value);
    if (implausible) return { code: 'news2.implausible', message: implausible.message, details: { parameter, ...implausible.details } };
  }
  const consciousness: unknown = values.consciousness;
  if (consciousness != null && !isAcvpu(consciousness)) {
    return {
      code: 'news2.invalid-acvpu',
      message: `Consciousness must be one of A, C, V, P or U (ACVPU), not "${String(consciousness)}".`,
      details: { value: String(consciousness) },
    };
  }
  const airOrOxygen: unknown = values.air_or_oxygen;
  if (airOrOxygen != null && !isAirOrOxygen(airOrOxygen)) {
    return {
      code: 'news2.invalid-air-or-oxygen',
      message: `Air or oxygen must be "air" or "oxygen", not "${String(airOrOxygen)}".`,
      details: { value: String(airOrOxygen) },
    };
  }
  return null;
}

/** The score whatever its completeness, with the partial flag beside it: for lists and sorting. */
export function news2Headline(result: News2Result): { readonly score: number; readonly band: News2RiskBand; readonly partial: boolean } {
  return result.partial
    ? { score: result.partialScore, band: result.partialRisk.band, partial: true }
    : { score: result.score, band: result.risk.band, partial: false };
}

/**
 * One line a person can read, which never lets a partial score pass for a complete one:
 * "NEWS2 6 (medium risk)" or "Partial NEWS2: at least 3 (low-medium risk) from 5 of 7
 * parameters; missing respiratory rate, consciousness (ACVPU)".
 */
export function describeNews2(result: News2Result): string {
  if (!result.partial) return `NEWS2 ${result.score} (${result.risk.band} risk)`;
  const missing = result.missing.map((p) => NEWS2_PARAMETER_NAMES[p]).join(', ');
  return `Partial NEWS2: at least ${result.partialScore} (${result.partialRisk.band} risk) from ${result.present.length} of ${NEWS2_PARAMETERS.length} parameters; missing ${missing}`;
}
