import { gattFail, type GattResult } from './errors';

/** The 16-bit UUIDs (Bluetooth SIG Assigned Numbers) of the characteristics this library decodes. */
export const GATT_UUID = {
  bloodPressureMeasurement: 0x2a35,
  intermediateCuffPressure: 0x2a36,
  plxSpotCheckMeasurement: 0x2a5e,
  plxContinuousMeasurement: 0x2a5f,
  weightMeasurement: 0x2a9d,
  weightScaleFeature: 0x2a9e,
  bodyCompositionMeasurement: 0x2a9c,
  glucoseMeasurement: 0x2a18,
  recordAccessControlPoint: 0x2a52,
  temperatureMeasurement: 0x2a1c,
  heartRateMeasurement: 0x2a37,
  batteryLevel: 0x2a19,
  currentTime: 0x2a2b,
} as const;

export type SupportedUuid = (typeof GATT_UUID)[keyof typeof GATT_UUID];

/** Stable names of the characteristics, used as the `characteristic` of a decoded frame. */
export const CHARACTERISTICS = {
  'blood-pressure-measurement': { uuid: GATT_UUID.bloodPressureMeasurement, name: 'Blood Pressure Measurement' },
  'intermediate-cuff-pressure': { uuid: GATT_UUID.intermediateCuffPressure, name: 'Intermediate Cuff Pressure' },
  'plx-spot-check-measurement': { uuid: GATT_UUID.plxSpotCheckMeasurement, name: 'PLX Spot-Check Measurement' },
  'plx-continuous-measurement': { uuid: GATT_UUID.plxContinuousMeasurement, name: 'PLX Continuous Measurement' },
  'weight-measurement': { uuid: GATT_UUID.weightMeasurement, name: 'Weight Measurement' },
  'weight-scale-feature': { uuid: GATT_UUID.weightScaleFeature, name: 'Weight Scale Feature' },
  'body-composition-measurement': { uuid: GATT_UUID.bodyCompositionMeasurement, name: 'Body Composition Measurement' },
  'glucose-measurement': { uuid: GATT_UUID.glucoseMeasurement, name: 'Glucose Measurement' },
  'record-access-control-point': { uuid: GATT_UUID.recordAccessControlPoint, name: 'Record Access Control Point' },
  'temperature-measurement': { uuid: GATT_UUID.temperatureMeasurement, name: 'Temperature Measurement' },
  'heart-rate-measurement': { uuid: GATT_UUID.heartRateMeasurement, name: 'Heart Rate Measurement' },
  'battery-level': { uuid: GATT_UUID.batteryLevel, name: 'Battery Level' },
  'current-time': { uuid: GATT_UUID.currentTime, name: 'Current Time' },
} as const;

export type CharacteristicKey = keyof typeof CHARACTERISTICS;

export const CHARACTERISTIC_KEYS = Object.keys(CHARACTERISTICS) as CharacteristicKey[];

const SUPPORTED: ReadonlySet<number> = new Set(Object.values(GATT_UUID));

export function isSupportedUuid(uuid: number): uuid is SupportedUuid {
  return SUPPORTED.has(uuid);
}

export function characteristicKeyForUuid(uuid: number): CharacteristicKey | undefined {
  return CHARACTERISTIC_KEYS.find((key) => CHARACTERISTICS[key].uuid === uuid);
}

/** "0x2A35". */
export function formatUuid16(uuid: number): string {
  return `0x${uuid.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The Bluetooth Base UUID, 0000xxxx-0000-1000-8000-00805F9B34FB (Core Specification, Vol 3 Part B §2.5.1). */
const BASE_UUID_SUFFIX = '00001000800000805f9b34fb';

/**
 * Reads a characteristic UUID as people and stacks write it: "2A35", "0x2a35", "2a35", the 32-bit
 * "00002a35", and the 128-bit "00002a35-0000-1000-8000-00805f9b34fb" (with or without dashes, as
 * noble gives it). A 128-bit UUID must be built on the Bluetooth Base UUID to have a 16-bit form.
 */
export function parseCharacteristicUuid(text: string): GattResult<number> {
  const trimmed = text.trim().toLowerCase();
  const bare = trimmed.startsWith('0x') ? trimmed.slice(2) : trimmed;
  const hex = bare.length === 36 && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(bare) ? bare.replace(/-/g, '') : bare;
  const invalid = (why: string) =>
    gattFail('gatt.invalid-uuid', `"${text}" is not a characteristic UUID: ${why}. Use e.g. "2A35", "0x2a35" or "00002a35-0000-1000-8000-00805f9b34fb".`, {
      field: 'uuid',
      offset: null,
      uuid: text,
    });
  if (!/^[0-9a-f]+$/.test(hex)) return invalid('it is not hexadecimal');
  if (hex.length === 4) return { ok: true, value: parseInt(hex, 16) };
  if (hex.length === 8) {
    if (!hex.startsWith('0000')) return invalid('a 32-bit UUID outside the 16-bit range has no GATT characteristic');
    return { ok: true, value: parseInt(hex.slice(4), 16) };
  }
  if (hex.length === 32) {
    if (!hex.startsWith('0000') || hex.slice(8) !== BASE_UUID_SUFFIX) return invalid('it is not built on the Bluetooth Base UUID');
    return { ok: true, value: parseInt(hex.slice(4, 8), 16) };
  }
  return invalid('it has neither 4, 8 nor 32 hex digits');
}
