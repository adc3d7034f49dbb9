import type { RegistryRepository } from '@homeward/storage';
import { type BleDeviceDirectory, type BleDeviceRegistration, staticBleDeviceDirectory } from './ble-device-directory';

/**
 * The BLE devices registered to patients, from the store, refreshed every `refreshMs` so a
 * device added with `homeward device add --ble-address …` is picked up without a restart, and at
 * once on every device change the gateway hears of (`changes`: the device directory's
 * notifications), so a reassigned device's next reading goes to its new patient.
 */
export async function registryBleDirectory(
  registry: Pick<RegistryRepository, 'bleDevices'>,
  options: {
    refreshMs?: number;
    onError?: (error: unknown) => void;
    changes?: (listener: (deviceId: string | undefined) => void) => () => void;
  } = {},
): Promise<{ directory: BleDeviceDirectory; close(): void }> {
  let current: readonly BleDeviceRegistration[] = await registry.bleDevices();
  // Refreshes may overlap (a change during the timer's): only the latest one started may land.
  let started = 0;
  const refresh = (): void => {
    const mine = ++started;
    registry.bleDevices().then(
      (list) => {
        if (mine === started) current = list;
      },
      (error: unknown) => options.onError?.(error),
    );
  };
  const timer = setInterval(refresh, options.refreshMs ?? 60_000);
  timer.unref();
  const unsubscribe = options.changes?.(() => refresh()) ?? (() => undefined);
  const byList = () => current;
  const addressed = staticBleDeviceDirectory(byList);
  const directory: BleDeviceDirectory = {
    byAddress: addressed.byAddress,
    // Serial-only registrations may appear after start: always offer the lookup.
    bySerial: (serial) => Promise.resolve(current.find((r) => r.bleAddress === null && r.serial === serial.trim())),
  };
  return {
    directory,
    close: () => {
      clearInterval(timer);
      unsubscribe();
    },
  };
}
