/**
 * FHIR R4 date search (§3.1.1.4.2 / §3.1.1.5.4): a value is a range set by its precision
 * (2026 is the whole year, 2026-11 the month, 2026-11-22 the day, 07:30 the minute, 07:30:05 the
 * second); a prefix compares that range with the target. Homeward's targets are instants (the
 * measurement time), so every condition becomes half-open bounds on one time column.
 */
export const DATE_PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type DatePrefix = (typeof DATE_PREFIXES)[number];

/** `from <= t < before`, or its complement when `negate` (ne). A missing bound is open. */
export interface TimeCondition {
  readonly from: Date | null;
  readonly before: Date | null;
  readonly negate: boolean;
}

const PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The range a date value names: [start, end). Dates without a zone are UTC (Homeward stores UTC). */
export function dateRange(text: string): { start: Date; end: Date } | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const y = Number(year);
  const mo = month === undefined ? undefined : Number(month) - 1;
  const d = day === undefined ? undefined : Number(day);
  if (mo !== undefined && (mo < 0 || mo > 11)) return undefined;
  if (mo === undefined) return { start: utc(y, 0, 1), end: utc(y + 1, 0, 1) };
  if (d === undefined) return { start: utc(y, mo, 1), end: utc(y, mo + 1, 1) };
  const dayStart = utc(y, mo, d);
  if (dayStart.getUTCMonth() !== mo || d < 1) return undefined; // 2026-02-30
  if (hour === undefined) return { start: dayStart, end: utc(y, mo, d + 1) };
  if (Number(hour) > 23 || Number(minute) > 59 || (second !== undefined && Number(second) > 59)) return undefined;
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}${fraction ?? ''}${zone ?? 'Z'}`;
  const start = Date.parse(iso);
  if (Number.isNaN(start)) return undefined;
  // Precision: the minute, the second, or the millisecond (finer digits cannot be stored here).
  const step = second === undefined ? 60_000 : fraction === undefined ? 1_000 : 1;
  const at = fraction === undefined ? start : Math.floor(start);
  return { start: new Date(at), end: new Date(at + step) };
}

function utc(year: number, month: number, day: number): Date {
  const date = new Date(Date.UTC(year, month, day));
  if (year < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900); // Date.UTC reads 0–99 as 19xx
  return date;
}

/**
 * One `date` parameter value (`ge2026-11-01`, `2026-11`, `ap2026-11-22T07:30Z`) → a condition on
 * an instant, or undefined when it is not a date. `ap` widens the range by 10 % of the gap
 * between now and the value, as R4 recommends.
 */
export function dateCondition(value: string, now: Date): TimeCondition | undefined {
  const prefix = (DATE_PREFIXES as readonly string[]).includes(value.slice(0, 2)) ? (value.slice(0, 2) as DatePrefix) : 'eq';
  const range = dateRange(prefix === 'eq' && !value.startsWith('eq') ? value : value.slice(2));
  if (!range) return undefined;
  const { start, end } = range;
  switch (prefix) {
    case 'eq':
      return { from: start, before: end, negate: false };
    case 'ne':
      return { from: start, before: end, negate: true };
    case 'gt':
    case 'sa':
      return { from: end, before: null, negate: false };
    case 'lt':
    case 'eb':
      return { from: null, before: start, negate: false };
    case 'ge':
      return { from: start, before: null, negate: false };
    case 'le':
      return { from: null, before: end, negate: false };
    case 'ap': {
      const gap = Math.abs(now.getTime() - start.getTime()) * 0.1;
      return { from: new Date(start.getTime() - gap), before: new Date(end.getTime() + gap), negate: false };
    }
  }
}

/** Whether an instant meets a condition (the same test the SQL makes; used by pure callers and specs). */
export function meetsTime(condition: TimeCondition, at: Date): boolean {
  const inside = (condition.from === null || at >= condition.from) && (condition.before === null || at < condition.before);
  return condition.negate ? !inside : inside;
}
