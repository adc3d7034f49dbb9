import { EventEmitter } from 'node:events';
import { CCCD_INDICATE, CCCD_NOTIFY, CCCD_UUID, nobleUuid } from './ble-uuid';
import type { SimulatedPeripheral } from './simulated-peripheral';

/** HCI disconnection reasons (Core Specification Vol 1 Part F). */
export const HCI_REASON = {
  connectionTimeout: 0x08,
  remoteUserTerminated: 0x13,
  localHostTerminated: 0x16,
} as const;

export type RadioState = 'unknown' | 'resetting' | 'unsupported' | 'unauthorized' | 'poweredOff' | 'poweredOn';

export interface SimulatedRadioOptions {
  /** How often each advertising peripheral is seen while scanning. */
  readonly advertisingIntervalMs?: number;
  /** The adapter's own address (noble's `addressChange`). */
  readonly address?: string;
}

interface PendingConnect {
  readonly id: string;
}

/**
 * A Bluetooth LE adapter that exists only in memory, implementing the bindings interface noble's
 * `Noble` class drives (the contract of lib/hci-socket/bindings.js in @abandonware/noble 1.9.2):
 * methods called by noble (init, startScanning, connect, discoverServices, read, write, notify,
 * discoverDescriptors, readValue, writeValue, disconnect, …) and events emitted back with the
 * HCI bindings' argument lists (stateChange, scanStart, discover, connect, servicesDiscover,
 * characteristicsDiscover, read, write, notify, descriptorsDiscover, valueRead, valueWrite,
 * disconnect, …). Hand it to `require('@abandonware/noble/with-bindings')(radio)` and the real
 * noble central code runs against SimulatedPeripherals.
 *
 * It copies the HCI bindings where central code has to cope with them:
 * - every answer is asynchronous, and all of them go through one FIFO, so a peripheral's
 *   notifications and its disconnection reach noble in the order they were sent;
 * - the service-UUID scan filter is applied in the bindings, as HCI does;
 * - connection requests are serialised: one LE Create Connection at a time, the rest queued, and a
 *   connection to a peripheral that is not there never completes until it is cancelled;
 * - a request the peripheral refuses with an ATT error (read or write not permitted, CCCD
 *   improperly configured) produces NO event at all: noble 1.9.2 has no error path for reads,
 *   writes or subscriptions, so its callbacks simply never fire. Central code needs timeouts;
 * - `notify(…, true)` writes the CCCD itself (0x0001 when the characteristic notifies, else 0x0002
 *   to indicate), as lib/hci-socket/gatt.js does; writing descriptor 0x2902 directly works too;
 * - the CCCDs are forgotten at disconnection (an unbonded client).
 */
export class SimulatedRadio extends EventEmitter {
  private readonly peripherals = new Map<string, SimulatedPeripheral>();
  private readonly intervalMs: number;
  private readonly adapterAddress: string;
  private state: RadioState = 'unknown';
  private scanning = false;
  private scanFilter: readonly string[] = [];
  private advertisingTimer: NodeJS.Timeout | null = null;
  private readonly outbox: Array<() => void> = [];
  private draining = false;
  private pendingConnect: PendingConnect | null = null;
  private readonly connectQueue: PendingConnect[] = [];
  /** Bindings calls the radio could not honour (unknown peripheral, not connected …), for tests. */
  readonly warnings: string[] = [];

  constructor(options: SimulatedRadioOptions = {}) {
    super();
    this.intervalMs = options.advertisingIntervalMs ?? 50;
    this.adapterAddress = (options.address ?? '00:1a:7d:da:71:00').toLowerCase();
  }

  // ---- the test's side -----------------------------------------------------------------------

  /** Puts a peripheral in range of this adapter. */
  add(...peripherals: SimulatedPeripheral[]): this {
    for (const peripheral of peripherals) {
      this.peripherals.set(peripheral.id, peripheral);
      if (this.scanning) this.post(() => this.advertise(peripheral));
    }
    return this;
  }

  remove(peripheral: SimulatedPeripheral): void {
    if (peripheral.connected) this.dropLink(peripheral, HCI_REASON.connectionTimeout);
    this.peripherals.delete(peripheral.id);
  }

  /** The adapter is switched off or on (rfkill, USB unplugged): noble sees stateChange. */
  setState(state: RadioState): void {
    this.state = state;
    if (state !== 'poweredOn') {
      this.stopAdvertisingTimer();
      this.scanning = false;
      for (const peripheral of this.peripherals.values()) {
        if (peripheral.connected) this.dropLink(peripheral, HCI_REASON.connectionTimeout);
      }
    }
    this.post(() => this.emit('stateChange', state));
  }

  /** Moves a peripheral out of range: a connected one drops with a supervision timeout. */
  outOfRange(peripheral: SimulatedPeripheral): void {
    peripheral.inRange = false;
    if (peripheral.connected) this.dropLink(peripheral, HCI_REASON.connectionTimeout);
  }

  backInRange(peripheral: SimulatedPeripheral): void {
    peripheral.inRange = true;
    this.tryPendingConnect();
  }

  /** Stops the advertising timer and drops every link; call at the end of a test. */
  close(): void {
    this.stopAdvertisingTimer();
    this.scanning = false;
    for (const peripheral of this.peripherals.values()) {
      if (peripheral.connected) this.dropLink(peripheral, HCI_REASON.localHostTerminated);
    }
  }

  // ---- noble's side: the bindings interface ---------------------------------------------------

  init(): void {
    this.state = 'poweredOn';
    this.post(() => {
      this.emit('addressChange', this.adapterAddress);
      this.emit('stateChange', this.state);
    });
  }

  setScanParameters(): void {
    this.post(() => this.emit('scanParametersSet'));
  }

  startScanning(serviceUuids?: readonly string[], allowDuplicates?: boolean): void {
    if (this.state !== 'poweredOn') return;
    this.scanFilter = (serviceUuids ?? []).map((u) => nobleUuid(u));
    this.scanning = true;
    this.post(() => this.emit('scanStart', !allowDuplicates));
    this.post(() => this.advertiseAll());
    this.stopAdvertisingTimer();
    this.advertisingTimer = setInterval(() => this.post(() => this.advertiseAll()), this.intervalMs);
    this.advertisingTimer.unref();
  }

  stopScanning(): void {
    this.scanning = false;
    this.stopAdvertisingTimer();
    this.post(() => this.emit('scanStop'));
  }

  reset(): void {
    // An HCI reset; nothing to do in memory.
  }

  connect(peripheralUuid: string): void {
    const request = { id: peripheralUuid };
    if (this.pendingConnect) this.connectQueue.push(request);
    else {
      this.pendingConnect = request;
      this.post(() => this.tryPendingConnect());
    }
  }

  cancelConnect(peripheralUuid: string): void {
    const queued = this.connectQueue.findIndex((c) => c.id === peripheralUuid);
    if (queued >= 0) this.connectQueue.splice(queued, 1);
    if (this.pendingConnect?.id === peripheralUuid) {
      // LE Create Connection Cancel: the controller completes the pending connection with an error.
      this.pendingConnect = null;
      this.post(() => this.emit('connect', peripheralUuid, new Error('Unknown Connection Identifier (0x2)')));
      this.nextConnect();
    }
  }

  disconnect(peripheralUuid: string): void {
    const peripheral = this.peripherals.get(peripheralUuid);
    if (!peripheral?.connected) {
      this.warn(`disconnect: ${peripheralUuid} is not connected`);
      return;
    }
    this.dropLink(peripheral, HCI_REASON.localHostTerminated);
  }

  updateRssi(peripheralUuid: string): void {
    this.withLink(peripheralUuid, 'updateRssi', (p) => this.post(() => this.emit('rssiUpdate', peripheralUuid, p.rssi)));
  }

  discoverServices(peripheralUuid: string, uuids?: readonly string[]): void {
    this.withLink(peripheralUuid, 'discoverServices', (p) => {
      const wanted = (uuids ?? []).map((u) => nobleUuid(u));
      const services = p.services.filter((s) => wanted.length === 0 || wanted.includes(s.uuid));
      this.post(() => {
        this.emit('servicesDiscover', peripheralUuid, services.map((s) => s.uuid));
        this.emit('servicesDiscovered', peripheralUuid, services.map((s) => ({ uuid: s.uuid })));
      });
    });
  }

  discoverIncludedServices(peripheralUuid: string, serviceUuid: string): void {
    this.withLink(peripheralUuid, 'discoverIncludedServices', () => this.post(() => this.emit('includedServicesDiscover', peripheralUuid, serviceUuid, [])));
  }

  discoverCharacteristics(peripheralUuid: string, serviceUuid: string, characteristicUuids?: readonly string[]): void {
    this.withLink(peripheralUuid, 'discoverCharacteristics', (p) => {
      const service = p.services.find((s) => s.uuid === nobleUuid(serviceUuid));
      if (!service) {
        this.warn(`discoverCharacteristics: ${peripheralUuid} has no service ${serviceUuid}`);
        return;
      }
      const wanted = (characteristicUuids ?? []).map((u) => nobleUuid(u));
      const found = service.characteristics
        .filter((c) => wanted.length === 0 || wanted.includes(c.uuid))
        .map((c) => ({ uuid: c.uuid, properties: [...c.properties] }));
      this.post(() => {
        this.emit('characteristicsDiscover', peripheralUuid, serviceUuid, found);
        this.emit('characteristicsDiscovered', peripheralUuid, serviceUuid, found);
      });
    });
  }

  read(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    this.withLink(peripheralUuid, 'read', (p) => {
      const result = p.handleRead(characteristicUuid);
      // An ATT Error Response: HCI noble emits nothing, so neither do we.
      if (typeof result === 'number') return;
      const data = Buffer.from(result);
      this.post(() => this.emit('read', peripheralUuid, serviceUuid, characteristicUuid, data, false));
    });
  }

  write(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, data: Buffer, withoutResponse: boolean): void {
    this.withLink(peripheralUuid, 'write', (p) => {
      const bytes = Uint8Array.from(data);
      const refused = p.handleWrite(characteristicUuid, bytes, withoutResponse);
      if (refused !== null) return;
      this.post(() => this.emit('write', peripheralUuid, serviceUuid, characteristicUuid));
      p.emit('write', nobleUuid(characteristicUuid), bytes);
    });
  }

  broadcast(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, broadcast: boolean): void {
    this.withLink(peripheralUuid, 'broadcast', () => this.post(() => this.emit('broadcast', peripheralUuid, serviceUuid, characteristicUuid, broadcast)));
  }

  /** As lib/hci-socket/gatt.js: read the CCCD, set or clear the notify (else indicate) bit, write it. */
  notify(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, enable: boolean): void {
    this.withLink(peripheralUuid, 'notify', (p) => {
      const found = p.find(characteristicUuid);
      if (!found || !p.descriptorsOf(characteristicUuid).includes(CCCD_UUID)) {
        this.warn(`notify: ${characteristicUuid} of ${peripheralUuid} has no CCCD`);
        return;
      }
      const bit = found.characteristic.properties.includes('notify') ? CCCD_NOTIFY : CCCD_INDICATE;
      const current = p.cccdOf(characteristicUuid);
      const value = enable ? current | bit : current & ~bit;
      if (p.handleCccdWrite(characteristicUuid, value) !== null) return;
      this.post(() => this.emit('notify', peripheralUuid, serviceUuid, characteristicUuid, enable));
      p.emit('cccd', nobleUuid(characteristicUuid), value);
    });
  }

  discoverDescriptors(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    this.withLink(peripheralUuid, 'discoverDescriptors', (p) => {
      const descriptors = p.descriptorsOf(characteristicUuid);
      this.post(() => this.emit('descriptorsDiscover', peripheralUuid, serviceUuid, characteristicUuid, descriptors));
    });
  }

  readValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string): void {
    this.withLink(peripheralUuid, 'readValue', (p) => {
      if (nobleUuid(descriptorUuid) !== CCCD_UUID || !p.descriptorsOf(characteristicUuid).includes(CCCD_UUID)) {
        this.warn(`readValue: no descriptor ${descriptorUuid} on ${characteristicUuid}`);
        return;
      }
      const value = Buffer.alloc(2);
      value.writeUInt16LE(p.cccdOf(characteristicUuid), 0);
      this.post(() => this.emit('valueRead', peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid, value));
    });
  }

  writeValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string, data: Buffer): void {
    this.withLink(peripheralUuid, 'writeValue', (p) => {
      if (nobleUuid(descriptorUuid) !== CCCD_UUID || data.length !== 2) {
        this.warn(`writeValue: ${descriptorUuid} on ${characteristicUuid} is not a writable descriptor (or not 2 octets)`);
        return;
      }
      const value = data.readUInt16LE(0);
      if (p.handleCccdWrite(characteristicUuid, value) !== null) return;
      this.post(() => this.emit('valueWrite', peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid));
      p.emit('cccd', nobleUuid(characteristicUuid), value);
    });
  }

  readHandle(peripheralUuid: string, handle: number): void {
    this.warn(`readHandle ${handle} on ${peripheralUuid}: attribute handles are not simulated`);
  }

  writeHandle(peripheralUuid: string, handle: number): void {
    this.warn(`writeHandle ${handle} on ${peripheralUuid}: attribute handles are not simulated`);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Everything noble hears goes through here, one event loop turn after the call that caused it. */
  private post(event: () => void): void {
    this.outbox.push(event);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    // Events posted while draining (a listener calling back into the radio) run in this pass, in order.
    for (let next = this.outbox.shift(); next; next = this.outbox.shift()) {
      try {
        next();
      } catch (error) {
        // A throwing listener in noble or the central must not stall the radio.
        this.warn(`listener threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
    this.draining = false;
  }

  private advertiseAll(): void {
    if (!this.scanning) return;
    for (const peripheral of this.peripherals.values()) this.advertise(peripheral);
  }

  private advertise(peripheral: SimulatedPeripheral): void {
    if (!this.scanning || !peripheral.inRange || !peripheral.advertising || peripheral.connected) return;
    if (this.pendingConnect?.id === peripheral.id) return;
    // The service filter is applied in the bindings, as lib/hci-socket/bindings.js onDiscover does.
    if (this.scanFilter.length > 0 && !peripheral.advertisedServiceUuids.some((u) => this.scanFilter.includes(u))) return;
    const advertisement = {
      localName: peripheral.localName,
      txPowerLevel: undefined,
      manufacturerData: undefined,
      serviceData: [],
      serviceUuids: [...peripheral.advertisedServiceUuids],
      solicitationServiceUuids: [],
      serviceSolicitationUuids: [],
    };
    this.emit('discover', peripheral.id, peripheral.address, 'public', peripheral.connectable, advertisement, peripheral.rssi, true);
  }

  private tryPendingConnect(): void {
    const pending = this.pendingConnect;
    if (!pending) return;
    const peripheral = this.peripherals.get(pending.id);
    // Not there (or not accepting): LE Create Connection stays pending until cancelled, as on HCI.
    if (!peripheral || !peripheral.inRange || !peripheral.connectable || peripheral.connected || this.state !== 'poweredOn') return;
    this.pendingConnect = null;
    const id = peripheral.id;
    peripheral.attach({
      notify: (serviceUuid, characteristicUuid, data) => {
        const bytes = Buffer.from(data);
        this.post(() => this.emit('read', id, serviceUuid, characteristicUuid, bytes, true));
      },
      terminate: (reason) => this.dropLink(peripheral, reason),
    });
    this.post(() => this.emit('connect', id, null));
    this.nextConnect();
  }

  private nextConnect(): void {
    if (this.pendingConnect) return;
    const next = this.connectQueue.shift();
    if (!next) return;
    this.pendingConnect = next;
    this.post(() => this.tryPendingConnect());
  }

  private dropLink(peripheral: SimulatedPeripheral, reason: number): void {
    if (!peripheral.connected) return;
    peripheral.detach(reason);
    const id = peripheral.id;
    this.post(() => this.emit('disconnect', id, reason));
  }

  private withLink(peripheralUuid: string, operation: string, run: (peripheral: SimulatedPeripheral) => void): void {
    const peripheral = this.peripherals.get(peripheralUuid);
    // HCI noble prints "noble warning: unknown peripheral" and emits nothing.
    if (!peripheral?.connected) {
      this.warn(`${operation}: unknown or disconnected peripheral ${peripheralUuid}`);
      return;
    }
    run(peripheral);
  }

  private stopAdvertisingTimer(): void {
    if (this.advertisingTimer) clearInterval(this.advertisingTimer);
    this.advertisingTimer = null;
  }

  private warn(message: string): void {
    this.warnings.push(message);
  }
}
