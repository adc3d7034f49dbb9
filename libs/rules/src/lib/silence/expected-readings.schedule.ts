import type { DeviceType, Reading, VitalKey } from '@homeward/domain';
import type { ExpectedReading } from '../model/care-plan.model';
import { HOUR_MS } from '../shared/reading-window';

/** Which device types measure which vital (a blood-pressure cuff also gives the pulse). */
export const DEVICE_TYPES_FOR: Readonly<Partial<Record<VitalKey, readonly DeviceType[]>>> = {
  systolic_bp: ['blood-pressure-monitor'],
  diastolic_bp: ['blood-pressure-monitor'],
  mean_arterial_pressure: ['blood-pressure-monitor'],
  heart_rate: ['pulse-oximeter', 'blood-pressure-monitor'],
  spo2: ['pulse-oximeter'],
  body_temperature: ['thermometer'],
  body_weight: ['weight-scale'],
  blood_glucose: ['glucose-meter'],
};

/** An expected reading not measured for its interval plus grace. */
export interface OverdueReading {
  readonly expected: ExpectedReading;
  /** The latest measured reading of the vital, if any since admission. */
  readonly last: Reading | undefined;
  /** The clock runs from the latest reading, or from admission before the first. */
  readonly since: Date;
  /** When the latest missed interval fell due (each further interval missed moves it on). */
  readonly dueAt: Date;
  readonly missedIntervals: number;
}

/** When the next reading of `expected` falls overdue, counted from the latest measured one (or admission). */
export function readingDueAt(expected: ExpectedReading, latest: Reading | undefined, admittedAt: Date): Date {
  const from = latest && latest.measuredAt > admittedAt ? latest.measuredAt : admittedAt;
  return new Date(from.getTime() + (expected.everyHours + expected.graceHours) * HOUR_MS);
}

/**
 * The expected readings that are overdue at `now`: none measured for `everyHours + graceHours`
 * since the latest one (or admission). `latest` is the latest measured reading per vital.
 */
export function overdueReadings(expected: readonly ExpectedReading[], latest: readonly Reading[], admittedAt: Date, now: Date): OverdueReading[] {
  const latestByVital = new Map<VitalKey, Reading>();
  for (const r of latest) {
    const current = latestByVital.get(r.vital);
    if (!current || r.measuredAt > current.measuredAt) latestByVital.set(r.vital, r);
  }
  return expected.flatMap((e) => {
    const last = latestByVital.get(e.vital);
    const since = last && last.measuredAt > admittedAt ? last.measuredAt : admittedAt;
    const missed = Math.floor((now.getTime() - since.getTime() - e.graceHours * HOUR_MS) / (e.everyHours * HOUR_MS));
    if (missed < 1) return [];
    const dueAt = new Date(since.getTime() + (missed * e.everyHours + e.graceHours) * HOUR_MS);
    return [{ expected: e, last, since, dueAt, missedIntervals: missed }];
  });
}
