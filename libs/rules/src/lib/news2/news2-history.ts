import type { CodedError, Reading, Result } from '@homeward/domain';
import type { CarePlan } from '../model/care-plan.model';
import { HOUR_MS, compareByMeasuredAt, isWithin } from '../shared/reading-window';
import { assembleHomeNews2, type HomeNews2ErrorCode } from './home-news2.assembler';
import { NEWS2_MEASURED_PARAMETERS, type News2ParameterResults, type News2Parameter, type News2RiskBand } from './news2.model';

/** One point of a patient's NEWS2 chart: the home NEWS2 as it stood when a reading was measured. */
export interface News2HistoryPoint {
  readonly at: Date;
  /** False when a parameter was missing: `score` is then a lower bound ("at least"). */
  readonly complete: boolean;
  readonly score: number;
  readonly band: News2RiskBand;
  readonly hasSingleParameter3: boolean;
  readonly missing: readonly News2Parameter[];
  readonly parameters: News2ParameterResults;
}

/**
 * The NEWS2 chart over [from, to]: one point at the measurement time of each NEWS2 reading in the
 * range, scored exactly as the rules engine scores it at that moment (assembleHomeNews2: the
 * latest reading of each parameter inside the care plan's window ending then). Pass readings from
 * `from − windowHours` on, so the first points see the readings before the range. Several
 * readings measured at one instant (a BP cuff's systolic and pulse) make one point.
 */
export function news2History(readings: readonly Reading[], carePlan: CarePlan, from: Date, to: Date): Result<News2HistoryPoint[], CodedError<HomeNews2ErrorCode>> {
  const parameters: readonly string[] = NEWS2_MEASURED_PARAMETERS;
  const relevant = readings.filter((r) => parameters.includes(r.vital)).sort(compareByMeasuredAt);
  const windowStart = new Date(from.getTime() - carePlan.news2.windowHours * HOUR_MS);
  const inWindow = relevant.filter((r) => isWithin(r.measuredAt, windowStart, to));
  const moments = [...new Set(inWindow.filter((r) => isWithin(r.measuredAt, from, to)).map((r) => r.measuredAt.getTime()))];
  const points: News2HistoryPoint[] = [];
  for (const moment of moments) {
    const assembled = assembleHomeNews2(inWindow, carePlan, new Date(moment));
    if (!assembled.ok) return assembled;
    const news2 = assembled.value;
    points.push({
      at: new Date(moment),
      complete: !news2.partial,
      score: news2.partial ? news2.partialScore : news2.score,
      band: news2.partial ? news2.partialRisk.band : news2.risk.band,
      hasSingleParameter3: news2.hasSingleParameter3,
      missing: news2.missing,
      parameters: news2.parameters,
    });
  }
  return { ok: true, value: points };
}
