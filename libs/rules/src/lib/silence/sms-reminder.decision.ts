import type { Reading, VitalKey } from '@homeward/domain';
import type { ExpectedReading } from '../model/care-plan.model';
import { overdueReadings } from './expected-readings.schedule';

/** The hours (local time, from inclusive, to exclusive) a patient may be sent a reminder. */
export interface ReminderHours {
  readonly from: number;
  readonly to: number;
}

export interface SmsReminderInput {
  readonly patientId: string;
  readonly expected: readonly ExpectedReading[];
  /** The latest measured reading per vital. */
  readonly latest: readonly Reading[];
  readonly admittedAt: Date;
  readonly now: Date;
  /** The care plan's hours when it sets them, else the service's. */
  readonly hours: ReminderHours;
  /** The patient's time zone (IANA), in which `hours` are read. */
  readonly timeZone: string;
}

/** What to remind one patient of: one text, once per overdue episode of this reading. */
export interface SmsReminder {
  readonly patientId: string;
  /** The reading as the patient knows it: "your blood pressure". */
  readonly reading: string;
  /** How to text it: "BP 142/88 PULSE 72". */
  readonly example: string;
  readonly vitals: readonly VitalKey[];
  /**
   * Once-only key: the patient, the reading and when the silence began (the last measurement, or
   * admission). A later missed interval in the same silence keeps the key, so it is never sent
   * twice; a new measurement starts a new episode.
   */
  readonly key: string;
}

/** What a patient measures together, and how they text it. */
interface Group {
  readonly vitals: readonly VitalKey[];
  readonly reading: string;
  readonly example: string;
}

const BLOOD_PRESSURE: readonly VitalKey[] = ['systolic_bp', 'diastolic_bp', 'mean_arterial_pressure'];
const SINGLE: ReadonlyArray<Group> = [
  { vitals: ['body_weight'], reading: 'your weight', example: 'WEIGHT 81.2' },
  { vitals: ['body_temperature'], reading: 'your temperature', example: 'TEMP 37.2' },
  { vitals: ['blood_glucose'], reading: 'your blood sugar', example: 'SUGAR 6.4' },
  { vitals: ['respiration_rate'], reading: 'your breathing rate', example: 'BREATHING 16' },
];

/**
 * The pulse comes with whatever measures it: the cuff when blood pressure is due too, else the
 * oximeter when SpO2 is due, else on its own.
 */
function groupsFor(overdue: ReadonlySet<VitalKey>): Group[] {
  const pulse = overdue.has('heart_rate');
  const groups: Group[] = [];
  const bp = BLOOD_PRESSURE.filter((v) => overdue.has(v));
  if (bp.length > 0) groups.push({ vitals: [...bp, ...(pulse ? ['heart_rate' as const] : [])], reading: pulse ? 'your blood pressure and pulse' : 'your blood pressure', example: pulse ? 'BP 142/88 PULSE 72' : 'BP 142/88' });
  if (overdue.has('spo2')) {
    const withPulse = pulse && bp.length === 0;
    groups.push({ vitals: withPulse ? ['spo2', 'heart_rate'] : ['spo2'], reading: withPulse ? 'your oxygen level and pulse' : 'your oxygen level', example: withPulse ? 'SATS 94 PULSE 72' : 'SATS 94' });
  }
  if (pulse && bp.length === 0 && !overdue.has('spo2')) groups.push({ vitals: ['heart_rate'], reading: 'your pulse', example: 'PULSE 72' });
  groups.push(...SINGLE.filter((g) => g.vitals.some((v) => overdue.has(v))));
  return groups;
}

/**
 * Which SMS reminders are due now: the care plan's expected readings that are overdue (the same
 * schedule as the overdue-reading rule), grouped as the patient measures them (a cuff gives blood
 * pressure and pulse), only inside the allowed hours. Pure: the gateway passes the clock and
 * sends; the once-only key is kept by the store, so a repeat pass sends nothing new.
 */
export function smsRemindersDue(input: SmsReminderInput): SmsReminder[] {
  if (!withinHours(input.now, input.hours, input.timeZone)) return [];
  const overdue = overdueReadings(input.expected, input.latest, input.admittedAt, input.now);
  return groupsFor(new Set(overdue.map((o) => o.expected.vital))).map((group) => {
    const due = overdue.filter((o) => group.vitals.includes(o.expected.vital));
    // The episode began when the group was last measured at all (any of its vitals).
    const since = new Date(Math.max(...due.map((o) => o.since.getTime())));
    return {
      patientId: input.patientId,
      reading: group.reading,
      example: group.example,
      vitals: group.vitals,
      key: `sms-reminder:${input.patientId}:${group.vitals[0] ?? 'reading'}:${since.toISOString()}`,
    };
  });
}

/** Whether `now` falls in [from, to) local hours in the time zone. */
export function withinHours(now: Date, hours: ReminderHours, timeZone: string): boolean {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(now));
  return hour >= hours.from && hour < hours.to;
}

/** A care plan's own reminder hours ({ "smsReminderHours": { "from": 8, "to": 20 } }), when valid. */
export function carePlanReminderHours(carePlan: Readonly<Record<string, unknown>>): ReminderHours | undefined {
  const value = carePlan['smsReminderHours'];
  if (typeof value !== 'object' || value === null) return undefined;
  const { from, to } = value as { from?: unknown; to?: unknown };
  if (typeof from !== 'number' || typeof to !== 'number' || !Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 24 || from >= to) return undefined;
  return { from, to };
}
