import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import type { SimulatedPayload } from '../cohort/cohort.model';

export interface DeviceCredentials {
  readonly deviceId: string;
  readonly secret: string;
}

/** What the gateway answered on the acks topic (ReadingsAck's shape). */
export interface DeviceAck {
  readonly messageId: string | null;
  readonly status: 'accepted' | 'partially-accepted' | 'rejected';
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: ReadonlyArray<{ readonly code: string; readonly message: string }>;
}

/**
 * A home hub or patient app on MQTT, as a real one connects: the device id as client id and user
 * name, its secret as password, a retained "online" status with "offline" as the last will, QoS 1
 * readings (the PUBACK comes after commit) and the gateway's answers on its acks topic.
 */
export class SimulatedMqttDevice {
  private readonly waiting = new Map<string, (ack: DeviceAck) => void>();
  readonly acks: DeviceAck[] = [];

  private constructor(
    readonly credentials: DeviceCredentials,
    private readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload) => {
      if (topic !== topics.acks(credentials.deviceId)) return;
      let ack: DeviceAck;
      try {
        ack = JSON.parse(payload.toString('utf8')) as DeviceAck;
      } catch {
        return;
      }
      this.acks.push(ack);
      const resolve = ack.messageId === null ? undefined : this.waiting.get(ack.messageId);
      if (resolve && ack.messageId !== null) {
        this.waiting.delete(ack.messageId);
        resolve(ack);
      }
    });
  }

  /** Connects (CONNACK) and subscribes to the acks topic; rejects if the gateway refuses. */
  static async connect(url: string, credentials: DeviceCredentials, options: { battery?: number; connectTimeoutMs?: number } = {}): Promise<SimulatedMqttDevice> {
    const client = mqtt.connect(url, {
      clientId: credentials.deviceId,
      username: credentials.deviceId,
      password: credentials.secret,
      protocolVersion: 4,
      clean: true,
      // Like real firmware should: retry after a dropped connection and after a refusing CONNACK
      // (MQTT.js gives up on one by default); the first refusal still rejects `connect` below.
      reconnectPeriod: 1_000,
      reconnectOnConnackError: true,
      connectTimeout: options.connectTimeoutMs ?? 15_000,
      will: { topic: topics.status(credentials.deviceId), payload: Buffer.from(JSON.stringify({ state: 'offline' })), qos: 1, retain: true },
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        client.end(true);
        reject(error);
      };
      client.once('error', fail);
      client.once('connect', () => {
        client.off('error', fail);
        resolve();
      });
    });
    // Errors after the first connection are reconnected by MQTT.js; keep them from throwing.
    client.on('error', () => undefined);
    const device = new SimulatedMqttDevice(credentials, client);
    await client.subscribeAsync(topics.acks(credentials.deviceId), { qos: 1 });
    await client.publishAsync(topics.status(credentials.deviceId), JSON.stringify({ state: 'online', battery: options.battery ?? 90 }), { qos: 1, retain: true });
    return device;
  }

  /**
   * Publishes readings with QoS 1 and resolves with the gateway's answer on the acks topic (or
   * undefined if none came within `ackTimeoutMs`: the PUBACK alone already means committed).
   */
  async publish(payload: SimulatedPayload, ackTimeoutMs = 10_000): Promise<DeviceAck | undefined> {
    const answered = new Promise<DeviceAck | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(payload.messageId);
        resolve(undefined);
      }, ackTimeoutMs);
      this.waiting.set(payload.messageId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    await this.client.publishAsync(topics.readings(this.credentials.deviceId), JSON.stringify(payload), { qos: 1 });
    return answered;
  }

  /** Connected to the broker now (not dropped, not closed). */
  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * An MQTT keepalive ping now (PINGREQ), as MQTT.js sends one when the connection is quiet;
   * resolves at the broker's PINGRESP, by when the gateway has counted it as contact. Does
   * nothing while disconnected.
   */
  async ping(timeoutMs = 10_000): Promise<void> {
    if (!this.client.connected) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('packetreceive', onPacket);
      };
      const onPacket = (packet: { readonly cmd: string }) => {
        if (packet.cmd !== 'pingresp') return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`device ${this.credentials.deviceId} had no PINGRESP within ${timeoutMs} ms`));
      }, timeoutMs);
      this.client.on('packetreceive', onPacket);
      this.client.sendPing();
    });
  }

  /**
   * A power cut or lost signal: the connection drops without DISCONNECT, so the broker publishes
   * the "offline" last will, and the device stays away until `reconnect`.
   */
  dropConnection(): void {
    this.client.options.reconnectPeriod = 0;
    this.client.stream?.destroy();
  }

  /** Back from `dropConnection`: connects again and says "online". */
  async reconnect(timeoutMs = 15_000): Promise<void> {
    if (this.client.connected) return;
    this.client.options.reconnectPeriod = 1_000;
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`device ${this.credentials.deviceId} did not reconnect within ${timeoutMs} ms`)), timeoutMs);
      this.client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.client.reconnect();
    await connected;
    await this.client.publishAsync(topics.status(this.credentials.deviceId), JSON.stringify({ state: 'online' }), { qos: 1, retain: true });
  }

  /** Says goodbye properly: a retained "offline" status, then DISCONNECT. */
  async close(): Promise<void> {
    if (this.client.connected) {
      await this.client.publishAsync(topics.status(this.credentials.deviceId), JSON.stringify({ state: 'offline' }), { qos: 1, retain: true }).catch(() => undefined);
    }
    await this.client.endAsync();
  }
}
