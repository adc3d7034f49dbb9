import { hostname } from 'node:os';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { ALL_DEVICE_READINGS, ALL_DEVICE_STATUS, parseDeviceTopic, topics } from '@homeward/contracts';
import type { DeviceMessageHandler } from './device-message.handler';

export interface ExternalConsumer {
  readonly client: MqttClient;
  close(): Promise<void>;
}

/**
 * External-broker mode: the gateway is a client of a broker the deployer runs (Mosquitto, EMQX,
 * HiveMQ). It subscribes with MQTT 5 shared subscriptions (`$share/<group>/…`), so several
 * gateway instances split the devices' messages, on a persistent session (clean: false) at QoS 1.
 * MQTT.js sends the PUBACK for a message only when `handleMessage` calls back, which we do after
 * the readings are committed; if the store fails we drop the connection unacknowledged and the
 * broker redelivers on reconnect. Device authentication and topic ACLs are the external
 * broker's job there (README: `pattern readwrite homeward/v1/devices/%u/#` in Mosquitto).
 */
export async function startExternalConsumer(options: {
  external: { url: string; username: string | undefined; password: string | undefined; sharedGroup: string; clientId?: string | undefined };
  handler: DeviceMessageHandler;
  log: (message: string) => void;
  clientId?: string;
}): Promise<ExternalConsumer> {
  const { external, handler, log } = options;
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
    handler
      .handle({ deviceId: target.deviceId, kind: target.kind, topic: packet.topic, payload, receivedAt: new Date(), dup: packet.dup === true })
      .then((handled) => {
        done();
        if (handled.ack) client.publish(topics.acks(target.deviceId), JSON.stringify(handled.ack), { qos: 1 });
      })
      .catch((error: unknown) => {
        log(`could not store a message from device ${target.deviceId}: ${String(error)}; reconnecting without acknowledging it`);
        client.stream.destroy(); // no PUBACK: the broker keeps the message for the session and redelivers it
      });
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
    close: () => new Promise<void>((resolve) => client.end(false, {}, () => resolve())),
  };
}
