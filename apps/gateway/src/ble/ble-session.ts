import {
  type CurrentTime,
  type DecodeContext,
  type WeightScaleFeature,
  currentTimeFromDate,
  currentTimeToDate,
  decodeCharacteristic,
  encodeCharacteristic,
  formatUuid16,
  racpReportAllRecords,
  racpReportRecordsFrom,
} from '@homeward/gatt';
import type { Submission, SubmissionOutcome } from '@homeward/ingest';
import { type BleCharacteristicInfo, type BleConnection, BleError } from './ble-central.port';
import type { BleDeviceRegistration } from './ble-device-directory';
import type { GlucoseSequenceStore } from './glucose-sequence.store';

/** Where readings go: the ingest pipeline (`IngestPipeline` fits), or the hub's upstream queue. */
export interface BleReadingSink {
  /** Resolves once the submission is durable (committed, or fsync'd to the hub queue). */
  submit(submission: Submission): Promise<Partial<SubmissionOutcome> | void>;
}

/** `RegistryRepository` fits. */
export interface DeviceSeenRecorder {
  touchDevice(id: string, seenAt: Date, batteryLevel?: number): Promise<void>;
}

export const UUID = {
  deviceInformation: '180a',
  serialNumber: '2a25',
  battery: '2a19',
  currentTime: '2a2b',
  weightScaleFeature: '2a9e',
  glucoseMeasurement: '2a18',
  racp: '2a52',
} as const;

/** Characteristics whose notifications or indications carry readings. */
export const MEASUREMENT_CHARACTERISTICS: readonly string[] = [
  '2a35', // Blood Pressure Measurement (indicate)
  '2a5e', // PLX Spot-Check Measurement (indicate)
  '2a5f', // PLX Continuous Measurement (notify)
  '2a9d', // Weight Measurement (indicate)
  '2a9c', // Body Composition Measurement (indicate)
  '2a1c', // Temperature Measurement (indicate)
  '2a37', // Heart Rate Measurement (notify)
  '2a18', // Glucose Measurement (notify, on RACP request)
];

export interface BleSessionTimeouts {
  /** Each GATT request (discover, read, write, subscribe). */
  readonly gattMs: number;
  /** With nothing received for this long after subscribing, the gateway hangs up. */
  readonly idleMs: number;
  /** From an RACP request to its response code. */
  readonly racpMs: number;
  readonly disconnectMs: number;
}

export type ClockAction = 'set' | 'corrected' | 'in-step' | 'unset' | 'not-readable' | 'set-failed';

export type BleSourceEvent =
  | { readonly type: 'connecting'; readonly address: string; readonly deviceId: string | null }
  | { readonly type: 'ignored'; readonly address: string; readonly reason: 'not-registered' | 'serial-not-registered' }
  | { readonly type: 'clock'; readonly deviceId: string; readonly action: ClockAction; readonly offsetMs: number | null }
  | { readonly type: 'frame-refused'; readonly deviceId: string; readonly characteristic: string; readonly code: string; readonly message: string }
  | { readonly type: 'absent'; readonly deviceId: string; readonly vital: string; readonly reason: string; readonly detail: string }
  | { readonly type: 'submit-failed'; readonly deviceId: string; readonly error: string }
  | { readonly type: 'racp'; readonly deviceId: string; readonly from: number | null; readonly responseCode: string }
  | { readonly type: 'session-ended'; readonly address: string; readonly deviceId: string; readonly result: SessionResult }
  | { readonly type: 'session-failed'; readonly address: string; readonly deviceId: string | null; readonly code: string; readonly error: string; readonly retryInMs: number };

export interface SessionResult {
  readonly frames: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly battery: number | null;
  readonly clock: ClockAction;
  /** Who ended it: the device hung up, or the gateway did (idle, RACP done, stopping). */
  readonly endedBy: 'device' | 'gateway';
  readonly lastGlucoseSequence: number | null;
}

export interface BleSessionContext {
  readonly connection: BleConnection;
  readonly registration: BleDeviceRegistration;
  readonly characteristics: readonly BleCharacteristicInfo[];
  readonly sink: BleReadingSink;
  readonly registry: DeviceSeenRecorder | null;
  readonly sequences: GlucoseSequenceStore;
  readonly now: () => Date;
  /** The zone to set device clocks to, in minutes from UTC, at a given instant. */
  readonly utcOffsetMinutes: (at: Date) => number;
  /** A device clock further off than this is set (when writable). */
  readonly clockSetThresholdMs: number;
  readonly timeouts: BleSessionTimeouts;
  readonly emit: (event: BleSourceEvent) => void;
  /** Resolves when the source is stopping: the session hangs up. */
  readonly stopping: Promise<void>;
}

/**
 * The device's clock as far as this connection knows it: its offset (device wall clock read as
 * UTC, minus true time) before we touched it, and when we set it, to what offset.
 */
interface ClockModel {
  readonly before: number | null;
  readonly set: { readonly at: number; readonly offsetMs: number } | null;
}

/** Tolerance used to tell a time stamp of the newly set clock from one of the old clock. */
const STAMP_TOLERANCE_MS = 2_000;

/**
 * One connection to one registered device: read the battery and the clock, set the clock where
 * Current Time is writable, enable indications or notifications on every measurement
 * characteristic (the device's stored backlog follows), fetch new glucose records through the
 * Record Access Control Point, decode every frame with libs/gatt and submit it. Ends when the
 * device hangs up, when nothing arrives for `idleMs`, after the RACP transfer, or when the source
 * stops; always waits for every submission to be durable before returning.
 */
export class BleSession {
  private readonly inflight = new Set<Promise<void>>();
  private clock: ClockModel = { before: null, set: null };
  private clockAction: ClockAction = 'not-readable';
  private context: DecodeContext = {};
  private frames = 0;
  private stored = 0;
  private duplicates = 0;
  private rejected = 0;
  private submitFailures = 0;
  private battery: number | null = null;
  private glucoseMax: number | null = null;
  private lastActivity = Date.now();
  private racpWaiter: ((responseCode: string) => void) | null = null;

  constructor(private readonly ctx: BleSessionContext) {}

  private get deviceId(): string {
    return this.ctx.registration.deviceId;
  }

  async run(): Promise<SessionResult> {
    let endedBy: 'device' | 'gateway' = 'gateway';
    try {
      await this.setUp();
      endedBy = await this.waitForEnd();
    } catch (error) {
      // A device that hangs up half-way (after its backlog, say) ends the session; it is no failure.
      if (!(error instanceof BleError && error.code === 'ble.disconnected')) {
        await this.settle();
        await this.ctx.connection.disconnect(this.ctx.timeouts.disconnectMs).catch(() => undefined);
        throw error;
      }
      endedBy = 'device';
    }
    if (this.ctx.connection.connected) await this.ctx.connection.disconnect(this.ctx.timeouts.disconnectMs).catch(() => undefined);
    await this.settle();
    await this.saveGlucoseSequence();
    return {
      frames: this.frames,
      stored: this.stored,
      duplicates: this.duplicates,
      rejected: this.rejected,
      battery: this.battery,
      clock: this.clockAction,
      endedBy,
      lastGlucoseSequence: this.glucoseMax,
    };
  }

  private async setUp(): Promise<void> {
    const seenAt = this.ctx.now();
    const batteryLevel = this.readable(UUID.battery) ? await this.readBattery() : undefined;
    await this.ctx.registry?.touchDevice(this.deviceId, seenAt, batteryLevel).catch((error: unknown) => this.ctx.emit({ type: 'submit-failed', deviceId: this.deviceId, error: describeError(error) }));
    await this.syncClock();
    if (this.readable(UUID.weightScaleFeature)) await this.readWeightScaleFeature();

    for (const info of this.ctx.characteristics) {
      if (!MEASUREMENT_CHARACTERISTICS.includes(info.uuid) || !canSubscribe(info)) continue;
      await this.ctx.connection.subscribe(info.serviceUuid, info.uuid, (data) => this.onFrame(info.uuid, data), this.ctx.timeouts.gattMs);
    }
    const racp = this.find(UUID.racp);
    if (racp && this.find(UUID.glucoseMeasurement)) await this.fetchGlucoseRecords(racp);
  }

  /** Resolves with who ended the session. */
  private async waitForEnd(): Promise<'device' | 'gateway'> {
    if (this.find(UUID.racp) && this.find(UUID.glucoseMeasurement)) return 'gateway'; // RACP transfer done: hang up
    this.lastActivity = Date.now();
    for (;;) {
      const idleFor = Date.now() - this.lastActivity;
      const remaining = this.ctx.timeouts.idleMs - idleFor;
      if (remaining <= 0) return 'gateway';
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        this.ctx.connection.disconnected.then(() => 'device' as const),
        this.ctx.stopping.then(() => 'gateway' as const),
        new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), remaining))),
      ]);
      clearTimeout(timer);
      if (outcome !== 'tick') return outcome;
    }
  }

  private async readBattery(): Promise<number | undefined> {
    const info = this.find(UUID.battery);
    if (!info) return undefined;
    const decoded = decodeCharacteristic(UUID.battery, await this.ctx.connection.read(info.serviceUuid, info.uuid, this.ctx.timeouts.gattMs));
    if (decoded.ok && decoded.value.characteristic === 'battery-level') {
      this.battery = decoded.value.measurement.level;
      return this.battery;
    }
    if (!decoded.ok) this.refusedEvent(UUID.battery, decoded.error.code, decoded.error.message);
    return undefined;
  }

  private async readWeightScaleFeature(): Promise<void> {
    const info = this.find(UUID.weightScaleFeature);
    if (!info) return;
    const decoded = decodeCharacteristic(UUID.weightScaleFeature, await this.ctx.connection.read(info.serviceUuid, info.uuid, this.ctx.timeouts.gattMs));
    if (decoded.ok && decoded.value.characteristic === 'weight-scale-feature') {
      const weightScaleFeature: WeightScaleFeature = decoded.value.measurement;
      this.context = { weightScaleFeature };
    }
  }

  /**
   * Current Time 0x2A2B. Read it first: with our receipt time it is the coincident timestamp
   * (HL7 PHD IG) that measures the clock's offset. If the characteristic is writable and the
   * clock is off (or unset), set it; readings stamped by the old clock are still corrected with
   * the offset measured before. If it is not writable, every reading is corrected, and the
   * pipeline flags it (clock-corrected, and clock-skewed beyond its bound).
   */
  private async syncClock(): Promise<void> {
    const info = this.find(UUID.currentTime);
    if (!info?.properties.includes('read')) {
      this.clockAction = 'not-readable';
      return;
    }
    const readAt = this.ctx.now();
    const decoded = decodeCharacteristic(UUID.currentTime, await this.ctx.connection.read(info.serviceUuid, info.uuid, this.ctx.timeouts.gattMs));
    let before: number | null = null;
    if (decoded.ok && decoded.value.characteristic === 'current-time') {
      const deviceNow = currentTimeToDate(decoded.value.measurement as CurrentTime);
      before = deviceNow === null ? null : deviceNow.getTime() - readAt.getTime();
    } else if (!decoded.ok) {
      this.refusedEvent(UUID.currentTime, decoded.error.code, decoded.error.message);
    }
    this.clock = { before, set: null };
    const setAt = this.ctx.now();
    const targetOffset = this.ctx.utcOffsetMinutes(setAt) * 60_000;
    const off = before === null || Math.abs(before - targetOffset) > this.ctx.clockSetThresholdMs;
    if (off && info.properties.includes('write')) {
      try {
        const value = encodeCharacteristic('current-time', currentTimeFromDate(setAt, { utcOffsetMinutes: this.ctx.utcOffsetMinutes(setAt) }));
        await this.ctx.connection.write(info.serviceUuid, info.uuid, value, this.ctx.timeouts.gattMs);
        this.clock = { before, set: { at: setAt.getTime(), offsetMs: targetOffset } };
        this.clockAction = 'set';
      } catch (error) {
        // A device may refuse the write (CTS "Data field ignored"), which noble reports as silence.
        if (error instanceof BleError && error.code === 'ble.disconnected') throw error;
        this.clockAction = 'set-failed';
      }
    } else {
      this.clockAction = before === null ? 'unset' : off ? 'corrected' : 'in-step';
    }
    this.ctx.emit({ type: 'clock', deviceId: this.deviceId, action: this.clockAction, offsetMs: before });
  }

  /**
   * The device clock at `receivedAt`, for a reading stamped `deviceTime`: the clock we set, for a
   * stamp that falls between the setting and now; otherwise the clock as it was. Null when the
   * clock is unknown (no Current Time, or unset), so the pipeline takes the stamp as sent.
   */
  private deviceClockAt(deviceTime: Date | null, receivedAt: Date): Date | null {
    const set = this.clock.set;
    if (set && deviceTime) {
      const t = deviceTime.getTime();
      if (t >= set.at + set.offsetMs - STAMP_TOLERANCE_MS && t <= receivedAt.getTime() + set.offsetMs + STAMP_TOLERANCE_MS) {
        return new Date(receivedAt.getTime() + set.offsetMs);
      }
    }
    return this.clock.before === null ? null : new Date(receivedAt.getTime() + this.clock.before);
  }

  private onFrame(characteristic: string, data: Uint8Array): void {
    this.lastActivity = Date.now();
    if (characteristic === UUID.racp) return this.onRacp(data);
    this.frames += 1;
    const task = this.submitFrame(characteristic, data, this.ctx.now()).finally(() => this.inflight.delete(task));
    this.inflight.add(task);
  }

  private async submitFrame(characteristic: string, data: Uint8Array, receivedAt: Date): Promise<void> {
    const decoded = decodeCharacteristic(characteristic, data, this.context);
    const base = {
      source: 'ble' as const,
      patientId: this.ctx.registration.patientId,
      deviceId: this.deviceId,
      receivedAt,
      raw: { payload: data, topic: `ble/${this.ctx.connection.address}/${formatUuid16(parseInt(characteristic, 16))}` },
    };
    let submission: Submission;
    let glucoseSequence: number | null = null;
    if (!decoded.ok) {
      this.refusedEvent(characteristic, decoded.error.code, decoded.error.message);
      submission = { ...base, deviceClockAt: null, readings: [], refused: [{ index: null, error: decoded.error }] };
    } else {
      const frame = decoded.value;
      for (const absent of frame.absent) this.ctx.emit({ type: 'absent', deviceId: this.deviceId, vital: absent.vital, reason: absent.reason, detail: absent.detail });
      if (frame.characteristic === 'glucose-measurement') glucoseSequence = frame.measurement.sequenceNumber;
      if (frame.readings.length === 0) {
        if (glucoseSequence !== null) this.noteGlucose(glucoseSequence);
        return;
      }
      const deviceTime = frame.readings[0]?.deviceTime ?? null;
      submission = {
        ...base,
        deviceClockAt: this.deviceClockAt(deviceTime, receivedAt),
        readings: frame.readings.map((r) => ({ vital: r.vital, value: r.value, unit: r.unit, deviceTime: r.deviceTime, status: r.status })),
      };
    }
    try {
      const outcome = await this.ctx.sink.submit(submission);
      this.stored += outcome?.stored?.length ?? 0;
      this.duplicates += outcome?.duplicates?.length ?? 0;
      this.rejected += (outcome?.rejected?.length ?? 0) > 0 || !decoded.ok ? 1 : 0;
      if (glucoseSequence !== null) this.noteGlucose(glucoseSequence);
    } catch (error) {
      // The device believes it delivered (the stack confirmed the indication), so this is a loss
      // unless the device can resend: glucose records can, since the sequence is not advanced.
      this.submitFailures += 1;
      this.ctx.emit({ type: 'submit-failed', deviceId: this.deviceId, error: describeError(error) });
    }
  }

  private noteGlucose(sequence: number): void {
    this.glucoseMax = this.glucoseMax === null ? sequence : Math.max(this.glucoseMax, sequence);
  }

  /**
   * Glucose Profile §4.9: enable indications on the RACP, write "report stored records greater
   * than or equal to N" (N one past the last sequence number seen; "all records" the first time),
   * take the records as notifications, and wait for the response code.
   */
  private async fetchGlucoseRecords(racp: BleCharacteristicInfo): Promise<void> {
    await this.ctx.connection.subscribe(racp.serviceUuid, racp.uuid, (data) => this.onFrame(racp.uuid, data), this.ctx.timeouts.gattMs);
    const last = await this.ctx.sequences.lastSequence(this.deviceId);
    const from = last === null ? null : (last + 1) & 0xffff;
    const request = from === null || from === 0 ? racpReportAllRecords() : racpReportRecordsFrom(from);
    const response = new Promise<string>((resolve) => (this.racpWaiter = resolve));
    await this.ctx.connection.write(racp.serviceUuid, racp.uuid, encodeCharacteristic('record-access-control-point', request), this.ctx.timeouts.gattMs);
    let timer: NodeJS.Timeout | undefined;
    const responseCode = await Promise.race([
      response,
      this.ctx.connection.disconnected.then(() => {
        throw new BleError('ble.disconnected', 'the glucose meter disconnected during the RACP transfer');
      }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new BleError('ble.timeout', `RACP: no response within ${this.ctx.timeouts.racpMs} ms`)), this.ctx.timeouts.racpMs))),
    ]).finally(() => clearTimeout(timer));
    this.ctx.emit({ type: 'racp', deviceId: this.deviceId, from, responseCode });
  }

  private onRacp(data: Uint8Array): void {
    const decoded = decodeCharacteristic(UUID.racp, data);
    if (!decoded.ok) {
      this.refusedEvent(UUID.racp, decoded.error.code, decoded.error.message);
      return;
    }
    const message = decoded.value.characteristic === 'record-access-control-point' ? decoded.value.measurement : null;
    if (message?.opCode === 'response-code') {
      this.racpWaiter?.(message.responseCode);
      this.racpWaiter = null;
    }
  }

  private async saveGlucoseSequence(): Promise<void> {
    // Only when every record of the session is durable: otherwise the next request re-fetches.
    if (this.glucoseMax === null || this.submitFailures > 0) return;
    const previous = await this.ctx.sequences.lastSequence(this.deviceId);
    if (previous === this.glucoseMax) return;
    await this.ctx.sequences.saveLastSequence(this.deviceId, this.glucoseMax);
  }

  private async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private refusedEvent(characteristic: string, code: string, message: string): void {
    this.ctx.emit({ type: 'frame-refused', deviceId: this.deviceId, characteristic, code, message });
  }

  private find(uuid: string): BleCharacteristicInfo | undefined {
    return this.ctx.characteristics.find((c) => c.uuid === uuid);
  }

  private readable(uuid: string): boolean {
    return this.find(uuid)?.properties.includes('read') ?? false;
  }
}

function canSubscribe(info: BleCharacteristicInfo): boolean {
  return info.properties.includes('notify') || info.properties.includes('indicate');
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
