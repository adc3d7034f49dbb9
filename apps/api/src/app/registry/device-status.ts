import type { Device } from '@homeward/domain';
import { isConnectingDevice, isDeviceOffline } from '@homeward/rules';

/** Below this a device may die before the next reading: the nurse asks for a battery change. */
export const BATTERY_LOW_PERCENT = 20;
/**
 * A measuring device (scale, cuff) not heard from for this long is worth a call. Hubs and patient
 * apps are judged by the one definition of offline instead (isDeviceOffline, the rules engine's
 * `hubOfflineAfterMinutes`): the same that raises the hub-offline alert.
 */
export const NOT_SEEN_HOURS = 48;

export interface DeviceStatus {
  readonly id: string;
  readonly type: Device['type'];
  readonly serial: string;
  readonly model: string | null;
  readonly lastSeenAt: Date | null;
  readonly batteryLevel: number | null;
  readonly batteryAt: Date | null;
  /** The last status `state` received from it ("offline": its last will), and when; null before any. */
  readonly connection: { readonly state: 'online' | 'offline'; readonly at: Date } | null;
  /** What a nurse should notice first: a hub or app offline, a device long not seen, then a low battery. */
  readonly status: 'ok' | 'battery-low' | 'not-seen' | 'offline';
}

export function deviceStatus(
  device: Device & { batteryAt: Date | null },
  now: Date,
  connection: DeviceStatus['connection'] = null,
  offlineAfterMinutes?: number,
): DeviceStatus {
  const offline = isConnectingDevice(device) && offlineAfterMinutes !== undefined && isDeviceOffline(device.lastSeenAt, connection, now, offlineAfterMinutes * 60_000);
  const unseen = device.lastSeenAt === null || now.getTime() - device.lastSeenAt.getTime() > NOT_SEEN_HOURS * 3_600_000;
  const low = device.batteryLevel !== null && device.batteryLevel < BATTERY_LOW_PERCENT;
  return {
    id: device.id,
    type: device.type,
    serial: device.serial,
    model: device.model,
    lastSeenAt: device.lastSeenAt,
    batteryLevel: device.batteryLevel,
    batteryAt: device.batteryAt,
    connection,
    status: offline ? 'offline' : unseen ? 'not-seen' : low ? 'battery-low' : 'ok',
  };
}
