import type { HomewardMetrics, Logger } from '@homeward/observability';
import { DeviceMessageHandler, type DeviceMessage, type HandledMessage } from './device-message.handler';

/**
 * The device message handler, counted and logged: messages in by kind, acks out, duplicates,
 * rejections by reason code, and receipt → commit latency. Log lines carry the device id, the
 * outcome and reason codes, never the payload, a patient or a value (a rejection's message text
 * can quote the refused value, so only its code is logged).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ObservedDeviceMessageHandler extends DeviceMessageHandler {
  private metrics: HomewardMetrics | undefined;
  private logger: Logger | undefined;

  observe(metrics: HomewardMetrics | undefined, logger: Logger | undefined): this {
    this.metrics = metrics;
    this.logger = logger;
    return this;
  }

  override async handle(message: DeviceMessage): Promise<HandledMessage> {
    this.metrics?.mqttMessagesReceived.inc({ kind: message.kind });
    let handled: HandledMessage;
    try {
      handled = await super.handle(message);
    } catch (error) {
      // The store could not be reached: nothing was acknowledged and the device will resend.
      this.logger?.error({ deviceId: message.deviceId, kind: message.kind, err: error }, 'device message not stored: the store failed');
      throw error;
    }
    if (handled.dropped) this.metrics?.statusMessagesDropped.inc({ reason: handled.dropped });
    const kept = handled.ack ? [...new Set(handled.ack.rejected.map((r) => r.code))] : handled.recorded ? [handled.recorded] : [];
    for (const code of kept) {
      this.metrics?.rejectedMessages.inc({ code, device_id: code === 'device.unknown' || !UUID.test(message.deviceId) ? 'unknown' : message.deviceId });
    }
    const seconds = (Date.now() - message.receivedAt.getTime()) / 1000;
    const ack = handled.ack;
    if (ack) {
      this.metrics?.ingestLatency.observe({ transport: 'mqtt' }, seconds);
      this.metrics?.mqttMessagesSent.inc({ kind: 'ack' });
      if (ack.duplicates > 0) this.metrics?.readingsDuplicate.inc({ source: 'mqtt' }, ack.duplicates);
      const codes = ack.rejected.map((r) => r.code);
      for (const code of codes) this.metrics?.rejections.inc({ transport: 'mqtt', code });
      const event = { deviceId: message.deviceId, kind: message.kind, status: ack.status, stored: ack.stored, duplicates: ack.duplicates, latencyMs: Math.round(seconds * 1000) };
      if (codes.length > 0) this.logger?.warn({ ...event, rejectedCodes: codes }, 'device message refused');
      else this.logger?.debug(event, 'device message stored');
    } else {
      this.logger?.debug({ deviceId: message.deviceId, kind: message.kind }, 'device message handled');
    }
    return handled;
  }
}
