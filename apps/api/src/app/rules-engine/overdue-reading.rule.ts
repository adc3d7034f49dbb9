import type { AlertSeverityBand, DeviceType, Reading, VitalKey } from '@homeward/domain';
import type { MonitoredDevice } from '@homeward/storage';
import type { ExpectedReading } from './care-plan.mapper';

export const OVERDUE_RULE = 'overdue-reading';
export const HOUR_MS = 3_600_000;

/** Why a reading is missing: the three kinds of silence a nurse handles differently (ARCHITECTURE.md). */
export type SilenceCause = 'hub-offline' | 'device-unused' | 'patient-not-measuring';

/** Which device measures which vital (a blood-pressure cuff also gives the pulse). */
const DEVICE_TYPES_FOR: Readonly<Partial<Record<VitalKey, readonly DeviceType[]>>> = {
  systolic_bp: ['blood-pressure-monitor'],
  diastolic_bp: ['blood-pressure-monitor'],
  mean_arterial_pressure: ['blood-pressure-monitor'],
  heart_rate: ['pulse-oximeter', 'blood-pressure-monitor'],
  spo2: ['pulse-oximeter'],
  body_temperature: ['thermometer'],
  body_weight: ['weight-scale'],
  blood_glucose: ['glucose-meter'],
};

export const LOW_BATTERY_PERCENT = 20;

/** What a nurse calls each reading. */
const NAMES: Readonly<Record<VitalKey, string>> = {
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

export interface OverdueCandidate {
  readonly rule: typeof OVERDUE_RULE;
  readonly severity: AlertSeverityBand;
  readonly patientId: string;
  readonly subject: string;
  readonly vital: VitalKey;
  /** When the reading fell due (the last one's measurement time + interval + grace). */
  readonly dueAt: Date;
  readonly cause: SilenceCause;
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface OverdueInput {
  readonly patientId: string;
  readonly expected: readonly ExpectedReading[];
  /** The latest measured reading of each vital (any vital: other readings show the patient is measuring). */
  readonly latest: readonly Reading[];
  readonly devices: readonly MonitoredDevice[];
  /** Before the first reading, the clock starts at admission. */
  readonly admittedAt: Date;
  readonly now: Date;
  readonly hubOfflineAfterMinutes: number;
}

export function overdueSubject(vital: VitalKey): string {
  return `overdue:${vital}`;
}

/** When the next reading of `expected` falls overdue, counted from the latest measured one (or admission). */
export function readingDueAt(expected: ExpectedReading, latest: Reading | undefined, admittedAt: Date): Date {
  const from = latest && latest.measuredAt > admittedAt ? latest.measuredAt : admittedAt;
  return new Date(from.getTime() + (expected.everyHours + expected.graceHours) * HOUR_MS);
}

/**
 * Overdue readings: for each reading the care plan expects, an alert when none has been measured
 * for its interval plus grace. The alert says which silence it is, because each has its own fix:
 *
 * - hub offline: the patient has a home hub and it has not been heard from for
 *   `hubOfflineAfterMinutes`; readings may be sitting on the devices (check power and signal);
 * - device unused: the patient is measuring (another reading, or another device in contact, since
 *   this one was last measured) but not with this device (is it broken, flat, lost?);
 * - patient not measuring: nothing at all from the patient since then while the hub is online
 *   (phone them: are they well, do they know what to do?).
 *
 * Pure: the engine passes what it read from the store and its clock.
 */
export function overdueReadingRule(input: OverdueInput): OverdueCandidate[] {
  const { now } = input;
  const latestByVital = new Map(input.latest.map((r) => [r.vital, r]));
  const candidates: OverdueCandidate[] = [];
  for (const expected of input.expected) {
    const last = latestByVital.get(expected.vital);
    const since = last && last.measuredAt > input.admittedAt ? last.measuredAt : input.admittedAt;
    // Each further interval missed is a further occurrence (dueAt moves on), so an alert a nurse
    // closed while the patient still does not measure comes back one interval later.
    const missed = Math.floor((now.getTime() - since.getTime() - expected.graceHours * HOUR_MS) / (expected.everyHours * HOUR_MS));
    if (missed < 1) continue;
    const dueAt = new Date(since.getTime() + (missed * expected.everyHours + expected.graceHours) * HOUR_MS);
    const name = NAMES[expected.vital].charAt(0).toUpperCase() + NAMES[expected.vital].slice(1);
    const lastText = last ? `last measured ${when(last.measuredAt, now)}` : `none measured since admission ${when(input.admittedAt, now)}`;
    const headline = `${name} overdue: expected every ${hours(expected.everyHours)}, ${lastText}.`;

    const hubs = input.devices.filter((d) => d.type === 'hub');
    const hubCutoff = now.getTime() - input.hubOfflineAfterMinutes * 60_000;
    const hubOnline = hubs.some((h) => h.lastSeenAt !== null && h.lastSeenAt.getTime() >= hubCutoff);
    const measuringDevices = input.devices.filter((d) => (DEVICE_TYPES_FOR[expected.vital] ?? []).includes(d.type));
    const otherReadings = input.latest.filter((r) => r.vital !== expected.vital && r.measuredAt > since);
    const otherDevicesSeen = input.devices.filter(
      (d) => d.type !== 'hub' && !measuringDevices.includes(d) && d.lastSeenAt !== null && d.lastSeenAt > since,
    );

    let cause: SilenceCause;
    let advice: string;
    if (hubs.length > 0 && !hubOnline) {
      cause = 'hub-offline';
      const lastHub = latestSeen(hubs);
      advice = `The home hub has not been heard from ${lastHub ? `since ${when(lastHub, now)}` : 'at all'}, so readings may be waiting on the devices. Ask the patient or carer to check the hub is plugged in and has signal.`;
    } else if (otherReadings.length > 0 || otherDevicesSeen.length > 0) {
      cause = 'device-unused';
      const device = measuringDevices[0];
      const latestOther = otherReadings.sort((a, b) => b.measuredAt.getTime() - a.measuredAt.getTime())[0];
      const battery =
        device?.batteryLevel !== null && device?.batteryLevel !== undefined && device.batteryLevel <= LOW_BATTERY_PERCENT ? ` Its battery was at ${device.batteryLevel} % when last heard from.` : '';
      advice =
        `The patient is measuring${latestOther ? ` (${NAMES[latestOther.vital]} ${when(latestOther.measuredAt, now)})` : ''} but not with ` +
        `${device ? `the ${device.type.replace(/-/g, ' ')}, ${device.lastSeenAt ? `last in contact ${when(device.lastSeenAt, now)}` : 'never in contact'}.${battery}` : 'a device for this reading.'}` +
        ' Ask whether the device works and whether they know to use it.';
    } else {
      cause = 'patient-not-measuring';
      advice = `Nothing has been measured since then${hubs.length > 0 ? ' although the home hub is online' : ''}. Phone the patient: check they are well and remind them to measure.`;
    }

    candidates.push({
      rule: OVERDUE_RULE,
      severity: expected.severity,
      patientId: input.patientId,
      subject: overdueSubject(expected.vital),
      vital: expected.vital,
      dueAt,
      cause,
      explanation: `${headline} ${advice}`,
      details: {
        vital: expected.vital,
        cause,
        dueAt: dueAt.toISOString(),
        everyHours: expected.everyHours,
        graceHours: expected.graceHours,
        missedIntervals: missed,
        lastMeasuredAt: last ? last.measuredAt.toISOString() : null,
        lastReadingId: last?.id ?? null,
        hubLastSeenAt: latestSeen(hubs)?.toISOString() ?? null,
        deviceLastSeenAt: latestSeen(measuringDevices)?.toISOString() ?? null,
      },
    });
  }
  return candidates;
}

function latestSeen(devices: readonly MonitoredDevice[]): Date | undefined {
  const times = devices.flatMap((d) => (d.lastSeenAt ? [d.lastSeenAt.getTime()] : []));
  return times.length === 0 ? undefined : new Date(Math.max(...times));
}

/** "2026-03-05 08:00 UTC (26 hours ago)". */
function when(time: Date, now: Date): string {
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC (${hours((now.getTime() - time.getTime()) / HOUR_MS)} ago)`;
}

function hours(h: number): string {
  if (h >= 48) {
    const days = Math.round((h / 24) * 10) / 10;
    return `${days} days`;
  }
  const rounded = h < 10 ? Math.round(h * 10) / 10 : Math.round(h);
  return `${rounded} ${rounded === 1 ? 'hour' : 'hours'}`;
}
