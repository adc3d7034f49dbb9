import { hostname } from 'node:os';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { ALL_DEVICE_READINGS, ALL_DEVICE_STATUS, parseDeviceTopic, topics } from '@homeward/contracts';
import type { DeviceMessageHandler } from './device-message.handler';
import { DEFAULT_STORE_RETRY, type StoreRetryPolicy, retryWhileStoreDown } from './store-retry.policy';

export interface ExternalConsumer {
  readonly client: MqttClient;
  close(): Promise<void>;
}

/**
 * External-broker mode: the gateway is a client of a broker the deployer runs (Mosquitto, EMQX,
 * HiveMQ). It subscribes with MQTT 5 shared subscriptions (`$share/<group>/…`), so several
 * gateway instances split the devices' messages, on a persistent session (clean: false) at QoS 1.
 * MQTT.js sends the PUBACK for a message only when `handleMessage` calls back, which we do after
 * the readings are committed. While the store is unreachable the message is retried with backoff
 * on the same connection, its PUBACK withheld (MQTT.js hands over the next message only after
 * this one is answered, so nothing behind it is acknowledged out of order either); only after
 * `storeRetry.giveUpAfterMs`, or if the connection drops meanwhile, is it left unacknowledged for
 * the broker to redeliver on the persistent session. It is never acknowledged unstored. Device authentication and topic ACLs are the external
 * broker's job there (README: `pattern readwrite homeward/v1/devices/%u/#` in Mosquitto).
 */
export async function startExternalConsumer(options: {
  external: { url: string; username: string | undefined; password: string | undefined; sharedGroup: string; clientId?: string | undefined };
  handler: DeviceMessageHandler;
  log: (message: string) => void;
  clientId?: string;
  storeRetry?: StoreRetryPolicy;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): Promise<ExternalConsumer> {
  const { external, handler, log } = options;
  const policy = options.storeRetry ?? DEFAULT_STORE_RETRY;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  let closing = false;
  const clientOptions: IClientOptions = {
    protocolVersion: 5,
    // The persistent session's name: HOMEWARD_MQTT_CLIENT_ID pins it (e.g. the StatefulSet pod
    // name) so a restarted gateway resumes it; the default adds the host because in containers
    // every gateway is pid 1, and equal ids would take each other's sessions over.
    clientId: options.clientId ?? external.clientId ?? `homeward-gateway-${external.sharedGroup}-${hostname()}-${process.pid}`,
    clean: false,
    properties: { sessionExpiryInterval: 24 * 60 * 60 },
    reconnectPeriod: 1_000,
    // Keep trying after a refusing CONNACK too (the broker restarting, its auth backend down):
    // MQTT.js stops for good on one by default, and the gateway would consume nothing until restarted.
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    ...(external.username === undefined ? {} : { username: external.username }),
    ...(external.password === undefined ? {} : { password: external.password }),
  };
  const client = mqtt.connect(external.url, clientOptions);

  client.handleMessage = (packet, done) => {
    const target = parseDeviceTopic(packet.topic);
    if (!target || (target.kind !== 'readings' && target.kind !== 'status')) {
      done();
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const message = { deviceId: target.deviceId, kind: target.kind, topic: packet.topic, payload, receivedAt: new Date(now()), dup: packet.dup === true };
    // The connection this message came on: its PUBACK can only go back on it.
    const stream = client.stream;
    retryWhileStoreDown(() => handler.handle(message), {
      policy,
      now,
      sleep,
      stillWanted: () => !closing && client.stream === stream && !stream.destroyed,
      onRetry: (error, failures, delayMs) => {
        if (failures === 1 || failures % 10 === 0) log(`could not store a message from device ${target.deviceId} (${failures} tries): ${String(error)}; PUBACK withheld, retrying in ${delayMs} ms`);
      },
    }).then(
      (handled) => {
        done();
        if (handled.ack) client.publish(topics.acks(target.deviceId), JSON.stringify(handled.ack), { qos: 1 });
      },
      (error: unknown) => {
        if (client.stream !== stream || stream.destroyed) {
          log(`could not store a message from device ${target.deviceId}: ${String(error)}; its connection is gone, the broker redelivers it`);
          return;
        }
        log(`could not store a message from device ${target.deviceId}: ${String(error)}; gave up retrying, reconnecting without acknowledging it`);
        stream.destroy(); // no PUBACK: the broker keeps the message for the session and redelivers it
      },
    );
  };
  client.on('error', (error) => log(`external broker: ${error.message}`));
  client.on('offline', () => log('external broker: offline, reconnecting'));

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
  const group = external.sharedGroup;
  await client.subscribeAsync([`$share/${group}/${ALL_DEVICE_READINGS}`, `$share/${group}/${ALL_DEVICE_STATUS}`], { qos: 1 });
  return {
    client,
    close: () => {
      closing = true;
      return new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    },
  };
}
