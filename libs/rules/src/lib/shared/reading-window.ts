import type { Reading, VitalKey } from '@homeward/domain';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** True when `time` lies in the closed interval [from, to]. */
export function isWithin(time: Date, from: Date, to: Date): boolean {
  const t = time.getTime();
  return t >= from.getTime() && t <= to.getTime();
}

/**
 * Orders readings by measurement time ("latest" means latest measured, never latest arrived).
 * Two readings measured at the same instant are ordered by arrival, then idempotency key, so the
 * choice of "latest" never depends on the order a caller happened to pass them in.
 */
export function compareByMeasuredAt(a: Reading, b: Reading): number {
  return (
    a.measuredAt.getTime() - b.measuredAt.getTime() ||
    a.receivedAt.getTime() - b.receivedAt.getTime() ||
    (a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0)
  );
}

/** The readings of one vital measured in [from, to], oldest first. */
export function readingsOf(readings: readonly Reading[], vital: VitalKey, from: Date, to: Date): Reading[] {
  return readings.filter((r) => r.vital === vital && isWithin(r.measuredAt, from, to)).sort(compareByMeasuredAt);
}

/**
 * The latest measured reading of one vital in [from, to], if any: the last of readingsOf, found in
 * one pass without sorting. Among readings compareByMeasuredAt cannot tell apart, the one passed
 * last wins, as it does at the end of readingsOf's stable sort.
 */
export function latestOf(readings: readonly Reading[], vital: VitalKey, from: Date, to: Date): Reading | undefined {
  const start = from.getTime();
  const end = to.getTime();
  let latest: Reading | undefined;
  for (const r of readings) {
    if (r.vital !== vital) continue;
    const t = r.measuredAt.getTime();
    if (t < start || t > end) continue;
    if (latest === undefined || compareByMeasuredAt(r, latest) >= 0) latest = r;
  }
  return latest;
}

/**
 * The readings of this patient: the same array when every one is theirs (the engine's and the
 * backtest's windows are one patient's), so a rule judging many moments does not copy it each time.
 */
export function ownReadings(readings: readonly Reading[], patientId: string): readonly Reading[] {
  for (const r of readings) if (r.patientId !== patientId) return readings.filter((x) => x.patientId === patientId);
  return readings;
}

export function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/**
 * latestOf for several vitals in one pass: each vital's latest measured reading in [from, to]
 * (absent when it has none), the same reading latestOf picks.
 */
export function latestOfEach<V extends VitalKey>(readings: readonly Reading[], vitals: readonly V[], from: Date, to: Date): Partial<Record<V, Reading>> {
  const start = from.getTime();
  const end = to.getTime();
  const latest: Partial<Record<VitalKey, Reading>> = {};
  for (const r of readings) {
    if (!vitals.includes(r.vital as V)) continue;
    const t = r.measuredAt.getTime();
    if (t < start || t > end) continue;
    const current = latest[r.vital];
    if (current === undefined || compareByMeasuredAt(r, current) >= 0) latest[r.vital] = r;
  }
  return latest as Partial<Record<V, Reading>>;
}
