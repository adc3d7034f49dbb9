import type { AlertCandidate, AlertSeverity } from '../model/alert-candidate.model';
import { isConnectingDevice } from '../model/device-contact.model';
import { DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT, isDeviceOffline } from './device-offline.policy';
import type { SilenceInput } from './silence-input.model';
import { when } from './silence.wording';

export const HUB_OFFLINE_RULE = 'hub-offline';
/** Technical, kept apart from the clinical bands (CLINICAL.md): low, with `details.technical`. */
export const HUB_OFFLINE_SEVERITY_DEFAULT: AlertSeverity = 'low';

export function hubOfflineSubject(deviceId: string): string {
  return `hub-offline:${deviceId}`;
}

/**
 * Hub or app offline: one alert per home hub or patient app that is offline (isDeviceOffline:
 * a last-will "offline" status, or not heard from for `offlineAfterMinutes`). Readings may be
 * waiting on the devices, so it says so; it is technical, not clinical. Resolves when the device
 * is back (hubOfflineResolved).
 */
export function hubOfflineRule(input: SilenceInput, settings: { readonly severity?: AlertSeverity } = {}): AlertCandidate[] {
  const offlineAfterMs = (input.offlineAfterMinutes ?? DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT) * 60_000;
  return input.devices
    // A hub never heard from is given the same time from admission as any other before it counts:
    // otherwise every new patient would be "offline" from the first timer pass until first connection.
    .filter((d) => isConnectingDevice(d) && isDeviceOffline(d.lastSeenAt ?? input.admittedAt, d.connection, input.now, offlineAfterMs))
    .map((device) => {
      const lastWill = device.connection?.state === 'offline';
      const what = device.type === 'hub' ? 'home hub' : 'patient app';
      const heard = device.lastSeenAt ? `was last heard from ${when(device.lastSeenAt, input.now)}` : 'has never been heard from';
      const since = lastWill && device.connection?.at ? device.connection.at : device.lastSeenAt ? new Date(device.lastSeenAt.getTime() + offlineAfterMs) : input.admittedAt;
      return {
        rule: HUB_OFFLINE_RULE,
        severity: settings.severity ?? HUB_OFFLINE_SEVERITY_DEFAULT,
        patientId: input.patientId,
        subject: hubOfflineSubject(device.id),
        readings: [],
        readingIds: [],
        measuredAt: since,
        explanation:
          `The ${what} is offline: it ${lastWill ? 'dropped its connection (offline status) and ' : ''}${heard}. ` +
          `Readings taken meanwhile wait on the devices and arrive when it reconnects. Ask the patient or carer to check it is plugged in and has signal${device.type === 'patient-app' ? ' (phone charged, app open, data on)' : ''}.`,
        details: {
          technical: true,
          deviceId: device.id,
          deviceType: device.type,
          lastSeenAt: device.lastSeenAt?.toISOString() ?? null,
          connectionState: device.connection?.state ?? null,
          offlineAfterMinutes: offlineAfterMs / 60_000,
        },
      };
    });
}

/** Resolve condition: the device is back (no longer offline by the same definition). */
export function hubOfflineResolved(subject: string, input: SilenceInput): boolean {
  return !hubOfflineRule(input).some((c) => c.subject === subject);
}
