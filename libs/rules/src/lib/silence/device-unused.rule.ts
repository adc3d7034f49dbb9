import type { VitalKey } from '@homeward/domain';
import { type AlertCandidate, type AlertSeverity, highestSeverity } from '../model/alert-candidate.model';
import { isConnectingDevice } from '../model/device-contact.model';
import { DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT, isDeviceOffline } from './device-offline.policy';
import { DEVICE_TYPES_FOR, overdueReadings } from './expected-readings.schedule';
import { LOW_BATTERY_PERCENT } from './overdue-reading.rule';
import type { SilenceInput } from './silence-input.model';
import { READING_NAMES, capitalise, latestSeen, when } from './silence.wording';

export const DEVICE_UNUSED_RULE = 'device-unused';

export function deviceUnusedSubject(deviceId: string): string {
  return `device-unused:${deviceId}`;
}

/**
 * One device unused while others report: a measuring device whose expected readings are overdue
 * (interval plus grace, overdueReadings) and which has not been in contact since, while the
 * patient measured something else or another device was in contact after that. Is it broken,
 * flat, lost, or not understood? One alert per device, severity of its expected readings (or
 * `settings.severity`). Not raised while every hub or app is offline (that is hub-offline) or
 * when the patient measures nothing at all (patient-silent). Resolves when its readings resume
 * (deviceUnusedResolved).
 */
export function deviceUnusedRule(input: SilenceInput, settings: { readonly severity?: AlertSeverity } = {}): AlertCandidate[] {
  const { now } = input;
  const offlineAfterMs = (input.offlineAfterMinutes ?? DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT) * 60_000;
  const connectors = input.devices.filter(isConnectingDevice);
  if (connectors.length > 0 && connectors.every((d) => isDeviceOffline(d.lastSeenAt, d.connection, now, offlineAfterMs))) return [];
  const overdue = overdueReadings(input.expected, input.latest, input.admittedAt, now);
  const candidates: AlertCandidate[] = [];
  for (const device of input.devices.filter((d) => !isConnectingDevice(d))) {
    const mine = overdue.filter((o) => (DEVICE_TYPES_FOR[o.expected.vital] ?? []).includes(device.type));
    if (mine.length === 0) continue;
    const since = new Date(Math.min(...mine.map((o) => o.since.getTime())));
    // In contact since then: it is being used and something else is wrong with its readings.
    if (device.lastSeenAt && device.lastSeenAt > since) continue;
    const myVitals = new Set<VitalKey>(mine.map((o) => o.expected.vital));
    const others = input.latest.filter((r) => !myVitals.has(r.vital) && r.measuredAt > since && r.measuredAt <= now).sort((a, b) => b.measuredAt.getTime() - a.measuredAt.getTime());
    const otherDevices = input.devices.filter((d) => d.id !== device.id && !isConnectingDevice(d) && d.lastSeenAt !== null && d.lastSeenAt > since);
    if (others.length === 0 && otherDevices.length === 0) continue;

    const name = device.type.replace(/-/g, ' ');
    const missing = [...myVitals].map((v) => READING_NAMES[v]);
    const lowBattery = device.batteryLevel != null && device.batteryLevel <= LOW_BATTERY_PERCENT ? ` Its battery was at ${device.batteryLevel} % when last heard from.` : '';
    const otherContact = latestSeen(otherDevices);
    const measuring = others[0] ? `${READING_NAMES[others[0].vital]} ${when(others[0].measuredAt, now)}` : `another device in contact ${otherContact ? when(otherContact, now) : 'recently'}`;
    const dueAt = new Date(Math.max(...mine.map((o) => o.dueAt.getTime())));
    candidates.push({
      rule: DEVICE_UNUSED_RULE,
      severity: settings.severity ?? highestSeverity(mine.map((o) => o.expected.severity)) ?? 'low',
      patientId: input.patientId,
      subject: deviceUnusedSubject(device.id),
      readings: [],
      readingIds: [],
      measuredAt: dueAt,
      explanation:
        `${capitalise(name)} unused: no ${[...new Set(missing)].join(' or ')} since ${when(since, now)}, ` +
        `${device.lastSeenAt ? `last in contact ${when(device.lastSeenAt, now)}` : 'never in contact'}, while the patient is measuring (${measuring}).${lowBattery} ` +
        'Ask whether the device works and whether they know to use it.',
      details: {
        deviceId: device.id,
        deviceType: device.type,
        vitals: [...myVitals],
        since: since.toISOString(),
        dueAt: dueAt.toISOString(),
        deviceLastSeenAt: device.lastSeenAt?.toISOString() ?? null,
        batteryLevel: device.batteryLevel ?? null,
      },
    });
  }
  return candidates;
}

/** Resolve condition: the device's readings resume (or it is in contact again). */
export function deviceUnusedResolved(subject: string, input: SilenceInput): boolean {
  return !deviceUnusedRule(input).some((c) => c.subject === subject);
}
