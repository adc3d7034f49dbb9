// The gateway's Bluetooth LE source. See ble.source.ts.
import { NobleBleCentral, loadPlatformBindings, nobleWithBindings } from './noble-ble-central';

export * from './backoff';
export * from './ble-central.port';
export * from './ble-device-directory';
export * from './ble-session';
export * from './ble.source';
export * from './glucose-sequence.store';
export * from './noble-ble-central';
export * from './registry-ble-directory';

/**
 * The noble central over the given bindings, or, when none are given, over the platform's own
 * (HCI socket on Linux), which are loaded only now: call this only when BLE is enabled.
 */
export function createNobleBleCentral(bindings?: unknown): NobleBleCentral {
  return new NobleBleCentral(nobleWithBindings(bindings ?? loadPlatformBindings()));
}
