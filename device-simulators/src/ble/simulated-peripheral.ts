import { EventEmitter } from 'node:events';
import { CCCD_INDICATE, CCCD_NOTIFY, CCCD_UUID, nobleUuid, peripheralIdOf } from './ble-uuid';

/** Characteristic properties as noble's HCI bindings name them. */
export type CharacteristicProperty = 'broadcast' | 'read' | 'writeWithoutResponse' | 'write' | 'notify' | 'indicate';

/** ATT error codes (Core Specification Vol 3 Part F §3.4.1.1) and the CSS common profile ones. */
export const ATT_ERROR = {
  readNotPermitted: 0x02,
  writeNotPermitted: 0x03,
  invalidAttributeValueLength: 0x0d,
  unlikelyError: 0x0e,
  /** Procedure Already in Progress (CSS Part B §1.2). */
  procedureAlreadyInProgress: 0xfe,
  /** Client Characteristic Configuration Descriptor Improperly Configured (CSS Part B §1.2). */
  cccdImproperlyConfigured: 0xfd,
} as const;

export interface SimulatedCharacteristic {
  readonly uuid: string;
  readonly properties: readonly CharacteristicProperty[];
  /** The value a read returns; without it (or without the 'read' property) a read is refused. */
  readonly onRead?: () => Uint8Array;
  /** Called on a write the properties allow; return an ATT error code to refuse it. */
  readonly onWrite?: (data: Uint8Array) => number | void;
}

export interface SimulatedService {
  readonly uuid: string;
  readonly characteristics: readonly SimulatedCharacteristic[];
}

export interface SimulatedPeripheralOptions {
  readonly address: string;
  readonly localName?: string;
  /** The service UUIDs in the advertising data (usually the primary health service). */
  readonly advertisedServiceUuids: readonly string[];
  readonly services: readonly SimulatedService[];
  readonly connectable?: boolean;
  readonly rssi?: number;
}

/** What the radio gives a peripheral while a central is connected to it. */
export interface PeripheralLink {
  /** Sends a notification or indication (the radio delivers it to the central in order). */
  notify(serviceUuid: string, characteristicUuid: string, data: Uint8Array): void;
  /** The peripheral ends the connection (HCI reason 0x13, remote user terminated). */
  terminate(reason: number): void;
}

/** One thing that happened on the peripheral's GATT server, for tests to inspect. */
export interface GattServerEvent {
  readonly at: Date;
  readonly op: 'connect' | 'disconnect' | 'read' | 'write' | 'cccd' | 'notify' | 'att-error';
  readonly characteristic?: string;
  readonly data?: Uint8Array;
  readonly code?: number;
  readonly detail?: string;
}

/**
 * Events: 'connect', 'disconnect' (reason), 'write' (characteristic uuid, data) and 'cccd'
 * (characteristic uuid, value). The radio emits 'write' and 'cccd' only after it has queued the
 * response to the central, so whatever a listener sends arrives after the central learns that its
 * write or subscription took effect, as on a real ATT bearer.
 *
 * A GATT server with an advertisement: the services and characteristics a peripheral exposes, the
 * Client Characteristic Configuration of each notifying characteristic, and the link to a
 * connected central. It knows nothing of noble: the SimulatedRadio translates between the two.
 * Health device behaviour (backlogs, clocks, RACP) is built on top of it (see health-devices.ts).
 */
export class SimulatedPeripheral extends EventEmitter {
  readonly address: string;
  /** noble's id for this peripheral: the address without colons. */
  readonly id: string;
  readonly localName: string | undefined;
  readonly advertisedServiceUuids: readonly string[];
  readonly services: readonly SimulatedService[];
  connectable: boolean;
  rssi: number;
  /** In radio range. Out of range, it neither advertises nor accepts connections. */
  inRange = true;
  /** Whether it advertises while not connected (devices usually stop once they have nothing to send). */
  advertising = true;
  /** Everything the GATT server saw, in order. */
  readonly log: GattServerEvent[] = [];
  private link: PeripheralLink | null = null;
  private readonly cccd = new Map<string, number>();

  constructor(options: SimulatedPeripheralOptions) {
    super();
    this.address = options.address.toLowerCase();
    this.id = peripheralIdOf(options.address);
    this.localName = options.localName;
    this.advertisedServiceUuids = options.advertisedServiceUuids.map((u) => nobleUuid(u));
    this.services = options.services.map((s) => ({
      uuid: nobleUuid(s.uuid),
      characteristics: s.characteristics.map((c) => ({ ...c, uuid: nobleUuid(c.uuid) })),
    }));
    this.connectable = options.connectable ?? true;
    this.rssi = options.rssi ?? -60;
  }

  get connected(): boolean {
    return this.link !== null;
  }

  /** The CCCD value a central wrote for a characteristic (0 when it has not subscribed). */
  cccdOf(characteristicUuid: string): number {
    return this.cccd.get(nobleUuid(characteristicUuid)) ?? 0;
  }

  /** True when the central has enabled notifications or indications on the characteristic. */
  isSubscribed(characteristicUuid: string): boolean {
    return this.cccdOf(characteristicUuid) !== 0;
  }

  /**
   * Notifies or indicates a value, as the characteristic's properties say. Returns false (and
   * sends nothing) when no central is connected or it has not enabled the CCCD: a real peripheral
   * may not send a notification the client did not ask for.
   */
  send(characteristicUuid: string, data: Uint8Array): boolean {
    const uuid = nobleUuid(characteristicUuid);
    const found = this.find(uuid);
    if (!found || !this.link || this.cccdOf(uuid) === 0) return false;
    this.record({ op: 'notify', characteristic: uuid, data });
    this.link.notify(found.service.uuid, uuid, Uint8Array.from(data));
    return true;
  }

  /** The peripheral ends the connection, as a device does once it has sent its readings. */
  disconnect(reason = 0x13): void {
    this.link?.terminate(reason);
  }

  // ---- the radio's side ------------------------------------------------------------------------

  /** @internal The radio connected a central. */
  attach(link: PeripheralLink): void {
    this.link = link;
    this.record({ op: 'connect' });
    this.emit('connect');
  }

  /** @internal The link is gone. CCCDs of an unbonded client do not survive a disconnection. */
  detach(reason: number): void {
    if (!this.link) return;
    this.link = null;
    this.cccd.clear();
    this.record({ op: 'disconnect', code: reason });
    this.emit('disconnect', reason);
  }

  /** @internal */
  find(characteristicUuid: string): { service: SimulatedService; characteristic: SimulatedCharacteristic } | undefined {
    const uuid = nobleUuid(characteristicUuid);
    for (const service of this.services) {
      const characteristic = service.characteristics.find((c) => c.uuid === uuid);
      if (characteristic) return { service, characteristic };
    }
    return undefined;
  }

  /** @internal A read request: the value, or an ATT error code. */
  handleRead(characteristicUuid: string): Uint8Array | number {
    const found = this.find(characteristicUuid);
    if (!found || !found.characteristic.properties.includes('read') || !found.characteristic.onRead) {
      this.record({ op: 'att-error', characteristic: characteristicUuid, code: ATT_ERROR.readNotPermitted, detail: 'read' });
      return ATT_ERROR.readNotPermitted;
    }
    const data = found.characteristic.onRead();
    this.record({ op: 'read', characteristic: found.characteristic.uuid, data });
    return data;
  }

  /** @internal A write request: null when accepted, or an ATT error code. */
  handleWrite(characteristicUuid: string, data: Uint8Array, withoutResponse: boolean): number | null {
    const found = this.find(characteristicUuid);
    const property: CharacteristicProperty = withoutResponse ? 'writeWithoutResponse' : 'write';
    if (!found || !found.characteristic.properties.includes(property)) {
      this.record({ op: 'att-error', characteristic: characteristicUuid, code: ATT_ERROR.writeNotPermitted, detail: 'write' });
      return ATT_ERROR.writeNotPermitted;
    }
    const refused = found.characteristic.onWrite?.(Uint8Array.from(data));
    if (typeof refused === 'number') {
      this.record({ op: 'att-error', characteristic: found.characteristic.uuid, code: refused, data, detail: 'write' });
      return refused;
    }
    this.record({ op: 'write', characteristic: found.characteristic.uuid, data });
    return null;
  }

  /** @internal Descriptors of a characteristic: the CCCD when it can notify or indicate. */
  descriptorsOf(characteristicUuid: string): string[] {
    const found = this.find(characteristicUuid);
    if (!found) return [];
    const props = found.characteristic.properties;
    return props.includes('notify') || props.includes('indicate') ? [CCCD_UUID] : [];
  }

  /**
   * @internal A write to a characteristic's CCCD. Null when accepted, or an ATT error code. The
   * value's bits must be ones the characteristic supports (notify 0x0001, indicate 0x0002).
   */
  handleCccdWrite(characteristicUuid: string, value: number): number | null {
    const found = this.find(characteristicUuid);
    const props = found?.characteristic.properties ?? [];
    const allowed = (props.includes('notify') ? CCCD_NOTIFY : 0) | (props.includes('indicate') ? CCCD_INDICATE : 0);
    if (!found || allowed === 0 || (value & ~allowed) !== 0) {
      this.record({ op: 'att-error', characteristic: characteristicUuid, code: ATT_ERROR.cccdImproperlyConfigured, detail: 'cccd' });
      return ATT_ERROR.cccdImproperlyConfigured;
    }
    const uuid = found.characteristic.uuid;
    this.cccd.set(uuid, value);
    this.record({ op: 'cccd', characteristic: uuid, code: value });
    return null;
  }

  private record(event: Omit<GattServerEvent, 'at'>): void {
    this.log.push({ at: new Date(), ...event });
  }
}
