import type { DeviceType } from '@homeward/domain';

/**
 * A device's last retained connection status: MQTT "online" on connect, "offline" as the last
 * will (or a clean goodbye). `at` is when Homeward received it, when known.
 */
export interface DeviceConnection {
  readonly state: 'online' | 'offline';
  readonly at?: Date | null;
}

/** What the silence rules know of a patient's device (the store's MonitoredDevice fits). */
export interface DeviceContact {
  readonly id: string;
  readonly type: DeviceType;
  /** When Homeward last heard from it (a reading, a status, a heartbeat). */
  readonly lastSeenAt: Date | null;
  readonly batteryLevel?: number | null;
  readonly connection?: DeviceConnection | null;
}

/** Devices that carry the others' readings to Homeward: without them online nothing arrives. */
export const CONNECTING_DEVICE_TYPES: readonly DeviceType[] = ['hub', 'patient-app'];

export function isConnectingDevice(device: Pick<DeviceContact, 'type'>): boolean {
  return CONNECTING_DEVICE_TYPES.includes(device.type);
}
