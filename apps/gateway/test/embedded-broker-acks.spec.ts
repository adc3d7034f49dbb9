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

/** The messageIds of the acks a client receives on the device's acks topic, as they arrive (a `#` subscriber also gets its readings). */
function acksOf(client: MqttClient, deviceId: string): string[] {
  const seen: string[] = [];
  client.on('message', (topic, payload) => {
    if (topic === topics.acks(deviceId)) seen.push((JSON.parse(payload.toString()) as { messageId: string }).messageId);
  });
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

// One device per filter: a device is published acks once any of its clients matched its topic.
it.each([
  ['its acks topic', (id: string) => topics.acks(id)],
  ['all its topics (#)', (id: string) => `homeward/v1/devices/${id}/#`],
  ['acks/# (which covers acks itself)', (id: string) => `${topics.acks(id)}/#`],
])('delivers the ack to another client of the device subscribed to %s', async (_label, filter) => {
  const device = await aPatientWithDevice(db.storage);
  const listener = await connect(device, `${device.deviceId}-listener`);
  const publisher = await connect(device, device.deviceId);
  try {
    await listener.subscribeAsync(filter(device.deviceId), { qos: 1 });
    const seen = acksOf(listener, device.deviceId);
    await publisher.publishAsync(topics.readings(device.deviceId), reading('m1', 1), { qos: 1 });
    await publisher.publishAsync(topics.readings(device.deviceId), reading('m2', 2), { qos: 1 });
    expect(await until(() => (seen.length >= 2 ? seen : undefined), 'the acks')).toEqual(['m1', 'm2']);
  } finally {
    await Promise.all([listener, publisher].map((c) => c.endAsync()));
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
    await publisher.publishAsync(topics.readings(device.deviceId), reading('while-away', 5), { qos: 1 });
  } finally {
    await publisher.endAsync();
  }
  // Back with the same session and no new SUBSCRIBE: the queued ack is delivered.
  const back = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: session, username: device.deviceId, password: device.secret, protocolVersion: 4, reconnectPeriod: 0, clean: false });
  const seen = acksOf(back, device.deviceId);
  try {
    expect(await until(() => (seen.length > 0 ? seen : undefined), 'the queued ack')).toEqual(['while-away']);
  } finally {
    await back.endAsync();
  }
});

it('stores and PUBACKs the messages of a device that never subscribed, and acks those after it subscribes', async () => {
  const device = await aPatientWithDevice(db.storage);
  const client = await connect(device, device.deviceId);
  const seen = acksOf(client, device.deviceId);
  try {
    await client.publishAsync(topics.readings(device.deviceId), reading('before', 6), { qos: 1 });
    await client.subscribeAsync(topics.acks(device.deviceId), { qos: 1 });
    await client.publishAsync(topics.readings(device.deviceId), reading('after', 7), { qos: 1 });
    expect(await until(() => (seen.length > 0 ? seen : undefined), 'the ack')).toEqual(['after']);
    const stored = await db.storage.readings.inRange(device.patientId, { from: new Date('2026-11-07T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') });
    expect(stored.map((r) => r.measuredAt.toISOString()).sort()).toEqual(['2026-11-07T08:06:00.000Z', '2026-11-07T08:07:00.000Z']);
  } finally {
    await client.endAsync();
  }
});
