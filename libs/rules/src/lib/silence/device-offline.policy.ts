import type { DeviceConnection } from '../model/device-contact.model';

/** A hub or app not heard from for this long is offline (the engine's `hubOfflineAfterMinutes`). */
export const DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT = 30;

/**
 * The one definition of "offline", used by every silence rule (and by anything that shows a
 * device's state):
 * - a retained status `offline` (the MQTT last will, or a clean goodbye) is offline until the
 *   device is heard from after it. The status message itself is not "being seen": if receiving
 *   it moved `lastSeenAt` to the same instant, the device is still offline;
 * - otherwise, never heard from, or not heard from for more than `offlineAfterMs` before `now`.
 *   Judged against the clock, so time that passed while the server was down counts.
 * A `lastSeenAt` after `now` (a clock ahead) counts as seen now.
 */
export function isDeviceOffline(
  lastSeenAt: Date | null | undefined,
  connection: DeviceConnection | 'online' | 'offline' | null | undefined,
  now: Date,
  offlineAfterMs: number,
): boolean {
  const status = typeof connection === 'string' ? { state: connection, at: null } : connection;
  if (status?.state === 'offline') {
    const at = status.at ?? null;
    // Without the time of the offline status it stands until a newer status replaces it.
    if (at === null || !lastSeenAt || lastSeenAt.getTime() <= at.getTime()) return true;
  }
  if (!lastSeenAt) return true;
  return now.getTime() - lastSeenAt.getTime() > offlineAfterMs;
}
