import { Transform } from 'node:stream';
import { type IClientOptions, type IStore, type MqttClient, Store, connect } from 'mqtt';
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
  /** A clock that never jumps (ms), for the time a message waited: performance.now by default. */
  readonly monotonic?: () => number;
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
 * at BLE receipt (the coincident timestamp), stamped at each send attempt: a message that waited
 * hours in the queue still arrives with a coincident pair, so upstream neither mistakes the wait
 * for a slow clock nor misses a wrong one. mqtt.js resends unacknowledged publishes by itself
 * after a reconnection, from its outgoing store, byte for byte; that store is wrapped
 * (RestampingStore) so a resend is stamped afresh too, and carries the DUP flag, which MQTT
 * requires of a redelivery (3.1.1 §3.3.1.1) and mqtt.js leaves unset.
 *
 * The wait is measured on a monotonic clock when the message was taken in this process (the
 * sink tells us, `remember`): a hub without a real-time clock often boots with a stale wall
 * clock and sets it by NTP only once its internet is back, and a jump of the wall clock between
 * the BLE receipt and the send would otherwise be added to sentAt, and read upstream as the
 * device clock being that far off. Messages from an earlier run fall back to the wall clock.
 */
export class HubForwarder {
  private client: MqttClient | null = null;
  /** Published and not yet acknowledged: message id → its clock offset, to stamp a resend. */
  private readonly inFlight = new Map<string, number | null>();
  private readonly maxInFlight: number;
  private readonly now: () => Date;
  private readonly monotonic: () => number;
  /** Message id → the device's clock at BLE receipt and the monotonic time then (this process only). */
  private readonly receipts = new Map<string, { readonly deviceClockMs: number; readonly monotonicMs: number }>();
  private stopped = false;

  constructor(
    private readonly queue: DurableQueue,
    private readonly options: HubForwarderOptions,
  ) {
    this.maxInFlight = options.maxInFlight ?? 32;
    this.now = options.now ?? (() => new Date());
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  start(): void {
    if (this.client) return;
    this.stopped = false;
    const client = connect(this.options.url, {
      clientId: this.options.clientId,
      // A persistent session: the broker keeps our unacknowledged QoS 1 flow across reconnections.
      clean: false,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 1_000,
      // A refusing CONNACK (e.g. "server unavailable" from a gateway whose store is down) would
      // otherwise end retrying for good (MQTT.js default), stranding the queue until a restart.
      reconnectOnConnackError: true,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      ...(this.options.username === undefined ? {} : { username: this.options.username }),
      ...(this.options.password === undefined ? {} : { password: this.options.password }),
      outgoingStore: new RestampingStore((body) => this.restamp(body)),
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

  /** Called as a message is queued: the device clock read with it, now, for measuring its wait. */
  remember(messageId: string, deviceClockAt: Date): void {
    this.receipts.set(messageId, { deviceClockMs: deviceClockAt.getTime(), monotonicMs: this.monotonic() });
  }

  /** The message was not queued after all. */
  forget(messageId: string): void {
    this.receipts.delete(messageId);
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
    this.inFlight.set(message.id, message.clockOffsetMs);
    const body = { ...message.body, messageId: message.id, ...this.sentAt(message.id, message.clockOffsetMs) };
    client.publish(message.topic, JSON.stringify(body), { qos: 1 }, (error) => {
      this.inFlight.delete(message.id);
      if (error) {
        // Not acknowledged: it stays in the queue and goes again on the next pump.
        this.options.onError?.(error);
        return;
      }
      this.receipts.delete(message.id);
      this.queue.ack(message.id).then(
        () => this.pump(),
        (ackError: unknown) => this.options.onError?.(ackError instanceof Error ? ackError : new Error(String(ackError))),
      );
    });
  }

  /** The device's clock now: its reading at BLE receipt plus the wait since (monotonic when known). */
  private sentAt(messageId: string, clockOffsetMs: number | null): { sentAt?: string } {
    const receipt = this.receipts.get(messageId);
    if (receipt) return { sentAt: new Date(receipt.deviceClockMs + (this.monotonic() - receipt.monotonicMs)).toISOString() };
    if (clockOffsetMs === null) return {};
    return { sentAt: new Date(this.now().getTime() - clockOffsetMs).toISOString() };
  }

  /** A body about to be resent, with sentAt for this attempt (unchanged if not one of ours). */
  private restamp(body: Record<string, unknown>): Record<string, unknown> {
    const id = body['messageId'];
    if (typeof id !== 'string' || !this.inFlight.has(id)) return body;
    const restamped = { ...body };
    delete restamped['sentAt'];
    return { ...restamped, ...this.sentAt(id, this.inFlight.get(id) ?? null) };
  }
}

/**
 * mqtt.js's in-memory outgoing store, except that the packets it hands back for resending after
 * a reconnection (createStream is read only then) are marked DUP and their JSON body restamped.
 * The stored packet stays as first sent; each resend is derived from it afresh.
 */
export class RestampingStore implements IStore {
  private readonly inner = new Store();

  constructor(private readonly restamp: (body: Record<string, unknown>) => Record<string, unknown>) {}

  put(...args: Parameters<IStore['put']>): this {
    this.inner.put(...args);
    return this;
  }

  get(...args: Parameters<IStore['get']>): this {
    this.inner.get(...args);
    return this;
  }

  del(...args: Parameters<IStore['del']>): this {
    this.inner.del(...args);
    return this;
  }

  close(...args: Parameters<IStore['close']>): void {
    this.inner.close(...args);
  }

  createStream(): ReturnType<IStore['createStream']> {
    const source = this.inner.createStream();
    const resend = new Transform({
      objectMode: true,
      transform: (packet: Parameters<IStore['put']>[0], _encoding, done) => done(null, packet.cmd === 'publish' ? this.redelivery(packet) : packet),
    });
    source.on('error', (error: Error) => resend.destroy(error));
    source.pipe(resend);
    return resend as unknown as ReturnType<IStore['createStream']>;
  }

  private redelivery<P extends { payload?: unknown; dup?: boolean }>(packet: P): P {
    const text = typeof packet.payload === 'string' ? packet.payload : Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : null;
    let payload = packet.payload;
    try {
      const body: unknown = text === null ? null : JSON.parse(text);
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) payload = JSON.stringify(this.restamp(body as Record<string, unknown>));
    } catch {
      // Not JSON (not a readings body of ours): resent as it was, still marked DUP.
    }
    return { ...packet, payload, dup: true };
  }
}
