import { type BackoffOptions, backoffDelay } from './backoff';
import { type BleAdvertisement, type BleCentral, type BleCharacteristicInfo, type BleConnection, BleError } from './ble-central.port';
import type { BleDeviceDirectory, BleDeviceRegistration } from './ble-device-directory';
import { type BleReadingSink, type BleSessionTimeouts, type BleSourceEvent, BleSession, type DeviceSeenRecorder, UUID, describeError } from './ble-session';
import type { GlucoseSequenceStore } from './glucose-sequence.store';

/** The health services scanned for (Bluetooth SIG Assigned Numbers). */
export const HEALTH_SERVICE_UUIDS: readonly string[] = [
  '1810', // Blood Pressure
  '1822', // Pulse Oximeter
  '181d', // Weight Scale
  '1808', // Glucose
  '1809', // Health Thermometer
  '180d', // Heart Rate
];

export interface BleSourceOptions {
  readonly readyTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly timeouts: BleSessionTimeouts;
  /** After a failed attempt (connect, GATT timeout), the next one waits this long, growing, capped. */
  readonly backoff: BackoffOptions;
  /** After a session that ended normally, ignore the device's advertisements this long. */
  readonly reconnectAfterSessionMs: number;
  /** An unregistered device is looked up again only after this long. */
  readonly unknownRecheckMs: number;
  /** Connections at once (an HCI controller manages a handful). */
  readonly maxConcurrentSessions: number;
  /** A device clock further off than this is set, where Current Time is writable. */
  readonly clockSetThresholdMs: number;
  /** The zone device clocks are set to, in minutes from UTC, at an instant. Default UTC. */
  readonly utcOffsetMinutes: (at: Date) => number;
}

export const DEFAULT_BLE_SOURCE_OPTIONS: BleSourceOptions = {
  readyTimeoutMs: 15_000,
  connectTimeoutMs: 15_000,
  timeouts: { gattMs: 10_000, idleMs: 30_000, racpMs: 30_000, disconnectMs: 5_000 },
  backoff: { initialMs: 2_000, maxMs: 300_000, factor: 2 },
  reconnectAfterSessionMs: 5_000,
  unknownRecheckMs: 600_000,
  maxConcurrentSessions: 4,
  clockSetThresholdMs: 2_000,
  utcOffsetMinutes: () => 0,
};

export interface BleSourceDependencies {
  readonly central: BleCentral;
  readonly directory: BleDeviceDirectory;
  /** The ingest pipeline, or the hub's upstream queue. */
  readonly sink: BleReadingSink;
  /** Last seen and battery level; `RegistryRepository` fits. */
  readonly registry?: DeviceSeenRecorder | null;
  readonly sequences: GlucoseSequenceStore;
  readonly now?: () => Date;
  readonly onEvent?: (event: BleSourceEvent) => void;
}

interface DeviceState {
  busy: boolean;
  failures: number;
  /** Epoch ms before which advertisements are ignored (backoff, cool-down, unknown device). */
  notBefore: number;
}

/**
 * The gateway's Bluetooth LE source. Scans for the health services, connects only to devices
 * registered to this gateway's patients (by address from the advertisement, or by the serial
 * number read from Device Information), runs one BleSession per connection, several devices at
 * once, and retries a device whose connection or session failed with bounded exponential backoff.
 * A device is reconnected when it advertises again: that is how health devices say they have
 * something to send.
 */
export class BleSource {
  private readonly options: BleSourceOptions;
  private readonly devices = new Map<string, DeviceState>();
  private readonly sessions = new Set<Promise<void>>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly now: () => Date;
  private running = false;
  private signalStop: () => void = () => undefined;
  private stopping: Promise<void> = new Promise((resolve) => (this.signalStop = resolve));

  constructor(
    private readonly deps: BleSourceDependencies,
    options: Partial<BleSourceOptions> = {},
  ) {
    this.options = { ...DEFAULT_BLE_SOURCE_OPTIONS, ...options, timeouts: { ...DEFAULT_BLE_SOURCE_OPTIONS.timeouts, ...options.timeouts } };
    this.now = deps.now ?? (() => new Date());
  }

  /** Waits for the adapter, then scans. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = new Promise((resolve) => (this.signalStop = resolve));
    await this.deps.central.ready(this.options.readyTimeoutMs);
    this.unsubscribe.push(this.deps.central.onDiscover((advertisement) => this.onAdvertisement(advertisement)));
    this.unsubscribe.push(
      this.deps.central.onStateChange((state) => {
        // An adapter that comes back (rfkill, USB replug) stops scanning: start again.
        if (state === 'poweredOn' && this.running) void this.deps.central.startScanning(HEALTH_SERVICE_UUIDS).catch(() => undefined);
      }),
    );
    await this.deps.central.startScanning(HEALTH_SERVICE_UUIDS);
  }

  /** Stops scanning, hangs up every connection, and waits until every reading is durable. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.signalStop();
    for (const remove of this.unsubscribe.splice(0)) remove();
    await this.deps.central.stopScanning().catch(() => undefined);
    while (this.sessions.size > 0) await Promise.allSettled([...this.sessions]);
  }

  /** Connections in progress. */
  get activeSessions(): number {
    return this.sessions.size;
  }

  private onAdvertisement(advertisement: BleAdvertisement): void {
    if (!this.running || !advertisement.connectable) return;
    let state = this.devices.get(advertisement.id);
    if (!state) {
      state = { busy: false, failures: 0, notBefore: 0 };
      this.devices.set(advertisement.id, state);
    }
    if (state.busy || Date.now() < state.notBefore || this.sessions.size >= this.options.maxConcurrentSessions) return;
    state.busy = true;
    const device = state;
    const task = this.handle(advertisement, device).finally(() => {
      device.busy = false;
      this.sessions.delete(task);
    });
    this.sessions.add(task);
  }

  private async handle(advertisement: BleAdvertisement, state: DeviceState): Promise<void> {
    let registration: BleDeviceRegistration | undefined;
    try {
      registration = await this.deps.directory.byAddress(advertisement.address);
    } catch (error) {
      return this.failed(advertisement, null, state, error);
    }
    if (!registration && !this.deps.directory.bySerial) {
      state.notBefore = Date.now() + this.options.unknownRecheckMs;
      this.emit({ type: 'ignored', address: advertisement.address, reason: 'not-registered' });
      return;
    }
    this.emit({ type: 'connecting', address: advertisement.address, deviceId: registration?.deviceId ?? null });
    let connection: BleConnection;
    try {
      connection = await this.deps.central.connect(advertisement.id, this.options.connectTimeoutMs);
    } catch (error) {
      return this.failed(advertisement, registration ?? null, state, error);
    }
    try {
      const characteristics = await connection.discover([], this.options.timeouts.gattMs);
      registration ??= await this.identifyBySerial(connection, characteristics);
      if (!registration) {
        await connection.disconnect(this.options.timeouts.disconnectMs).catch(() => undefined);
        state.notBefore = Date.now() + this.options.unknownRecheckMs;
        this.emit({ type: 'ignored', address: advertisement.address, reason: 'serial-not-registered' });
        return;
      }
      const result = await new BleSession({
        connection,
        registration,
        characteristics,
        sink: this.deps.sink,
        registry: this.deps.registry ?? null,
        sequences: this.deps.sequences,
        now: this.now,
        utcOffsetMinutes: this.options.utcOffsetMinutes,
        clockSetThresholdMs: this.options.clockSetThresholdMs,
        timeouts: this.options.timeouts,
        emit: (event) => this.emit(event),
        stopping: this.stopping,
      }).run();
      state.failures = 0;
      state.notBefore = Date.now() + this.options.reconnectAfterSessionMs;
      this.emit({ type: 'session-ended', address: advertisement.address, deviceId: registration.deviceId, result });
    } catch (error) {
      await connection.disconnect(this.options.timeouts.disconnectMs).catch(() => undefined);
      this.failed(advertisement, registration ?? null, state, error);
    }
  }

  /** Device Information, Serial Number String (0x2A25), matched against serial-only registrations. */
  private async identifyBySerial(connection: BleConnection, characteristics: readonly BleCharacteristicInfo[]): Promise<BleDeviceRegistration | undefined> {
    const info = characteristics.find((c) => c.uuid === UUID.serialNumber && c.properties.includes('read'));
    if (!info || !this.deps.directory.bySerial) return undefined;
    const serial = new TextDecoder().decode(await connection.read(info.serviceUuid, info.uuid, this.options.timeouts.gattMs)).replace(/\0+$/, '');
    return this.deps.directory.bySerial(serial);
  }

  private failed(advertisement: BleAdvertisement, registration: BleDeviceRegistration | null, state: DeviceState, error: unknown): void {
    state.failures += 1;
    const retryInMs = backoffDelay(state.failures, this.options.backoff);
    state.notBefore = Date.now() + retryInMs;
    this.emit({
      type: 'session-failed',
      address: advertisement.address,
      deviceId: registration?.deviceId ?? null,
      code: error instanceof BleError ? error.code : 'ble.error',
      error: describeError(error),
      retryInMs,
    });
  }

  private emit(event: BleSourceEvent): void {
    try {
      this.deps.onEvent?.(event);
    } catch {
      // An observer's bug must not break the radio loop.
    }
  }
}
