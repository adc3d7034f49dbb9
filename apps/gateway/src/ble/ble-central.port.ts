/**
 * The narrow port the BLE source talks to: scan, connect, discover, subscribe, read, write and
 * disconnect events. `NobleBleCentral` implements it over @abandonware/noble (with the HCI
 * bindings in production, the simulated radio of @homeward/device-simulators in tests); another
 * stack (BlueZ over D-Bus, a phone) would be another implementation.
 *
 * UUIDs are noble-style: lowercase hex without dashes, 16-bit ones as four digits ('2a35').
 * Addresses are lowercase with colons. Every operation is bounded by a timeout: a Bluetooth stack
 * may simply never answer (noble 1.9 has no error path for a refused read or write).
 */

export interface BleAdvertisement {
  /** The stack's id for the peripheral (noble: the address without colons). */
  readonly id: string;
  readonly address: string;
  readonly localName: string | null;
  readonly serviceUuids: readonly string[];
  readonly rssi: number;
  readonly connectable: boolean;
}

export type BleProperty = 'broadcast' | 'read' | 'writeWithoutResponse' | 'write' | 'notify' | 'indicate' | string;

export interface BleCharacteristicInfo {
  readonly serviceUuid: string;
  readonly uuid: string;
  readonly properties: readonly BleProperty[];
}

export type BleErrorCode = 'ble.timeout' | 'ble.disconnected' | 'ble.unknown-peripheral' | 'ble.connect-failed' | 'ble.not-found' | 'ble.adapter-unavailable';

/** Why a BLE operation failed, as data (STYLE.md §9); thrown by port implementations. */
export class BleError extends Error {
  constructor(
    readonly code: BleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BleError';
  }
}

export interface BleConnection {
  readonly id: string;
  readonly address: string;
  readonly connected: boolean;
  /** Settles once, when the link goes (either side); `reason` is the HCI reason when the stack gives one. */
  readonly disconnected: Promise<{ readonly reason: number | null }>;
  /** Every service and characteristic (all of them when `serviceUuids` is empty). */
  discover(serviceUuids: readonly string[], timeoutMs: number): Promise<readonly BleCharacteristicInfo[]>;
  read(serviceUuid: string, characteristicUuid: string, timeoutMs: number): Promise<Uint8Array>;
  write(serviceUuid: string, characteristicUuid: string, data: Uint8Array, timeoutMs: number): Promise<void>;
  /**
   * Enables notifications or indications by writing the characteristic's Client Characteristic
   * Configuration descriptor; `onValue` receives every value from then on (never read responses).
   */
  subscribe(serviceUuid: string, characteristicUuid: string, onValue: (data: Uint8Array) => void, timeoutMs: number): Promise<void>;
  disconnect(timeoutMs: number): Promise<void>;
}

export interface BleCentral {
  /** Resolves when the adapter is powered on; rejects with ble.adapter-unavailable after the timeout. */
  ready(timeoutMs: number): Promise<void>;
  /** Scans for advertisements naming any of these services, reporting repeats (so a device that comes back is seen again). */
  startScanning(serviceUuids: readonly string[]): Promise<void>;
  stopScanning(): Promise<void>;
  /** Returns a function that removes the listener. */
  onDiscover(listener: (advertisement: BleAdvertisement) => void): () => void;
  /** The adapter's state changes (poweredOn, poweredOff, …). Returns a function that removes the listener. */
  onStateChange(listener: (state: string) => void): () => void;
  /** Connects to a peripheral seen in an advertisement; the attempt is cancelled after the timeout. */
  connect(id: string, timeoutMs: number): Promise<BleConnection>;
}
