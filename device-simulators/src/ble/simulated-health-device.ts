import { type CharacteristicKey, type DateTime, type MeasurementByCharacteristic, encodeCharacteristic, encodeCurrentTime } from '@homeward/gatt';
import { BLE_CHARACTERISTIC, BLE_SERVICE, nobleUuid } from './ble-uuid';
import { SimulatedClock, type SimulatedClockOptions } from './simulated-clock';
import { SimulatedPeripheral, type SimulatedCharacteristic, type SimulatedService } from './simulated-peripheral';

/** Current Time Service application error: the written value was not accepted (CTS §3.1.2.1). */
const CTS_DATA_FIELD_IGNORED = 0x80;

export interface HealthDeviceOptions {
  /** 'aa:bb:cc:dd:ee:01'. */
  readonly address: string;
  /** Device Information Serial Number String (0x2A25). */
  readonly serial: string;
  /** Device Information Model Number String (0x2A24). */
  readonly model?: string;
  readonly localName?: string;
  /** Battery Level (0x180F / 0x2A19), in %; null for a device without the Battery Service. Default 87. */
  readonly batteryLevel?: number | null;
  /** Current Time (0x1805 / 0x2A2B); null for a device without the Current Time Service. Default: right, read-only. */
  readonly clock?: SimulatedClockOptions | null;
  /**
   * Ends the connection once its stored readings are sent, as most cuffs, scales and thermometers
   * do to save battery. Default true (the glucose meter's default is false).
   */
  readonly disconnectAfterSend?: boolean;
  /**
   * 'while-stored': advertise only while readings wait to be sent (after a measurement), the way
   * battery devices behave; 'always': advertise whenever not connected.
   */
  readonly advertising?: 'while-stored' | 'always';
  /** True time; tests may fix it. */
  readonly now?: () => Date;
}

export interface StoredFrame {
  readonly characteristic: string;
  readonly frame: Uint8Array;
}

/**
 * What every simulated health device shares: a SimulatedPeripheral advertising its health
 * service, Battery, Current Time and Device Information services, a clock that may be wrong or
 * unset, and a store of frames measured while no central listened. When a central enables the
 * CCCD of a measurement characteristic, the stored frames for it are sent in order (the backlog),
 * and with `disconnectAfterSend` the device then hangs up at once. Frames come from the libs/gatt
 * encoders; `storeRaw`/`sendRaw` put any bytes on the air, for malformed frames.
 */
export abstract class SimulatedHealthDevice {
  readonly peripheral: SimulatedPeripheral;
  readonly clock: SimulatedClock | null;
  readonly serial: string;
  readonly disconnectAfterSend: boolean;
  /** Every frame delivered to a central, in order. */
  readonly sent: StoredFrame[] = [];
  protected readonly now: () => Date;
  private batteryLevelValue: number | null;
  private readonly backlog: StoredFrame[] = [];
  private readonly advertisingPolicy: 'while-stored' | 'always';
  private sentThisConnection = 0;

  protected constructor(
    options: HealthDeviceOptions,
    primary: { readonly serviceUuid: string; readonly characteristics: readonly SimulatedCharacteristic[]; readonly defaultName: string },
  ) {
    this.now = options.now ?? (() => new Date());
    this.serial = options.serial;
    this.disconnectAfterSend = options.disconnectAfterSend ?? true;
    this.advertisingPolicy = options.advertising ?? 'while-stored';
    this.batteryLevelValue = options.batteryLevel === undefined ? 87 : options.batteryLevel;
    this.clock = options.clock === null ? null : new SimulatedClock(this.now, options.clock ?? {});
    const services: SimulatedService[] = [
      { uuid: primary.serviceUuid, characteristics: primary.characteristics },
      {
        uuid: BLE_SERVICE.deviceInformation,
        characteristics: [
          { uuid: BLE_CHARACTERISTIC.serialNumberString, properties: ['read'], onRead: () => new TextEncoder().encode(options.serial) },
          { uuid: BLE_CHARACTERISTIC.modelNumberString, properties: ['read'], onRead: () => new TextEncoder().encode(options.model ?? primary.defaultName) },
        ],
      },
    ];
    if (this.batteryLevelValue !== null) {
      services.push({
        uuid: BLE_SERVICE.battery,
        characteristics: [{ uuid: BLE_CHARACTERISTIC.batteryLevel, properties: ['read', 'notify'], onRead: () => this.batteryFrame() }],
      });
    }
    const clock = this.clock;
    if (clock) {
      services.push({
        uuid: BLE_SERVICE.currentTime,
        characteristics: [
          {
            uuid: BLE_CHARACTERISTIC.currentTime,
            properties: clock.writable ? ['read', 'write', 'notify'] : ['read', 'notify'],
            onRead: () => encodeCurrentTime(clock.currentTime()),
            onWrite: (data) => (clock.write(data) ? undefined : CTS_DATA_FIELD_IGNORED),
          },
        ],
      });
    }
    this.peripheral = new SimulatedPeripheral({
      address: options.address,
      localName: options.localName ?? `${primary.defaultName} ${options.serial.slice(-4)}`,
      advertisedServiceUuids: [primary.serviceUuid],
      services,
    });
    this.peripheral.on('cccd', (uuid: string, value: number) => {
      if (value !== 0) this.onSubscribed(uuid);
    });
    this.peripheral.on('connect', () => {
      this.sentThisConnection = 0;
    });
    this.peripheral.on('disconnect', () => this.updateAdvertising());
    this.updateAdvertising();
  }

  get address(): string {
    return this.peripheral.address;
  }

  /** noble's id for this device. */
  get id(): string {
    return this.peripheral.id;
  }

  /** Frames measured and not yet sent. */
  get stored(): readonly StoredFrame[] {
    return this.backlog;
  }

  get batteryLevel(): number | null {
    return this.batteryLevelValue;
  }

  /** Changes the battery level, notifying a subscribed central. */
  setBatteryLevel(level: number): void {
    this.batteryLevelValue = level;
    this.peripheral.send(BLE_CHARACTERISTIC.batteryLevel, this.batteryFrame());
  }

  /** Puts bytes in the store as if measured (e.g. a malformed frame); sent with the backlog. */
  storeRaw(characteristic: string, bytes: Uint8Array): void {
    this.deliver(nobleUuid(characteristic), Uint8Array.from(bytes));
  }

  /** The device hangs up (HCI reason 0x13). */
  disconnect(): void {
    this.peripheral.disconnect();
  }

  /** Starts advertising whatever the policy says (a user pressing the device's button). */
  advertise(): void {
    this.peripheral.advertising = true;
  }

  /** The Date Time the device stamps on a measurement taken at true time `at`. */
  protected timestampAt(at: Date = this.now()): DateTime {
    if (this.clock) return this.clock.dateTimeAt(at);
    // No Current Time Service: the device keeps time of its own, and here it is right.
    return new SimulatedClock(this.now).dateTimeAt(at);
  }

  /** Sends a frame now when a central listens on the characteristic, else stores it for the next connection. */
  protected deliver(characteristic: string, frame: Uint8Array): void {
    if (this.backlog.every((f) => f.characteristic !== characteristic) && this.sendNow(characteristic, frame)) {
      this.afterSending();
      return;
    }
    this.backlog.push({ characteristic, frame });
    this.updateAdvertising();
  }

  /** Encodes a measurement with the libs/gatt encoder and delivers it. */
  protected deliverMeasurement<K extends CharacteristicKey>(characteristic: string, key: K, measurement: MeasurementByCharacteristic[K]): Uint8Array {
    const frame = encodeCharacteristic(key, measurement);
    this.deliver(characteristic, frame);
    return frame;
  }

  protected sendNow(characteristic: string, frame: Uint8Array): boolean {
    if (!this.peripheral.send(characteristic, frame)) return false;
    this.sent.push({ characteristic, frame });
    this.sentThisConnection += 1;
    return true;
  }

  /** The characteristics whose stored frames go out when a central subscribes to them. */
  protected abstract readonly measurementCharacteristics: readonly string[];

  protected onSubscribed(characteristic: string): void {
    if (!this.measurementCharacteristics.includes(characteristic)) return;
    for (let i = 0; i < this.backlog.length; ) {
      const item = this.backlog[i];
      if (item && item.characteristic === characteristic) {
        if (!this.sendNow(item.characteristic, item.frame)) return;
        this.backlog.splice(i, 1);
      } else {
        i += 1;
      }
    }
    this.afterSending();
  }

  private afterSending(): void {
    this.updateAdvertising();
    if (this.disconnectAfterSend && this.sentThisConnection > 0 && this.backlog.length === 0 && this.peripheral.connected) {
      // Right after the last frame: the radio delivers the frames first, then the disconnection.
      this.peripheral.disconnect();
    }
  }

  protected updateAdvertising(): void {
    this.peripheral.advertising = this.advertisingPolicy === 'always' || this.backlog.length > 0 || this.hasMoreToOffer();
  }

  /** Subclasses with data outside the backlog (a glucose meter's records) keep advertising for it. */
  protected hasMoreToOffer(): boolean {
    return false;
  }

  private batteryFrame(): Uint8Array {
    return encodeCharacteristic('battery-level', { level: this.batteryLevelValue ?? 0 });
  }
}
