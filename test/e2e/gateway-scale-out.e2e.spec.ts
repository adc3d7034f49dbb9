import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import type { Storage } from '@homeward/storage';
import { type StartedHomeward, type TestDevice, aPatientWithDevice, connectDevice, endDeviceClients, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers } from './homeward-process';
import { type ScratchRedis, scratchRedis } from './redis-fixture';

const opened: MqttClient[] = [];
afterEach(() => {
  endDeviceClients();
  for (const client of opened.splice(0)) client.end(true);
});

const day = '2026-11-21';
const READINGS_PER_DEVICE = 60;

interface Ack {
  readonly messageId: string | null;
  readonly status: string;
  readonly stored: number;
  readonly duplicates: number;
}

/** One SpO2 reading a minute from 08:00, message id = its index: distinct, so "stored once" is countable. */
const reading = (i: number) =>
  JSON.stringify({ messageId: `m${i}`, readings: [{ vital: 'spo2', value: 90 + (i % 9), unit: '%', deviceTime: new Date(Date.parse(`${day}T08:00:00Z`) + i * 60_000).toISOString() }] });

const storedOf = async (storage: Storage, patientId: string) =>
  storage.readings.inRange(patientId, { from: new Date(`${day}T00:00:00Z`), to: new Date(`${day}T23:59:59Z`), limit: 10_000 });

// Several gateway processes (`homeward start`, embedded broker) sharing MQTT state through a real
// Redis (aedes-persistence-redis + mqemitter-redis) and storing into one real PostgreSQL.
describe('gateway scale-out: three embedded-broker instances sharing sessions through Redis', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let redis: ScratchRedis;
  let storage: Storage;
  let instances: StartedHomeward[];

  beforeAll(async () => {
    redis = await scratchRedis();
    db = await realDatabase();
    storage = db.storage;
    instances = await Promise.all([0, 1, 2].map(() => startHomeward(db.url, { HOMEWARD_MQTT_REDIS_URL: redis.url })));
  }, 120_000);
  afterAll(async () => {
    await killLeftovers();
    await db?.dispose();
    await redis?.dispose();
  });

  const port = (i: number) => (instances[i] as StartedHomeward).mqttPort;

  it('says which Redis it shares sessions through', () => {
    for (const instance of instances) expect(instance.process.stderr()).toMatch(/sessions shared through Redis redis:\/\/127\.0\.0\.1:6379\/\d+/);
  });

  it('delivers across instances: acks published by one instance reach a subscriber on another, and retained status is seen from a third', async () => {
    const device = await aPatientWithDevice(storage);
    const listener = await connectDevice(port(1), { deviceId: `${device.deviceId}-acks`, secret: device.secret }, { username: device.deviceId });
    const acks: Ack[] = [];
    listener.on('message', (_topic, payload) => acks.push(JSON.parse(payload.toString()) as Ack));
    await listener.subscribeAsync(topics.acks(device.deviceId), { qos: 1 });

    const publisher = await connectDevice(port(0), device);
    await publisher.publishAsync(topics.readings(device.deviceId), reading(0), { qos: 1 });
    await publisher.publishAsync(topics.status(device.deviceId), JSON.stringify({ state: 'online', battery: 77 }), { qos: 1, retain: true });
    await eventually(async () => acks.length >= 1);
    expect(acks).toEqual([expect.objectContaining({ messageId: 'm0', status: 'accepted', stored: 1 })]);

    const watcher = await connectDevice(port(2), { deviceId: `${device.deviceId}-status`, secret: device.secret }, { username: device.deviceId });
    const statuses: string[] = [];
    watcher.on('message', (_topic, payload, packet) => statuses.push(`${packet.retain ? 'retained' : 'live'} ${payload.toString()}`));
    await watcher.subscribeAsync(topics.status(device.deviceId), { qos: 1 });
    await eventually(async () => statuses.length >= 1);
    expect(statuses).toEqual(['retained {"state":"online","battery":77}']);
  });

  it('resumes a QoS 1 persistent session on another instance after its first is SIGKILLed, loses nothing acknowledged, and stores every reading once', async () => {
    const a = await aPatientWithDevice(storage); // streams through instance 0, which is killed
    const b = await aPatientWithDevice(storage); // streams through instance 1 throughout
    const sessionId = `${a.deviceId}-acks`;
    // A persistent session (clean: false) subscribed at QoS 1 to device a's acks, on instance 0.
    const session = await connectDevice(port(0), { deviceId: sessionId, secret: a.secret }, { username: a.deviceId, clean: false });
    const seenBySession: Ack[] = [];
    session.on('message', (_topic, payload) => seenBySession.push(JSON.parse(payload.toString()) as Ack));
    await session.subscribeAsync(topics.acks(a.deviceId), { qos: 1 });

    const acknowledged = { a: new Set<number>(), b: new Set<number>() };
    const stream = async (client: MqttClient, device: TestDevice, done: Set<number>, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await client.publishAsync(topics.readings(device.deviceId), reading(i), { qos: 1 }); // resolves on PUBACK
        done.add(i);
      }
    };
    const streamB = connectDevice(port(1), b).then((client) => stream(client, b, acknowledged.b, 0, READINGS_PER_DEVICE));

    const publisherA = await connectDevice(port(0), a);
    const firstHalf = READINGS_PER_DEVICE / 2;
    await stream(publisherA, a, acknowledged.a, 0, firstHalf);
    // Sent but unacknowledged when the instance dies: a device keeps these and sends them again.
    const inFlight = [firstHalf, firstHalf + 1, firstHalf + 2];
    for (const i of inFlight) publisherA.publish(topics.readings(a.deviceId), reading(i), { qos: 1 }, (error) => (error ? undefined : acknowledged.a.add(i)));
    const sessionClosed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    const killedAt = Date.now();
    (instances[0] as StartedHomeward).process.child.kill('SIGKILL');
    await sessionClosed;
    publisherA.end(true);
    session.end(true);

    // Device a reconnects to another instance and sends everything not acknowledged, then the rest.
    const again = await connectDevice(port(1), a);
    await stream(again, a, acknowledged.a, firstHalf, READINGS_PER_DEVICE);
    await streamB;
    expect(acknowledged.a.size).toBe(READINGS_PER_DEVICE);
    expect(acknowledged.b.size).toBe(READINGS_PER_DEVICE);

    // The persistent session returns on a third instance: its subscription is there (session
    // present) and the acks queued while it was away arrive.
    const sessionAckCountBefore = seenBySession.length;
    const queued: Ack[] = [];
    const sessionPresent = await new Promise<boolean>((resolve, reject) => {
      const resumed = mqtt.connect(`mqtt://127.0.0.1:${port(2)}`, { clientId: sessionId, username: a.deviceId, password: a.secret, protocolVersion: 4, clean: false, reconnectPeriod: 0, connectTimeout: 10_000 });
      opened.push(resumed);
      // Listening before CONNACK: queued messages may follow it in the same TCP read.
      resumed.on('message', (_topic, payload) => queued.push(JSON.parse(payload.toString()) as Ack));
      resumed.once('connect', (connack) => resolve(connack.sessionPresent));
      resumed.once('error', reject);
    });
    const resumedWithin = await eventually(async () => (queued.some((q) => q.messageId === `m${READINGS_PER_DEVICE - 1}`) ? Date.now() - killedAt : false), 30_000);
    expect(sessionPresent).toBe(true);
    // Every readings message sent after the session dropped was acknowledged on the acks topic and
    // queued for the absent session: at least the re-sent and later ones, each at least once.
    const ids = new Set(queued.map((q) => q.messageId));
    for (let i = firstHalf + inFlight.length; i < READINGS_PER_DEVICE; i++) expect(ids.has(`m${i}`)).toBe(true);

    // Nothing acknowledged is lost, nothing is stored twice.
    const storedA = await storedOf(storage, a.patientId);
    const storedB = await storedOf(storage, b.patientId);
    expect(storedA).toHaveLength(READINGS_PER_DEVICE);
    expect(storedB).toHaveLength(READINGS_PER_DEVICE);
    expect(new Set(storedA.map((r) => r.measuredAt.getTime())).size).toBe(READINGS_PER_DEVICE);
    expect(new Set(storedB.map((r) => r.measuredAt.getTime())).size).toBe(READINGS_PER_DEVICE);
    process.stdout.write(
      `gateway failover: session resumed on another instance and received ${queued.length} queued acks (${sessionAckCountBefore} before the kill) ` +
        `${resumedWithin} ms after SIGKILL; stored ${storedA.length} + ${storedB.length} readings, ${READINGS_PER_DEVICE * 2} acknowledged\n`,
    );
  }, 120_000);
});
