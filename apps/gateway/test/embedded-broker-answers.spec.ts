// The embedded broker answers every QoS 1 message and keeps the connection: a publish refused
// for its topic is recorded, acknowledged and forwarded to no one, and it does not cost the
// PUBACKs of the messages that arrived in the same TCP chunk. Real PostgreSQL, real sockets.
import mqtt from 'mqtt';
import { topics } from '@homeward/contracts';
import type { RealDatabase } from '@homeward/testing';
import { aPatientWithDevice, anEmbeddedGateway, spo2 } from './gateway-device.fixture';
import { RawMqttConnection, is, mqttPackets } from './raw-mqtt.client';

let db: RealDatabase;
let port: number;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, port, close } = await anEmbeddedGateway('broker-answers'));
}, 60_000);
afterAll(async () => close?.());

it('PUBACKs every message of one TCP chunk, a refused topic among them, and keeps the connection', async () => {
  const [a, b] = [await aPatientWithDevice(db.storage), await aPatientWithDevice(db.storage)];
  // B listens on its own readings topic: a refused publish into it must not reach it.
  const listener = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: b.deviceId, username: b.deviceId, password: b.secret, protocolVersion: 4, reconnectPeriod: 0 });
  const seenByB: string[] = [];
  listener.on('message', (_topic, payload) => seenByB.push(payload.toString()));
  await listener.subscribeAsync(topics.readings(b.deviceId), { qos: 1 });

  const raw = await RawMqttConnection.open(port);
  try {
    raw.write(mqttPackets.connect(a.deviceId, a.deviceId, a.secret));
    expect((await raw.waitFor(is.connack)).returnCode).toBe(0);
    raw.write(mqttPackets.subscribe(1, topics.acks(a.deviceId), 1));
    expect((await raw.waitFor(is.suback)).granted).toBe(1);

    // Six QoS 1 PUBLISH packets in one write, so aedes reads and handles them as one batch.
    const chunk = Buffer.concat([
      mqttPackets.publish({ topic: topics.readings(a.deviceId), qos: 1, id: 11, payload: spo2(95, '2026-11-05T08:00:00Z') }),
      mqttPackets.publish({ topic: topics.readings(b.deviceId), qos: 1, id: 12, payload: spo2(80, '2026-11-05T08:01:00Z') }), // another device's topic
      mqttPackets.publish({ topic: topics.readings(a.deviceId), qos: 1, id: 13, payload: spo2(96, '2026-11-05T08:02:00Z') }),
      mqttPackets.publish({ topic: topics.readings(a.deviceId), qos: 1, id: 14, payload: '{"readings": [' }), // unparseable
      mqttPackets.publish({ topic: topics.acks(a.deviceId), qos: 1, id: 15, payload: '{}' }), // its own acks topic: the broker's to write
      mqttPackets.publish({ topic: 'not/a/homeward/topic', qos: 1, id: 16, payload: 'x' }),
    ]);
    raw.write(chunk);
    for (const id of [11, 12, 13, 14, 15, 16]) await raw.waitFor(is.puback(id));
    // Still connected: a ping is answered.
    raw.write(mqttPackets.pingreq);
    await raw.waitFor(is.pingresp);
    expect(raw.closedAt).toBeUndefined();

    const stored = await db.storage.readings.inRange(a.patientId, { from: new Date('2026-11-05T00:00:00Z'), to: new Date('2026-11-06T00:00:00Z') });
    expect(stored.map((r) => r.value).sort()).toEqual([95, 96]);
    expect(await db.storage.readings.inRange(b.patientId, { from: new Date(0), to: new Date('2100-01-01') })).toEqual([]);

    // Each refusal is kept for inspection with its reason, under the device that sent it.
    const kept = await db.storage.rejected.list({ deviceId: a.deviceId, limit: 20 });
    expect(kept.map((k) => k.reasonCode).sort()).toEqual(['payload.bad-json', 'topic.not-allowed', 'topic.not-allowed', 'topic.not-allowed']);
    expect(kept.filter((k) => k.reasonCode === 'topic.not-allowed').map((k) => k.topic).sort()).toEqual(
      [topics.acks(a.deviceId), topics.readings(b.deviceId), 'not/a/homeward/topic'].sort(),
    );

    // …and the device is told why on its acks topic.
    const acks = await raw.until(() => {
      const bodies = raw.received.flatMap((p) => (p.type === 'publish' && p.topic === topics.acks(a.deviceId) ? [JSON.parse(p.payload.toString()) as { status: string; rejected: Array<{ code: string }> }] : []));
      return bodies.length >= 6 ? bodies : undefined;
    });
    expect(acks.filter((ack) => ack.status === 'accepted')).toHaveLength(2);
    expect(acks.flatMap((ack) => ack.rejected.map((r) => r.code)).sort()).toEqual(['payload.bad-json', 'topic.not-allowed', 'topic.not-allowed', 'topic.not-allowed']);

    // B publishes to its own topic afterwards; what it receives shows the refused message never reached it.
    await listener.publishAsync(topics.readings(b.deviceId), spo2(97, '2026-11-05T09:00:00Z'), { qos: 1 });
    await raw.until(() => (seenByB.length > 0 ? true : undefined));
    expect(seenByB).toEqual([spo2(97, '2026-11-05T09:00:00Z')]);
  } finally {
    raw.close();
    await listener.endAsync();
  }
});

it('lets an MQTT.js client go on after a refused publish: later messages are stored on the same connection', async () => {
  const [a, b] = [await aPatientWithDevice(db.storage), await aPatientWithDevice(db.storage)];
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: a.deviceId, username: a.deviceId, password: a.secret, protocolVersion: 4, reconnectPeriod: 0 });
  let closes = 0;
  client.on('close', () => closes++);
  try {
    await client.publishAsync(topics.readings(b.deviceId), spo2(80, '2026-11-06T08:00:00Z'), { qos: 1 });
    await client.publishAsync(topics.readings(a.deviceId), spo2(94, '2026-11-06T08:01:00Z'), { qos: 1 });
    expect(closes).toBe(0);
    const stored = await db.storage.readings.inRange(a.patientId, { from: new Date('2026-11-06T00:00:00Z'), to: new Date('2026-11-07T00:00:00Z') });
    expect(stored.map((r) => r.value)).toEqual([94]);
  } finally {
    await client.endAsync();
  }
});
