import { type IClientOptions, type MqttClient, connect } from 'mqtt';
import type { DurableQueue, QueuedMessage } from './durable-queue';

export interface HubForwarderOptions {
  /** mqtt://host:1883, mqtts://…, ws://… */
  readonly url: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** QoS 1 publishes awaiting their PUBACK at once. */
  readonly maxInFlight?: number;
  readonly reconnectPeriodMs?: number;
  readonly connectTimeoutMs?: number;
  /** Extra mqtt.js options (TLS material, keepalive). */
  readonly mqtt?: Partial<IClientOptions>;
  readonly now?: () => Date;
  readonly onError?: (error: Error) => void;
}

/**
 * Sends a DurableQueue upstream over MQTT, QoS 1, and acknowledges each message in the queue
 * only when its PUBACK arrives. Within one process, mqtt.js resends unacknowledged publishes
 * after a reconnection; across a crash or kill, the queue still holds them and they are published
 * again on start. Delivery is therefore at least once, and the upstream gateway's idempotency
 * keys make the repeats harmless.
 *
 * `sentAt` is the device's clock at the moment of sending, estimated from the offset measured
 * at BLE receipt (the coincident timestamp), so a message that waited hours in the queue is still
 * clock-corrected correctly upstream.
 */
export class HubForwarder {
  private client: MqttClient | null = null;
  private readonly inFlight = new Set<string>();
  private readonly maxInFlight: number;
  private readonly now: () => Date;
  private stopped = false;

  constructor(
    private readonly queue: DurableQueue,
    private readonly options: HubForwarderOptions,
  ) {
    this.maxInFlight = options.maxInFlight ?? 32;
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    if (this.client) return;
    this.stopped = false;
    const client = connect(this.options.url, {
      clientId: this.options.clientId,
      // A persistent session: the broker keeps our unacknowledged QoS 1 flow across reconnections.
      clean: false,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 1_000,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      ...(this.options.username === undefined ? {} : { username: this.options.username }),
      ...(this.options.password === undefined ? {} : { password: this.options.password }),
      ...this.options.mqtt,
    });
    client.on('connect', () => this.pump());
    client.on('error', (error) => this.options.onError?.(error));
    this.client = client;
  }

  /** Publishes what is waiting, up to the in-flight window. Call after enqueueing. */
  pump(): void {
    const client = this.client;
    if (!client?.connected || this.stopped) return;
    for (const message of this.queue.pending()) {
      if (this.inFlight.size >= this.maxInFlight) return;
      if (this.inFlight.has(message.id)) continue;
      this.publish(client, message);
    }
  }

  /** Messages published and not yet acknowledged by the broker. */
  get unacknowledged(): number {
    return this.inFlight.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync();
  }

  private publish(client: MqttClient, message: QueuedMessage): void {
    this.inFlight.add(message.id);
    const body = { ...message.body, messageId: message.id, ...this.sentAt(message) };
    client.publish(message.topic, JSON.stringify(body), { qos: 1 }, (error) => {
      this.inFlight.delete(message.id);
      if (error) {
        // Not acknowledged: it stays in the queue and goes again on the next pump.
        this.options.onError?.(error);
        return;
      }
      this.queue.ack(message.id).then(
        () => this.pump(),
        (ackError: unknown) => this.options.onError?.(ackError instanceof Error ? ackError : new Error(String(ackError))),
      );
    });
  }

  private sentAt(message: QueuedMessage): { sentAt?: string } {
    if (message.clockOffsetMs === null) return {};
    return { sentAt: new Date(this.now().getTime() - message.clockOffsetMs).toISOString() };
  }
}
