import type { Reading, VitalKey } from '@homeward/domain';
import { readingsOf } from '../shared/reading-window';

/** A patient's own usual value of one vital over a period: the rolling mean and spread. */
export interface PersonalBaseline {
  readonly vital: VitalKey;
  readonly from: Date;
  /** Exclusive: a reading measured exactly at `to` (the one being judged) is not part of it. */
  readonly to: Date;
  readonly count: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 for a single reading. */
  readonly standardDeviation: number;
  readonly readings: readonly Reading[];
}

/**
 * The baseline of `vital` from the readings measured in [from, to). Null when there are none.
 * Callers decide how many readings make a baseline worth trusting.
 */
export function personalBaseline(readings: readonly Reading[], vital: VitalKey, from: Date, to: Date): PersonalBaseline | null {
  const window = readingsOf(readings, vital, from, to).filter((r) => r.measuredAt.getTime() < to.getTime());
  if (window.length === 0) return null;
  const values = window.map((r) => r.value);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.length < 2 ? 0 : values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);
  return { vital, from, to, count: values.length, mean, standardDeviation: Math.sqrt(variance), readings: window };
}
