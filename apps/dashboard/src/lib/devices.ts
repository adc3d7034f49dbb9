import type { DeviceStatus } from '@homeward/contracts';

/** Plain words for the registry's device types. */
export const DEVICE_TYPE_NAMES: Readonly<Record<string, string>> = {
  'blood-pressure-monitor': 'Blood pressure monitor',
  'pulse-oximeter': 'Pulse oximeter',
  'weight-scale': 'Weight scale',
  thermometer: 'Thermometer',
  'glucose-meter': 'Glucose meter',
  hub: 'Home hub',
  'patient-app': 'Patient app',
};

/**
 * A device's status from what was really seen: a device that has never sent anything says so
 * (it may have been issued minutes ago) rather than "not seen for 48 h".
 */
export function deviceStatusText(device: Pick<DeviceStatus, 'status' | 'lastSeenAt'>): string {
  switch (device.status) {
    case 'ok':
      return 'OK';
    case 'battery-low':
      return 'Battery low';
    case 'offline':
      return 'Offline';
    case 'not-seen':
      return device.lastSeenAt === null ? 'No reading received yet' : 'Not seen for 48 h';
  }
}
