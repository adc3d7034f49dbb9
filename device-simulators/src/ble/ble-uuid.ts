/**
 * UUIDs and addresses the way noble's bindings spell them: lowercase hex without dashes, 16-bit
 * SIG-assigned UUIDs as their four digits ('2a35'), peripheral ids as the address without colons.
 */

/** '0x2A35', '2A35', 0x2a35 or a Bluetooth-base 128-bit UUID → '2a35'; other 128-bit UUIDs stay long. */
export function nobleUuid(uuid: string | number): string {
  if (typeof uuid === 'number') return uuid.toString(16).padStart(4, '0');
  const bare = uuid.trim().toLowerCase().replace(/^0x/, '').replace(/-/g, '');
  if (bare.length === 32 && bare.startsWith('0000') && bare.endsWith('00001000800000805f9b34fb')) return bare.slice(4, 8);
  if (bare.length === 8 && bare.startsWith('0000')) return bare.slice(4);
  return bare;
}

/** 'AA:BB:CC:DD:EE:01' → 'aabbccddee01', the id noble gives a peripheral. */
export function peripheralIdOf(address: string): string {
  return address.toLowerCase().split(':').join('');
}

/** Client Characteristic Configuration descriptor (Core Specification Vol 3 Part G §3.3.3.3). */
export const CCCD_UUID = '2902';
export const CCCD_NOTIFY = 0x0001;
export const CCCD_INDICATE = 0x0002;

/** Services and characteristics the simulated health devices expose (Bluetooth SIG Assigned Numbers). */
export const BLE_SERVICE = {
  bloodPressure: '1810',
  pulseOximeter: '1822',
  weightScale: '181d',
  healthThermometer: '1809',
  glucose: '1808',
  heartRate: '180d',
  battery: '180f',
  currentTime: '1805',
  deviceInformation: '180a',
} as const;

export const BLE_CHARACTERISTIC = {
  bloodPressureMeasurement: '2a35',
  bloodPressureFeature: '2a49',
  plxSpotCheckMeasurement: '2a5e',
  plxContinuousMeasurement: '2a5f',
  plxFeatures: '2a60',
  weightMeasurement: '2a9d',
  weightScaleFeature: '2a9e',
  temperatureMeasurement: '2a1c',
  glucoseMeasurement: '2a18',
  glucoseFeature: '2a51',
  recordAccessControlPoint: '2a52',
  batteryLevel: '2a19',
  currentTime: '2a2b',
  serialNumberString: '2a25',
  modelNumberString: '2a24',
} as const;
