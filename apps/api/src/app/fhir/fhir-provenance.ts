import { DEVICE_TYPES, type Device, type DeviceType } from '@homeward/domain';
import type { StoredReadingLike } from '@homeward/fhir';

/** Devices that speak Bluetooth only: a reading of theirs over MQTT came through a gateway. */
const BLUETOOTH_DEVICES: readonly DeviceType[] = DEVICE_TYPES.filter((t) => t !== 'hub' && t !== 'patient-app');

/**
 * The Personal Health Gateway of a reading that has none recorded (PHD IG gatewayDevice). Since
 * migration 0021 the hub that relayed a reading is recorded on it at ingest (Reading.gatewayId,
 * which the mapper prefers); this covers readings stored before that, and those that came through
 * an external broker, which does not say who published. A Bluetooth-only device cannot publish
 * over MQTT itself, so its MQTT readings came through a home hub: named only when the patient has
 * exactly one hub, since with several a guess would be false provenance.
 */
export function gatewayOf(devices: readonly Device[]): (reading: StoredReadingLike) => string | null {
  const hubs = devices.filter((d) => d.type === 'hub');
  const hub = hubs.length === 1 ? hubs[0] : undefined;
  const bluetooth = new Set(devices.filter((d) => BLUETOOTH_DEVICES.includes(d.type)).map((d) => d.id));
  return (reading) => (reading.gatewayId ? reading.gatewayId : hub && reading.source === 'mqtt' && reading.deviceId && bluetooth.has(reading.deviceId) ? hub.id : null);
}
