// The embedded broker publishes a readings message's ack only for devices that may be listening
// on their acks topic (an authorised subscription matched it). Every kind of listener still gets
// it: any filter matching the topic, any of the device's clients, and a persistent session that
// was offline when the ack was published. Real PostgreSQL, real sockets.
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import type { RealDatabase } from '@homeward/testing';
import { type RegisteredDevice, aPatientWithDevice, anEmbeddedGateway } from './gateway-device.fixture';

let db: RealDatabase;
let port: number;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, port, close } = await anEmbeddedGateway('broker-acks'));
}, 60_000);
afterAll(async () => close?.());

const connect = (device: RegisteredDevice, clientId: string, options: { clean?: boolean } = {}) =>
  mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, username: device.deviceId, password: device.secret, protocolVersion: 4, reconnectPeriod: 0, clean: options.clean ?? true });

const reading = (messageId: string, minute: number) => JSON.stringify({ messageId, readings: [{ vital: 'spo2', value: 95, unit: '%', deviceTime: `2026-11-07T08:${String(minute).padStart(2, '0')}:00Z` }] });

/** The messageIds of the acks a client receives, as they arrive. */
function acksOf(client: MqttClient): string[] {
  const seen: string[] = [];
  client.on('message', (_topic, payload) => seen.push((JSON.parse(payload.toString()) as { messageId: string }).messageId));
  return seen;
}

async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('delivers the ack to every client of the device subscribed by any filter matching its acks topic', async () => {
  const device = await aPatientWithDevice(db.storage);
  const exact = await connect(device, `${device.deviceId}-exact`);
  const all = await connect(device, `${device.deviceId}-all`);
  const under = await connect(device, `${device.deviceId}-under`);
  const publisher = await connect(device, device.deviceId);
  try {
    await exact.subscribeAsync(topics.acks(device.deviceId), { qos: 1 });
    await all.subscribeAsync(`homeward/v1/devices/${device.deviceId}/#`, { qos: 1 });
    await under.subscribeAsync(`${topics.acks(device.deviceId)}/#`, { qos: 1 });
    const [seenExact, seenAll, seenUnder] = [acksOf(exact), acksOf(all), acksOf(under)];
    await publisher.publishAsync(topics.readings(device.deviceId), reading('m1', 1), { qos: 1 });
    for (const seen of [seenExact, seenAll, seenUnder]) expect(await until(() => (seen.length > 0 ? seen : undefined), 'the ack')).toEqual(['m1']);
  } finally {
    await Promise.all([exact, all, under, publisher].map((c) => c.endAsync()));
  }
});

it('keeps the ack for a persistent session that subscribed and is offline when it is published', async () => {
  const device = await aPatientWithDevice(db.storage);
  const session = `${device.deviceId}-persistent`;
  const first = await connect(device, session, { clean: false });
  await first.subscribeAsync(topics.acks(device.deviceId), { qos: 1 });
  await first.endAsync();

  const publisher = await connect(device, device.deviceId);
  try {
    await publisher.publishAsync(topics.readings(device.deviceId), reading('while-away', 2), { qos: 1 });
  } finally {
    await publisher.endAsync();
  }
  // Back with the same session and no new SUBSCRIBE: the queued ack is delivered.
  const back = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: session, username: device.deviceId, password: device.secret, protocolVersion: 4, reconnectPeriod: 0, clean: false });
  const seen = acksOf(back);
  try {
    expect(await until(() => (seen.length > 0 ? seen : undefined), 'the queued ack')).toEqual(['while-away']);
  } finally {
    await back.endAsync();
  }
});

it('stores and PUBACKs the messages of a device that never subscribed, and acks those after it subscribes', async () => {
  const device = await aPatientWithDevice(db.storage);
  const client = await connect(device, device.deviceId);
  const seen = acksOf(client);
  try {
    await client.publishAsync(topics.readings(device.deviceId), reading('before', 3), { qos: 1 });
    await client.subscribeAsync(topics.acks(device.deviceId), { qos: 1 });
    await client.publishAsync(topics.readings(device.deviceId), reading('after', 4), { qos: 1 });
    expect(await until(() => (seen.length > 0 ? seen : undefined), 'the ack')).toEqual(['after']);
    const stored = await db.storage.readings.inRange(device.patientId, { from: new Date('2026-11-07T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') });
    expect(stored.map((r) => r.measuredAt.toISOString()).sort()).toEqual(['2026-11-07T08:03:00.000Z', '2026-11-07T08:04:00.000Z']);
  } finally {
    await client.endAsync();
  }
});
