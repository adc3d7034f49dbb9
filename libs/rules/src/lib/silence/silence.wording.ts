import type { VitalKey } from '@homeward/domain';
import { HOUR_MS } from '../shared/reading-window';

/** What a nurse calls each reading. */
export const READING_NAMES: Readonly<Record<VitalKey, string>> = {
  systolic_bp: 'blood pressure',
  diastolic_bp: 'blood pressure',
  mean_arterial_pressure: 'blood pressure',
  heart_rate: 'pulse',
  spo2: 'SpO2',
  respiration_rate: 'respiratory rate',
  body_temperature: 'temperature',
  body_weight: 'weight',
  blood_glucose: 'blood glucose',
  news2_score: 'NEWS2',
};

/** "2026-03-05 08:00 UTC (26 hours ago)". */
export function when(time: Date, now: Date): string {
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC (${hours((now.getTime() - time.getTime()) / HOUR_MS)} ago)`;
}

export function hours(h: number): string {
  if (h >= 48) {
    const days = Math.round((h / 24) * 10) / 10;
    return `${days} days`;
  }
  const rounded = h < 10 ? Math.round(h * 10) / 10 : Math.round(h);
  return `${rounded} ${rounded === 1 ? 'hour' : 'hours'}`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function latestSeen(devices: readonly { readonly lastSeenAt: Date | null }[]): Date | undefined {
  const times = devices.flatMap((d) => (d.lastSeenAt ? [d.lastSeenAt.getTime()] : []));
  return times.length === 0 ? undefined : new Date(Math.max(...times));
}
