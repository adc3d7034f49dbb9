import type { DeviceType } from '@homeward/domain';

/** A device registered to one of this gateway's patients. */
export interface BleDeviceRegistration {
  readonly deviceId: string;
  readonly patientId: string;
  readonly type?: DeviceType;
  readonly serial: string;
  /** Lowercase with colons; null when the device is registered by serial only. */
  readonly bleAddress: string | null;
}

/**
 * Which devices this gateway may connect to. By address, from the advertisement, before any
 * connection; by serial (Device Information, Serial Number String 0x2A25) only after connecting,
 * so a directory that has serial-only registrations makes the source connect briefly to unknown
 * health devices to read their serial (once per address per `unknownRecheckMs`).
 */
export interface BleDeviceDirectory {
  byAddress(address: string): Promise<BleDeviceRegistration | undefined>;
  bySerial?(serial: string): Promise<BleDeviceRegistration | undefined>;
}

/** A directory over a fixed list (or a function returning the current list, re-read on every lookup). */
export function staticBleDeviceDirectory(registrations: readonly BleDeviceRegistration[] | (() => readonly BleDeviceRegistration[])): BleDeviceDirectory {
  const list = typeof registrations === 'function' ? registrations : () => registrations;
  const serialOnly = (): boolean => list().some((r) => r.bleAddress === null);
  const directory: BleDeviceDirectory = {
    byAddress: (address) => Promise.resolve(list().find((r) => r.bleAddress !== null && r.bleAddress.toLowerCase() === address.toLowerCase())),
  };
  if (serialOnly()) {
    return { ...directory, bySerial: (serial) => Promise.resolve(list().find((r) => r.bleAddress === null && r.serial === serial.trim())) };
  }
  return directory;
}
