import type { AlertSeverityBand, ChartThreshold } from '@homeward/contracts';

/**
 * The pure geometry of a readable trend chart (issue 19): time ticks at intervals a person
 * counts in, gaps where expected readings are missing, and the patient's limits as shaded bands.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface TimeTicks {
  readonly unit: 'hour' | 'day';
  readonly stepSize: number;
  /** date-fns format of an ordinary tick; midnight ticks (major) show the date. */
  readonly format: string;
}

/** Hours for a day (every 3 h), days for a week (every day), every 5 days for a month, with dates. */
export function timeTicks(from: number, to: number): TimeTicks {
  const span = Math.max(0, to - from);
  if (span <= 2 * DAY) return { unit: 'hour', stepSize: span <= 12 * HOUR ? 1 : 3, format: 'HH:mm' };
  if (span <= 10 * DAY) return { unit: 'day', stepSize: 1, format: 'EEE d MMM' };
  return { unit: 'day', stepSize: span <= 40 * DAY ? 5 : 14, format: 'd MMM' };
}

/**
 * How long after a reading the next one counts as missing: the schedule's interval plus the
 * silence rules' grace (4 h for a daily reading, the night for readings due several times a day:
 * libs/rules pathway-schedules.defaults). Without a schedule, five of the patient's usual
 * intervals (a device sending every minute leaves a gap after 5 minutes), at least 10 minutes.
 */
export function gapLimitMs(everyHours: number | null | undefined, times: readonly number[]): number {
  if (everyHours && everyHours > 0) return (everyHours + (everyHours >= 24 ? 4 : Math.max(2, 16 - everyHours))) * HOUR;
  const intervals = times.slice(1).map((t, i) => t - (times[i] ?? t)).filter((d) => d > 0).sort((a, b) => a - b);
  const median = intervals[Math.floor(intervals.length / 2)];
  return Math.max(10 * 60_000, (median ?? 0) * 5);
}

export interface GapPoint {
  readonly x: number;
  readonly y: number | null;
}

/** Points (sorted by time) with a null between any two further apart than limitMs: the line breaks there. */
export function splitAtGaps(points: ReadonlyArray<{ x: number; y: number }>, limitMs: number): GapPoint[] {
  const out: GapPoint[] = [];
  points.forEach((p, i) => {
    const previous = points[i - 1];
    if (previous && p.x - previous.x > limitMs) out.push({ x: previous.x + (p.x - previous.x) / 2, y: null });
    out.push(p);
  });
  return out;
}

/** The gaps of a series, as [after, before] pairs, for the table alternative's words. */
export function gapsOf(points: readonly GapPoint[]): Array<{ after: number; before: number }> {
  return points.flatMap((p, i) => {
    const before = points[i - 1];
    const after = points[i + 1];
    return p.y === null && before && after ? [{ after: before.x, before: after.x }] : [];
  });
}

export interface ThresholdBand {
  readonly from: number;
  readonly to: number;
  readonly severity: AlertSeverityBand;
}

const SEVERITY_ORDER: readonly AlertSeverityBand[] = ['low', 'low-medium', 'medium', 'high'];

/**
 * Shaded bands for a vital's effective limits within [yMin, yMax]: each "at or above" limit shades
 * from its value up to the next, more severe limit (the top one up to yMax); each "at or below"
 * limit shades down to the next, lower limit (the lowest to yMin). Bands outside the range are
 * clipped; limits of unknown severity are not shaded (their line is still drawn).
 */
export function thresholdBands(thresholds: readonly ChartThreshold[], yMin: number, yMax: number): ThresholdBand[] {
  const known = thresholds.filter((t): t is ChartThreshold & { severity: AlertSeverityBand } => SEVERITY_ORDER.includes(t.severity as AlertSeverityBand));
  const above = known.filter((t) => t.direction === 'at-or-above').sort((a, b) => a.value - b.value);
  const below = known.filter((t) => t.direction === 'at-or-below').sort((a, b) => b.value - a.value);
  const bands: ThresholdBand[] = [
    ...above.map((t, i) => ({ from: t.value, to: above[i + 1]?.value ?? yMax, severity: t.severity })),
    ...below.map((t, i) => ({ from: below[i + 1]?.value ?? yMin, to: t.value, severity: t.severity })),
  ];
  return bands
    .map((b) => ({ from: Math.max(yMin, b.from), to: Math.min(yMax, b.to), severity: b.severity }))
    .filter((b) => b.to > b.from);
}
