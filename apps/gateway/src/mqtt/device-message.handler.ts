import { type CodedError, type ReadingStatusFlag } from '@homeward/domain';
import {
  DeviceStatusDto,
  type DeviceTopicKind,
  type ReadingsAck,
  ReadingsPayloadDto,
  parseJsonPayload,
  readMessageId,
  sniffMessageId,
  validateDto,
} from '@homeward/contracts';
import { decodeCharacteristic, parseHex } from '@homeward/gatt';
import type { RegistryRepository } from '@homeward/storage';
import { type IncomingReading, type IngestPipeline, type ItemRejection, devicePatientAdvisor } from '@homeward/ingest';
import type { DeviceActivityTracker } from './device-activity.tracker';
import type { DeviceDirectory } from './device-directory';
import { PerKeyRateLimiter } from './per-key-rate.limiter';
import { plainlyValidReadingsPayload } from './readings-payload.fast-path';

export interface DeviceMessage {
  readonly deviceId: string;
  readonly kind: DeviceTopicKind;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly receivedAt: Date;
  /** The PUBLISH packet's DUP flag: a redelivery, so its sentAt is from an earlier attempt (never clock error). */
  readonly dup?: boolean;
  /**
   * The authenticated device that published it, when the broker knows (ours does; an external
   * one does not say). A hub publishing for one of its patient's devices is that reading's gateway.
   */
  readonly publisherId?: string;
}

export interface HandledMessage {
  /** What to tell the device on its acks topic; absent for status messages. */
  readonly ack?: ReadingsAck;
  /** For a status message: the reason code kept in rejected_messages (readings carry theirs in the ack). */
  readonly recorded?: string;
  /** For a status message dropped unstored: over the per-device rate, or the same refusal already recorded this minute. */
  readonly dropped?: 'rate' | 'repeat';
}

export interface DeviceMessageLimits {
  /** Nesting of arrays and objects in a readings message (it needs 3). */
  readonly maxDepth?: number;
  /** A status message is a few fields: larger is refused. */
  readonly maxStatusBytes?: number;
  /** At most one status message per device in this interval is looked at; the rest are dropped. */
  readonly statusIntervalMs?: number;
  /** The same status refusal from one device is recorded at most once in this interval. */
  readonly statusRefusalIntervalMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a device message means, whichever broker carried it. Resolves once everything it stored
 * (readings, or the record of a rejection) is committed, with an ack for every readings message:
 * anything wrong with the message itself is a coded refusal, recorded and answered, because an
 * unanswered message is redelivered forever. It throws only when the store could not be
 * reached, and then nothing may be acknowledged.
 */
export class DeviceMessageHandler {
  private readonly limits: Required<DeviceMessageLimits>;
  private readonly statusRate: PerKeyRateLimiter;
  private readonly statusRefusals: PerKeyRateLimiter;

  constructor(
    private readonly pipeline: IngestPipeline,
    private readonly directory: DeviceDirectory,
    private readonly registry: RegistryRepository,
    private readonly activity: DeviceActivityTracker,
    private readonly maxPayloadBytes: number,
    limits: DeviceMessageLimits = {},
  ) {
    this.limits = {
      maxDepth: limits.maxDepth ?? 32,
      maxStatusBytes: limits.maxStatusBytes ?? 4 * 1024,
      statusIntervalMs: limits.statusIntervalMs ?? 1_000,
      statusRefusalIntervalMs: limits.statusRefusalIntervalMs ?? 60_000,
    };
    this.statusRate = new PerKeyRateLimiter(this.limits.statusIntervalMs);
    this.statusRefusals = new PerKeyRateLimiter(this.limits.statusRefusalIntervalMs);
  }

  /**
   * Contact without a message: the device connected, or its MQTT keepalive ping. Counts as being
   * heard from (last seen), so a connected hub or app with nothing to send is not taken as offline.
   */
  heardFrom(deviceId: string, at: Date): void {
    if (UUID.test(deviceId)) this.activity.seen(deviceId, at);
  }

  async handle(message: DeviceMessage): Promise<HandledMessage> {
    // A topic id that is not a uuid (possible behind an external broker) is no device: touching
    // it would fail the tracker's whole batch, every time.
    // A status message counts as contact in handleStatus, unless it is an "offline" last will.
    if (UUID.test(message.deviceId) && message.kind !== 'status') this.activity.seen(message.deviceId, message.receivedAt);
    if (message.kind === 'status') return this.handleStatus(message);
    if (message.kind !== 'readings') return {};
    return this.handleReadings(message);
  }

  private async handleReadings(message: DeviceMessage): Promise<HandledMessage> {
    const parsed = parseJsonPayload(message.payload, { maxBytes: this.maxPayloadBytes, maxDepth: this.limits.maxDepth });
    // Named in the ack whenever it could be read, even if the rest of the message is refused.
    const messageId = parsed.ok ? readMessageId(parsed.value) : sniffMessageId(message.payload);
    const refuse = async (error: CodedError): Promise<HandledMessage> => {
      // An oversize message is kept up to the limit: enough to see what it was, not a store-filler.
      const keep = error.code === 'payload.too-large' ? message.payload.subarray(0, this.maxPayloadBytes) : message.payload;
      await this.pipeline.recordRejection({ source: 'mqtt', deviceId: message.deviceId, topic: message.topic, payload: keep, error, receivedAt: message.receivedAt });
      return { ack: { messageId, status: 'rejected', stored: 0, duplicates: 0, rejected: [{ index: null, ...error }] } };
    };
    if (!parsed.ok && parsed.error.code === 'payload.too-large') return refuse(parsed.error);

    const device = await this.directory.get(message.deviceId); // throws only when the store is unreachable
    if (!device) return refuse({ code: 'device.unknown', message: `No device ${message.deviceId} is registered.` });
    if (!device.patientId) return refuse({ code: 'device.unassigned', message: 'This device is not assigned to a patient, so its readings cannot be stored. Ask the ward to assign it.' });
    if (!parsed.ok) return refuse(parsed.error);

    const interpreted = interpretSafely(() => this.interpret(parsed.value));
    if (!interpreted.ok) return refuse(interpreted.error);
    // Once the body is valid its own messageId (any string the DTO allows) is the one to echo.
    const { readings, refused, origin, sentAt, messageId: validId } = interpreted.value;

    const outcome = await this.pipeline.submit({
      source: 'mqtt',
      patientId: device.patientId,
      deviceId: device.id,
      receivedAt: message.receivedAt,
      deviceClockAt: sentAt,
      redelivered: message.dup === true,
      messageId: validId,
      // The embedded broker allowed a publisher other than the device only if it is a hub of the device's patient.
      gatewayId: message.publisherId !== undefined && message.publisherId !== device.id ? message.publisherId : null,
      readings,
      refused,
      raw: { payload: message.payload, topic: message.topic },
    });
    // The pipeline numbers its refusals by position in `readings`; the device knows its own items.
    const rejected = outcome.rejected.map((r, i) => (i < refused.length || r.index === null ? r : { ...r, index: origin[r.index] ?? r.index }));
    const status = rejected.length === 0 ? 'accepted' : outcome.stored.length + outcome.duplicates.length > 0 ? 'partially-accepted' : 'rejected';
    // Red-band advice for the patient app (issue 15 item 7); the patient's plan and ward words are reused for 30 s.
    const advice = await devicePatientAdvisor(this.registry).adviceFor(device.patientId, [...outcome.stored, ...outcome.duplicates]);
    return {
      ack: {
        messageId: validId,
        status,
        stored: outcome.stored.length,
        duplicates: outcome.duplicates.length,
        rejected: rejected.map((r) => ({ index: r.index, code: r.error.code, message: r.error.message, ...(r.error.details ? { details: { ...r.error.details } } : {}) })),
        ...(advice ? { advice } : {}),
      },
    };
  }

  /**
   * The pure part: validated body → readings for the pipeline, items refused here (bad frames),
   * and for each reading the index of the item or frame it came from. Device times are not judged
   * here: the pipeline applies the one device-time policy (libs/domain device-time.policy.ts) to
   * these and to the times inside GATT frames alike, placing an unbelievable one at receipt, flagged.
   */
  private interpret(plain: unknown): { ok: true; value: { readings: IncomingReading[]; refused: ItemRejection[]; origin: number[]; sentAt: Date | null; messageId: string | null } } | { ok: false; error: CodedError } {
    // The usual message skips class-validator; anything else gets its full verdict.
    const fast = plainlyValidReadingsPayload(plain);
    const validated = fast ? ({ ok: true, value: fast } as const) : validateDto(ReadingsPayloadDto, plain);
    if (!validated.ok) return validated;
    const body = validated.value;
    if ((body.readings === undefined) === (body.frames === undefined)) {
      return { ok: false, error: { code: 'payload.invalid', message: 'Send either "readings" or "frames" (not both, not neither).' } };
    }

    const readings: IncomingReading[] = [];
    const origin: number[] = [];
    const refused: ItemRejection[] = [];
    body.readings?.forEach((item, index) => {
      readings.push({
        vital: item.vital,
        value: item.value,
        unit: item.unit,
        deviceTime: item.deviceTime === undefined ? null : new Date(item.deviceTime),
        status: (item.status ?? []) as ReadingStatusFlag[],
      });
      origin.push(index);
    });
    body.frames?.forEach((frame, index) => {
      const bytes = parseHex(frame.hex);
      const decoded = bytes.ok ? decodeCharacteristic(frame.characteristic, bytes.value) : bytes;
      if (!decoded.ok) {
        refused.push({ index, error: decoded.error });
        return;
      }
      // Times inside a GATT frame are the device's own clock (often reset): placed by the pipeline
      // under the same policy as a JSON deviceTime.
      const fallbackTime = frame.deviceTime === undefined ? null : new Date(frame.deviceTime);
      for (const draft of decoded.value.readings) {
        readings.push({ vital: draft.vital, value: draft.value, unit: draft.unit, deviceTime: draft.deviceTime ?? fallbackTime, status: draft.status });
        origin.push(index);
      }
    });
    return { ok: true, value: { readings, refused, origin, sentAt: body.sentAt === undefined ? null : new Date(body.sentAt), messageId: body.messageId ?? null } };
  }

  private async handleStatus(message: DeviceMessage): Promise<HandledMessage> {
    // A device may report its state now and then; a flood costs neither a query nor a row.
    const known = UUID.test(message.deviceId);
    if (!this.statusRate.allow(message.deviceId, message.receivedAt)) {
      // Unread, so counted as contact (as before): most likely a reconnect right after a will.
      if (known) this.activity.seen(message.deviceId, message.receivedAt);
      return { dropped: 'rate' };
    }
    const parsed = parseJsonPayload(message.payload, { maxBytes: this.limits.maxStatusBytes, maxDepth: 4 });
    const validated = parsed.ok ? interpretSafely(() => validateDto(DeviceStatusDto, parsed.value)) : parsed;
    // A last will ("offline") is the broker speaking for a device it lost: not the device heard from.
    if (known && !(validated.ok && validated.value.state === 'offline')) this.activity.seen(message.deviceId, message.receivedAt);
    if (!validated.ok) {
      if (!this.statusRefusals.allow(`${message.deviceId} ${validated.error.code}`, message.receivedAt)) return { dropped: 'repeat' };
      const keep = message.payload.subarray(0, this.limits.maxStatusBytes);
      await this.pipeline.recordRejection({ source: 'mqtt', deviceId: message.deviceId, topic: message.topic, payload: keep, error: validated.error, receivedAt: message.receivedAt });
      return { recorded: validated.error.code };
    }
    const { state, battery } = validated.value;
    if (known) await this.registry.recordDeviceConnection(message.deviceId, state, message.receivedAt);
    // A last will's battery was set when the device connected: stale, and not a sign of contact.
    if (state === 'online' && battery !== undefined && battery >= 0 && battery <= 100 && (await this.directory.get(message.deviceId))) {
      await this.registry.touchDevice(message.deviceId, message.receivedAt, Math.round(battery));
    }
    return {};
  }
}

/**
 * Runs the pure interpretation of a message; a throw there (a validator or decoder bug met by
 * odd input) is a property of the message, not of the store, so it becomes a refusal instead of
 * an unanswered message the broker would redeliver forever.
 */
function interpretSafely<T>(work: () => { ok: true; value: T } | { ok: false; error: CodedError }): { ok: true; value: T } | { ok: false; error: CodedError } {
  try {
    return work();
  } catch (error) {
    return {
      ok: false,
      error: { code: 'payload.unprocessable', message: 'The message could not be interpreted; it has been kept for the operators to inspect.', details: { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } },
    };
  }
}
