/** The backtest page's pure parts: the default period, side-by-side rows, catch verdicts and links to readings. */
import type { BacktestCatch, BacktestFinding, RateRow } from '@homeward/contracts';

const DAY = 86_400_000;

/** The last 30 days, as date fields show them (YYYY-MM-DD, UTC): from 30 days ago to today, both included. */
export function defaultBacktestDates(now: number): { from: string; to: string } {
  return { from: new Date(now - 30 * DAY).toISOString().slice(0, 10), to: new Date(now).toISOString().slice(0, 10) };
}

/**
 * The [from, to) the API is asked for: from the first day's midnight to the end of the last day,
 * cut at `now` (time that has not happened yet holds no readings and would count as patient-days).
 * null when the dates are not dates or the last day is before the first.
 */
export function backtestRange(fromDate: string, toDate: string, now: number): { from: string; to: string } | null {
  const from = Date.parse(`${fromDate}T00:00:00Z`);
  const endOfLastDay = Date.parse(`${toDate}T00:00:00Z`) + DAY;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(fromDate) || !/^\d{4}-\d{2}-\d{2}$/.test(toDate) || Number.isNaN(from) || Number.isNaN(endOfLastDay)) return null;
  const to = Math.min(endOfLastDay, now);
  return to > from ? { from: new Date(from).toISOString(), to: new Date(to).toISOString() } : null;
}

export interface SideBySideRow {
  readonly key: string;
  readonly current: RateRow | null;
  readonly proposed: RateRow | null;
}

/** Every key of either plan's breakdown, in order, with each plan's row (null: that plan found none). */
export function sideBySide(current: readonly RateRow[], proposed: readonly RateRow[]): SideBySideRow[] {
  const keys = [...new Set([...current, ...proposed].map((r) => r.key))].sort();
  return keys.map((key) => ({ key, current: current.find((r) => r.key === key) ?? null, proposed: proposed.find((r) => r.key === key) ?? null }));
}

export type CatchKind = 'earlier' | 'later' | 'same' | 'missed' | 'new' | 'neither';

/** What the proposed plan does to a past alert that needed clinical action, in words a clinician reads. */
export function catchVerdict(c: BacktestCatch): { kind: CatchKind; text: string } {
  if (c.currentAt !== null && c.proposedAt === null) return { kind: 'missed', text: 'Missed by the proposed plan' };
  if (c.currentAt === null && c.proposedAt !== null) return { kind: 'new', text: 'Caught only by the proposed plan' };
  if (c.currentAt === null || c.proposedAt === null || c.shiftHours === null) return { kind: 'neither', text: 'Found by neither plan near the alert' };
  if (c.shiftHours === 0) return { kind: 'same', text: 'Caught at the same time' };
  const hours = `${Math.abs(c.shiftHours)} h`;
  return c.shiftHours < 0 ? { kind: 'earlier', text: `Caught ${hours} earlier` } : { kind: 'later', text: `Caught ${hours} later` };
}

/** Counts of each verdict, for the summary line ("2 earlier, 1 missed"). */
export function catchCounts(catches: readonly BacktestCatch[]): Record<CatchKind, number> {
  const counts: Record<CatchKind, number> = { earlier: 0, later: 0, same: 0, missed: 0, new: 0, neither: 0 };
  for (const c of catches) counts[catchVerdict(c).kind]++;
  return counts;
}

/** The patient page showing exactly the readings behind a finding (and when it was judged). */
export function readingsLink(patientId: string, finding: Pick<BacktestFinding, 'readingIds' | 'at'>): string {
  return `/patients/${patientId}?readings=${finding.readingIds.join(',')}&at=${encodeURIComponent(finding.at)}`;
}

/** The reading ids and moment a readings link carries, or null when the address has none (or a malformed list). */
export function readingsFilter(search: string): { ids: readonly string[]; at: string | null } | null {
  const params = new URLSearchParams(search);
  const ids = params.get('readings');
  if (!ids || !/^\d{1,19}(,\d{1,19}){0,499}$/.test(ids)) return null;
  const at = params.get('at');
  return { ids: ids.split(','), at: at && !Number.isNaN(Date.parse(at)) ? at : null };
}
