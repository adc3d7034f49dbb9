/** Small pure helpers shared by the alert-burden and ward-outcomes reports. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Milliseconds of [start, end) inside [from, to). */
export function overlapMs(start: Date, end: Date | null, from: Date, to: Date): number {
  const s = Math.max(start.getTime(), from.getTime());
  const e = Math.min((end ?? to).getTime(), to.getTime());
  return Math.max(0, e - s);
}

/** The p-th quantile (0–1) by linear interpolation between closest ranks, as PostgreSQL's percentile_cont; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export function round(value: number, places: number): number;
export function round(value: number | null, places: number): number | null;
export function round(value: number | null, places: number): number | null {
  if (value === null) return null;
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

/** count / denominator, or null when there is nothing to divide by. */
export function rate(count: number, denominator: number, places = 3): number | null {
  return denominator > 0 ? round(count / denominator, places) : null;
}

/** Counts of each key, in first-seen order unless `order` lists them. */
export function countBy<T>(items: readonly T[], key: (item: T) => string, order?: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>((order ?? []).map((k) => [k, 0]));
  for (const item of items) {
    const k = key(item);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** UTC months touching [from, to), as YYYY-MM with their bounds clipped to the period. */
export function monthsOf(from: Date, to: Date): { month: string; from: Date; to: Date }[] {
  const months: { month: string; from: Date; to: Date }[] = [];
  let start = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (start < to) {
    const next = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    const month = `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
    months.push({ month, from: start < from ? from : start, to: next > to ? to : next });
    start = next;
  }
  return months;
}
