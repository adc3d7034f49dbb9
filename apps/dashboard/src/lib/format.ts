/** Formatting a nurse reads at a glance. Pure: every function takes "now" explicitly. */
import type { AlertSeverityBand } from '@homeward/contracts';
import { BAND_NAMES } from './colours';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "42 s", "7 min", "2 h 05 min", "3 d 4 h": how long something has waited. */
export function formatDuration(ms: number): string {
  const span = Math.max(0, ms);
  if (span < MINUTE) return `${Math.floor(span / 1000)} s`;
  if (span < HOUR) return `${Math.floor(span / MINUTE)} min`;
  if (span < DAY) {
    const hours = Math.floor(span / HOUR);
    const minutes = Math.floor((span % HOUR) / MINUTE);
    return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  }
  return `${Math.floor(span / DAY)} d ${Math.floor((span % DAY) / HOUR)} h`;
}

/** Time an alert has waited since it was opened. */
export function formatWaiting(openedAt: string, now: number): string {
  return formatDuration(now - Date.parse(openedAt));
}

/**
 * The escalation clock: "escalates in 12 min", "escalation overdue by 3 min", or null when no
 * timer runs (already acknowledged, or a severity without one).
 */
export function formatEscalationClock(escalationDueAt: string | null, now: number): { text: string; overdue: boolean } | null {
  if (!escalationDueAt) return null;
  const left = Date.parse(escalationDueAt) - now;
  return left >= 0 ? { text: `escalates in ${formatDuration(left)}`, overdue: false } : { text: `escalation overdue by ${formatDuration(-left)}`, overdue: true };
}

/**
 * "Worsened from medium, 4 min ago": said in words on an alert a worse finding raised or re-opened
 * (issue 15), so a re-opened alert is not mistaken for one nobody has seen; null when it has not worsened.
 */
export function formatWorsened(alert: { readonly worsenedAt: string | null; readonly worsenedFrom: AlertSeverityBand | null }, now: number): string | null {
  if (!alert.worsenedAt || !alert.worsenedFrom) return null;
  return `Worsened from ${BAND_NAMES[alert.worsenedFrom]}, ${formatDuration(now - Date.parse(alert.worsenedAt))} ago`;
}

/** "22 Nov 2026, 08:05" in the browser's locale and time zone (en-GB ordering). */
export function formatDateTime(iso: string | null, timeZone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(new Date(iso));
}

/** NHS numbers are read and written as 3-3-4 ("943 476 5919"). */
export function formatNhsNumber(nhsNumber: string): string {
  const digits = nhsNumber.replace(/\D/g, '');
  return digits.length === 10 ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}` : nhsNumber;
}

/** A value with the unit people write: UCUM codes such as "mm[Hg]" and "Cel" are for machines. */
export function formatValue(value: number, unit: string): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${displayUnit(unit)}`;
}

const UNIT_NAMES: Readonly<Record<string, string>> = {
  'mm[Hg]': 'mmHg',
  '/min': '/min',
  '%': '%',
  Cel: '°C',
  '[degF]': '°F',
  kg: 'kg',
  '[lb_av]': 'lb',
  '[stone_av]': 'st',
  'mmol/L': 'mmol/L',
  'mg/dL': 'mg/dL',
  '{score}': '',
};

export function displayUnit(unit: string): string {
  return UNIT_NAMES[unit] ?? unit;
}
