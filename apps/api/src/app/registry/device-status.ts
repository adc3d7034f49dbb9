import type { Device } from '@homeward/domain';

/** Below this a device may die before the next reading: the nurse asks for a battery change. */
export const BATTERY_LOW_PERCENT = 20;
/** A device not heard from for this long is worth a call (hub unplugged, phone app not opened). */
export const NOT_SEEN_HOURS = 48;

export interface DeviceStatus {
  readonly id: string;
  readonly type: Device['type'];
  readonly serial: string;
  readonly model: string | null;
  readonly lastSeenAt: Date | null;
  readonly batteryLevel: number | null;
  readonly batteryAt: Date | null;
  /** What a nurse should notice first: never/long not seen, then a low battery. */
  readonly status: 'ok' | 'battery-low' | 'not-seen';
}

export function deviceStatus(device: Device & { batteryAt: Date | null }, now: Date): DeviceStatus {
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
    status: unseen ? 'not-seen' : low ? 'battery-low' : 'ok',
  };
}
