import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { type BleAdvertisement, type BleCentral, type BleCharacteristicInfo, type BleConnection, BleError } from './ble-central.port';

// The parts of noble 1.9's objects this adapter uses (the package's index.d.ts describes the
// default export, which loads the HCI bindings; we never load that entry).
interface NobleCharacteristic extends EventEmitter {
  readonly uuid: string;
  readonly properties: readonly string[];
  read(callback?: (error: unknown, data: Buffer) => void): void;
  write(data: Buffer, withoutResponse: boolean, callback?: (error: unknown) => void): void;
  subscribe(callback?: (error: unknown) => void): void;
}
interface NobleService extends EventEmitter {
  readonly uuid: string;
  discoverCharacteristics(uuids: string[], callback?: (error: unknown, characteristics: NobleCharacteristic[]) => void): void;
}
interface NoblePeripheral extends EventEmitter {
  readonly id: string;
  readonly address: string;
  readonly connectable: boolean;
  readonly rssi: number;
  readonly advertisement: { readonly localName?: string; readonly serviceUuids?: readonly string[] };
  state: string;
  connect(callback?: (error?: Error | null) => void): void;
  cancelConnect(): void;
  disconnect(callback?: () => void): void;
  discoverServices(uuids: string[], callback?: (error: unknown, services: NobleService[]) => void): void;
}
/** The `Noble` instance lib/noble.js builds around a bindings object. */
export interface Noble extends EventEmitter {
  readonly state: string;
  startScanning(serviceUuids: string[], allowDuplicates: boolean, callback?: (error: Error | null) => void): void;
  stopScanning(callback?: () => void): void;
}

const load = createRequire(__filename);

/**
 * noble's central code around the given bindings: `@abandonware/noble/with-bindings`. (In 1.9.2,
 * `with-custom-binding.js` does NOT take bindings: it takes options and resolves the platform's
 * own, i.e. opens the HCI socket. `with-bindings.js` is the entry that accepts a bindings object.)
 */
export function nobleWithBindings(bindings: unknown): Noble {
  const factory = load('@abandonware/noble/with-bindings') as (b: unknown) => Noble;
  return factory(bindings);
}

/**
 * The platform's own bindings (HCI socket on Linux), loaded only when called: a gateway with BLE
 * disabled never touches the Bluetooth stack or needs @abandonware/bluetooth-hci-socket.
 */
export function loadPlatformBindings(options: { readonly deviceId?: number; readonly extended?: boolean } = {}): unknown {
  const resolve = load('@abandonware/noble/lib/resolve-bindings') as (o: unknown) => unknown;
  return resolve(options);
}

/** Runs `start` and settles with its callback, or rejects with ble.timeout / ble.disconnected. */
function bounded<T>(
  what: string,
  timeoutMs: number,
  disconnected: Promise<unknown> | null,
  start: (resolve: (value: T) => void, reject: (error: Error) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => finish(() => reject(new BleError('ble.timeout', `${what}: no answer within ${timeoutMs} ms`))), timeoutMs);
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle();
    };
    void disconnected?.then(() => finish(() => reject(new BleError('ble.disconnected', `${what}: the peripheral disconnected`))));
    try {
      start(
        (value) => finish(() => resolve(value)),
        (error) => finish(() => reject(error)),
      );
    } catch (error) {
      finish(() => reject(error instanceof Error ? error : new Error(String(error))));
    }
  });
}

function asError(error: unknown, code: 'ble.connect-failed' | 'ble.not-found', what: string): BleError {
  const detail = error instanceof Error ? error.message : String(error);
  return new BleError(code, `${what}: ${detail}`);
}

class NobleConnection implements BleConnection {
  readonly disconnected: Promise<{ readonly reason: number | null }>;
  private readonly characteristics = new Map<string, NobleCharacteristic>();
  private isConnected = true;

  constructor(private readonly peripheral: NoblePeripheral) {
    this.disconnected = new Promise((resolve) => {
      peripheral.once('disconnect', (reason?: number) => {
        this.isConnected = false;
        resolve({ reason: typeof reason === 'number' ? reason : null });
      });
    });
  }

  get id(): string {
    return this.peripheral.id;
  }

  get address(): string {
    return this.peripheral.address;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  async discover(serviceUuids: readonly string[], timeoutMs: number): Promise<readonly BleCharacteristicInfo[]> {
    // Not discoverAllServicesAndCharacteristics: its callback never fires for a peripheral with no
    // matching service, and it reports characteristic errors nowhere.
    const services = await bounded<NobleService[]>('discover services', timeoutMs, this.disconnected, (resolve, reject) =>
      this.peripheral.discoverServices([...serviceUuids], (error, found) => (error ? reject(asError(error, 'ble.not-found', 'discover services')) : resolve(found))),
    );
    const result: BleCharacteristicInfo[] = [];
    for (const service of services) {
      const characteristics = await bounded<NobleCharacteristic[]>(`discover characteristics of ${service.uuid}`, timeoutMs, this.disconnected, (resolve, reject) =>
        service.discoverCharacteristics([], (error, found) => (error ? reject(asError(error, 'ble.not-found', 'discover characteristics')) : resolve(found))),
      );
      for (const characteristic of characteristics) {
        this.characteristics.set(key(service.uuid, characteristic.uuid), characteristic);
        result.push({ serviceUuid: service.uuid, uuid: characteristic.uuid, properties: [...characteristic.properties] });
      }
    }
    return result;
  }

  read(serviceUuid: string, characteristicUuid: string, timeoutMs: number): Promise<Uint8Array> {
    const characteristic = this.characteristic(serviceUuid, characteristicUuid);
    return bounded(`read ${characteristicUuid}`, timeoutMs, this.disconnected, (resolve, reject) =>
      characteristic.read((error, data) => (error ? reject(asError(error, 'ble.not-found', `read ${characteristicUuid}`)) : resolve(new Uint8Array(data)))),
    );
  }

  write(serviceUuid: string, characteristicUuid: string, data: Uint8Array, timeoutMs: number): Promise<void> {
    const characteristic = this.characteristic(serviceUuid, characteristicUuid);
    return bounded(`write ${characteristicUuid}`, timeoutMs, this.disconnected, (resolve, reject) =>
      characteristic.write(Buffer.from(data), false, (error) => (error ? reject(asError(error, 'ble.not-found', `write ${characteristicUuid}`)) : resolve())),
    );
  }

  subscribe(serviceUuid: string, characteristicUuid: string, onValue: (data: Uint8Array) => void, timeoutMs: number): Promise<void> {
    const characteristic = this.characteristic(serviceUuid, characteristicUuid);
    // Listen before the CCCD write: a device may send its backlog the moment it is enabled. noble
    // emits 'data' for read responses too; only notifications and indications are values here.
    characteristic.on('data', (data: Buffer, isNotification: boolean) => {
      if (isNotification) onValue(new Uint8Array(data));
    });
    // noble's subscribe() is notify(true): the bindings write the CCCD (0x0001 notify, else 0x0002 indicate).
    return bounded(`subscribe ${characteristicUuid}`, timeoutMs, this.disconnected, (resolve, reject) =>
      characteristic.subscribe((error) => (error ? reject(asError(error, 'ble.not-found', `subscribe ${characteristicUuid}`)) : resolve())),
    );
  }

  async disconnect(timeoutMs: number): Promise<void> {
    if (!this.isConnected) return;
    this.peripheral.disconnect();
    await bounded('disconnect', timeoutMs, null, (resolve) => void this.disconnected.then(() => resolve(undefined)));
  }

  private characteristic(serviceUuid: string, characteristicUuid: string): NobleCharacteristic {
    const found = this.characteristics.get(key(serviceUuid, characteristicUuid));
    if (!found) throw new BleError('ble.not-found', `characteristic ${characteristicUuid} of service ${serviceUuid} was not discovered`);
    return found;
  }
}

const key = (service: string, characteristic: string): string => `${service}/${characteristic}`;

/**
 * BleCentral over noble. Construct it with a Noble instance (`nobleWithBindings(bindings)`): the
 * simulated radio in tests, `loadPlatformBindings()` in production.
 */
export class NobleBleCentral implements BleCentral {
  private readonly peripherals = new Map<string, NoblePeripheral>();
  /** Peripherals whose cancelled connection has yet to be completed (with an error) by the controller. */
  private readonly staleCompletions = new Set<string>();

  constructor(private readonly noble: Noble) {
    noble.on('discover', (peripheral: NoblePeripheral) => this.peripherals.set(peripheral.id, peripheral));
    // noble prints warnings to the console unless someone listens; the source reports what matters.
    noble.on('warning', () => undefined);
  }

  ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onState = (state: string): void => {
        if (state !== 'poweredOn') return;
        clearTimeout(timer);
        this.noble.removeListener('stateChange', onState);
        resolve();
      };
      const timer = setTimeout(() => {
        this.noble.removeListener('stateChange', onState);
        reject(new BleError('ble.adapter-unavailable', `the Bluetooth adapter is not powered on (state ${this.noble.state}) after ${timeoutMs} ms`));
      }, timeoutMs);
      // Adding a stateChange listener makes noble initialise its bindings.
      this.noble.on('stateChange', onState);
      if (this.noble.state === 'poweredOn') onState('poweredOn');
    });
  }

  startScanning(serviceUuids: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) =>
      this.noble.startScanning([...serviceUuids], true, (error) => (error ? reject(new BleError('ble.adapter-unavailable', error.message)) : resolve())),
    );
  }

  stopScanning(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      this.noble.stopScanning(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  onDiscover(listener: (advertisement: BleAdvertisement) => void): () => void {
    const handler = (peripheral: NoblePeripheral): void =>
      listener({
        id: peripheral.id,
        address: peripheral.address.toLowerCase(),
        localName: peripheral.advertisement.localName ?? null,
        serviceUuids: [...(peripheral.advertisement.serviceUuids ?? [])],
        rssi: peripheral.rssi,
        connectable: peripheral.connectable,
      });
    this.noble.on('discover', handler);
    return () => this.noble.removeListener('discover', handler);
  }

  onStateChange(listener: (state: string) => void): () => void {
    this.noble.on('stateChange', listener);
    return () => this.noble.removeListener('stateChange', listener);
  }

  connect(id: string, timeoutMs: number): Promise<BleConnection> {
    const peripheral = this.peripherals.get(id);
    if (!peripheral) return Promise.reject(new BleError('ble.unknown-peripheral', `peripheral ${id} has not been seen advertising`));
    return new Promise((resolve, reject) => {
      let settled = false;
      const onConnect = (error?: Error | null): void => {
        if (error && this.staleCompletions.has(id)) {
          // The controller's completion of a connection we cancelled earlier, not this attempt's.
          this.staleCompletions.delete(id);
          return;
        }
        peripheral.removeListener('connect', onConnect);
        if (settled) {
          // Connected after we gave up: do not leave the link open.
          if (!error) peripheral.disconnect();
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (error) reject(asError(error, 'ble.connect-failed', `connect to ${peripheral.address}`));
        else resolve(new NobleConnection(peripheral));
      };
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        peripheral.removeListener('connect', onConnect);
        // noble's Peripheral emits 'connect' with an error at once; HCI then completes the cancelled
        // LE Create Connection with status 0x02, a second, stale 'connect' error that must not
        // fail the next attempt.
        peripheral.cancelConnect();
        this.staleCompletions.add(id);
        reject(new BleError('ble.timeout', `connect to ${peripheral.address}: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      peripheral.on('connect', onConnect);
      peripheral.connect();
    });
  }
}
