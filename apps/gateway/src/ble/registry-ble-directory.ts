import type { RegistryRepository } from '@homeward/storage';
import { type BleDeviceDirectory, type BleDeviceRegistration, staticBleDeviceDirectory } from './ble-device-directory';

/**
 * The BLE devices registered to patients, from the store, refreshed every `refreshMs` so a
 * device added with `homeward device add --ble-address …` is picked up without a restart.
 */
export async function registryBleDirectory(
  registry: Pick<RegistryRepository, 'bleDevices'>,
  options: { refreshMs?: number; onError?: (error: unknown) => void } = {},
): Promise<{ directory: BleDeviceDirectory; close(): void }> {
  let current: readonly BleDeviceRegistration[] = await registry.bleDevices();
  const timer = setInterval(() => {
    registry.bleDevices().then(
      (list) => (current = list),
      (error: unknown) => options.onError?.(error),
    );
  }, options.refreshMs ?? 60_000);
  timer.unref();
  const byList = () => current;
  const addressed = staticBleDeviceDirectory(byList);
  const directory: BleDeviceDirectory = {
    byAddress: addressed.byAddress,
    // Serial-only registrations may appear after start: always offer the lookup.
    bySerial: (serial) => Promise.resolve(current.find((r) => r.bleAddress === null && r.serial === serial.trim())),
  };
  return { directory, close: () => clearInterval(timer) };
}
