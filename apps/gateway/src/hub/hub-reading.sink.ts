import { randomUUID } from 'node:crypto';
import { topics } from '@homeward/contracts';
import type { BleReadingSink } from '../ble/ble-session';
import type { Submission } from '@homeward/ingest';
import type { DurableQueue } from './durable-queue';

/**
 * Hub mode: instead of the local ingest pipeline, BLE readings go into the durable queue as
 * ReadingsPayloadDto bodies for `homeward/v1/devices/{deviceId}/readings`, and the forwarder
 * takes them upstream. `submit` resolves once the message is fsync'd, so the BLE source advances
 * a glucose meter's sequence number only for records that are safe on disk.
 *
 * A frame the hub could not decode is forwarded raw (`frames: [{ characteristic, hex }]`):
 * the upstream gateway decodes it again and keeps it in rejected_messages with the same coded
 * error, so nothing is dropped at the hub.
 */
export class HubReadingSink implements BleReadingSink {
  constructor(
    private readonly queue: DurableQueue,
    private readonly forwarder: { pump(): void; remember?(messageId: string, deviceClockAt: Date): void; forget?(messageId: string): void } | null,
    private readonly topicFor: (deviceId: string) => string = topics.readings,
  ) {}

  async submit(submission: Submission): Promise<void> {
    const deviceId = submission.deviceId;
    if (deviceId === null) throw new Error('hub mode forwards device readings only');
    const body: Record<string, unknown> = {};
    if (submission.readings.length > 0) {
      body['readings'] = submission.readings.map((r) => ({
        vital: r.vital,
        value: r.value,
        unit: r.unit,
        ...(r.deviceTime === null ? {} : { deviceTime: r.deviceTime.toISOString() }),
        ...(r.status && r.status.length > 0 ? { status: [...r.status] } : {}),
      }));
    }
    if ((submission.refused?.length ?? 0) > 0 && submission.raw) {
      body['frames'] = [{ characteristic: characteristicOf(submission.raw.topic ?? null), hex: Buffer.from(submission.raw.payload).toString('hex') }];
    }
    if (!body['readings'] && !body['frames']) return;
    const id = randomUUID();
    // Before the enqueue: the forwarder may send it as soon as it is on disk.
    if (submission.deviceClockAt !== null) this.forwarder?.remember?.(id, submission.deviceClockAt);
    try {
      await this.queue.enqueue({
        id,
        topic: this.topicFor(deviceId),
        body,
        clockOffsetMs: submission.deviceClockAt === null ? null : submission.receivedAt.getTime() - submission.deviceClockAt.getTime(),
        enqueuedAt: submission.receivedAt.toISOString(),
      });
    } catch (error) {
      this.forwarder?.forget?.(id);
      throw error;
    }
    this.forwarder?.pump();
  }
}

/** The BLE source names a frame's origin `ble/{address}/0x2A35`; the characteristic is the last part. */
function characteristicOf(topic: string | null): string {
  const last = topic?.split('/').pop();
  return last && /^0x[0-9a-f]{4}$/i.test(last) ? last : 'unknown';
}
