import type { AlertSeverityBand, Reading, VitalKey } from '@homeward/domain';
import type { ExpectedReading } from '../model/care-plan.model';
import type { DeviceContact } from '../model/device-contact.model';
import { HOUR_MS } from '../shared/reading-window';
import { isDeviceOffline } from './device-offline.policy';
import { DEVICE_TYPES_FOR, overdueReadings } from './expected-readings.schedule';
import { READING_NAMES as NAMES, hours, latestSeen, when } from './silence.wording';

export { HOUR_MS };
export const OVERDUE_RULE = 'overdue-reading';

/** Why a reading is missing: the three kinds of silence a nurse handles differently (ARCHITECTURE.md). */
export type SilenceCause = 'hub-offline' | 'device-unused' | 'patient-not-measuring';

export const LOW_BATTERY_PERCENT = 20;

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
  readonly devices: readonly DeviceContact[];
  /** Before the first reading, the clock starts at admission. */
  readonly admittedAt: Date;
  readonly now: Date;
  readonly hubOfflineAfterMinutes: number;
}

export function overdueSubject(vital: VitalKey): string {
  return `overdue:${vital}`;
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
 * Pure: the engine passes what it read from the store and its clock. The hub's state uses the
 * one definition of offline (isDeviceOffline). The per-patient and per-device silence rules
 * (patient-silent, hub-offline, device-unused) judge the same facts as alerts of their own kinds.
 */
export function overdueReadingRule(input: OverdueInput): OverdueCandidate[] {
  const { now } = input;
  const candidates: OverdueCandidate[] = [];
  // Each further interval missed is a further occurrence (dueAt moves on), so an alert a nurse
  // closed while the patient still does not measure comes back one interval later.
  for (const { expected, last, since, dueAt, missedIntervals: missed } of overdueReadings(input.expected, input.latest, input.admittedAt, now)) {
    const name = NAMES[expected.vital].charAt(0).toUpperCase() + NAMES[expected.vital].slice(1);
    const lastText = last ? `last measured ${when(last.measuredAt, now)}` : `none measured since admission ${when(input.admittedAt, now)}`;
    const headline = `${name} overdue: expected every ${hours(expected.everyHours)}, ${lastText}.`;

    const hubs = input.devices.filter((d) => d.type === 'hub');
    const hubOnline = hubs.some((h) => !isDeviceOffline(h.lastSeenAt, h.connection, now, input.hubOfflineAfterMinutes * 60_000));
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
