import { type CodedError, type ReadingStatusFlag, fail } from '@homeward/domain';
import { DeviceStatusDto, type ReadingsAck, ReadingsPayloadDto, type DeviceTopicKind, validateDto } from '@homeward/contracts';
import { decodeCharacteristic, parseHex } from '@homeward/gatt';
import type { RegistryRepository } from '@homeward/storage';
import type { IncomingReading, IngestPipeline, ItemRejection } from '@homeward/ingest';
import type { DeviceActivityTracker } from './device-activity.tracker';
import type { DeviceDirectory } from './device-directory';

export interface DeviceMessage {
  readonly deviceId: string;
  readonly kind: DeviceTopicKind;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly receivedAt: Date;
}

export interface HandledMessage {
  /** What to tell the device on its acks topic; absent for status messages. */
  readonly ack?: ReadingsAck;
}

/**
 * What a device message means, whichever broker carried it. Resolves once everything it stored
 * (readings, or the record of a rejection) is committed; it throws only when the store could
 * not be reached, and then nothing may be acknowledged.
 */
export class DeviceMessageHandler {
  constructor(
    private readonly pipeline: IngestPipeline,
    private readonly directory: DeviceDirectory,
    private readonly registry: RegistryRepository,
    private readonly activity: DeviceActivityTracker,
    private readonly maxPayloadBytes: number,
  ) {}

  async handle(message: DeviceMessage): Promise<HandledMessage> {
    this.activity.seen(message.deviceId, message.receivedAt);
    if (message.kind === 'status') return this.handleStatus(message);
    if (message.kind !== 'readings') return {};
    return this.handleReadings(message);
  }

  private async handleReadings(message: DeviceMessage): Promise<HandledMessage> {
    const refuse = async (error: CodedError, keep: Uint8Array = message.payload): Promise<HandledMessage> => {
      await this.pipeline.recordRejection({ source: 'mqtt', deviceId: message.deviceId, topic: message.topic, payload: keep, error, receivedAt: message.receivedAt });
      return { ack: { messageId: null, status: 'rejected', stored: 0, duplicates: 0, rejected: [{ index: null, ...error }] } };
    };
    if (message.payload.byteLength > this.maxPayloadBytes) {
      return refuse(
        { code: 'payload.too-large', message: `The message is ${message.payload.byteLength} bytes; the limit is ${this.maxPayloadBytes}. Send fewer readings per message.`, details: { bytes: message.payload.byteLength, limit: this.maxPayloadBytes } },
        message.payload.subarray(0, this.maxPayloadBytes),
      );
    }
    const device = await this.directory.get(message.deviceId);
    if (!device) return refuse({ code: 'device.unknown', message: `No device ${message.deviceId} is registered.` });
    if (!device.patientId) return refuse({ code: 'device.unassigned', message: 'This device is not assigned to a patient, so its readings cannot be stored. Ask the ward to assign it.' });

    const parsed = parseJson(message.payload);
    if (!parsed.ok) return refuse(parsed.error);
    const validated = validateDto(ReadingsPayloadDto, parsed.value);
    if (!validated.ok) return refuse(validated.error);
    const body = validated.value;
    if ((body.readings === undefined) === (body.frames === undefined)) {
      return refuse({ code: 'payload.invalid', message: 'Send either "readings" or "frames" (not both, not neither).' });
    }
    const messageId = body.messageId ?? null;

    const readings: IncomingReading[] = [];
    const refused: ItemRejection[] = [];
    if (body.readings) {
      for (const item of body.readings) {
        readings.push({
          vital: item.vital,
          value: item.value,
          unit: item.unit,
          deviceTime: item.deviceTime === undefined ? null : new Date(item.deviceTime),
          status: (item.status ?? []) as ReadingStatusFlag[],
        });
      }
    }
    body.frames?.forEach((frame, index) => {
      const bytes = parseHex(frame.hex);
      const decoded = bytes.ok ? decodeCharacteristic(frame.characteristic, bytes.value) : bytes;
      if (!decoded.ok) {
        refused.push({ index, error: decoded.error });
        return;
      }
      const fallbackTime = frame.deviceTime === undefined ? null : new Date(frame.deviceTime);
      for (const draft of decoded.value.readings) {
        readings.push({ vital: draft.vital, value: draft.value, unit: draft.unit, deviceTime: draft.deviceTime ?? fallbackTime, status: draft.status });
      }
    });

    const outcome = await this.pipeline.submit({
      source: 'mqtt',
      patientId: device.patientId,
      deviceId: device.id,
      receivedAt: message.receivedAt,
      deviceClockAt: body.sentAt === undefined ? null : new Date(body.sentAt),
      readings,
      refused,
      raw: { payload: message.payload, topic: message.topic },
    });
    const status = outcome.rejected.length === 0 ? 'accepted' : outcome.stored.length + outcome.duplicates.length > 0 ? 'partially-accepted' : 'rejected';
    return {
      ack: {
        messageId,
        status,
        stored: outcome.stored.length,
        duplicates: outcome.duplicates.length,
        rejected: outcome.rejected.map((r) => ({ index: r.index, code: r.error.code, message: r.error.message, ...(r.error.details ? { details: { ...r.error.details } } : {}) })),
      },
    };
  }

  private async handleStatus(message: DeviceMessage): Promise<HandledMessage> {
    const parsed = parseJson(message.payload);
    const validated = parsed.ok ? validateDto(DeviceStatusDto, parsed.value) : parsed;
    if (!validated.ok) {
      await this.pipeline.recordRejection({ source: 'mqtt', deviceId: message.deviceId, topic: message.topic, payload: message.payload, error: validated.error, receivedAt: message.receivedAt });
      return {};
    }
    const battery = validated.value.battery;
    if (battery !== undefined && battery >= 0 && battery <= 100 && (await this.directory.get(message.deviceId))) {
      await this.registry.touchDevice(message.deviceId, message.receivedAt, Math.round(battery));
    }
    return {};
  }
}

function parseJson(payload: Uint8Array): { ok: true; value: unknown } | { ok: false; error: CodedError } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return fail('payload.not-utf8', 'The message is not UTF-8 text; send JSON.');
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return fail('payload.bad-json', `The message is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
