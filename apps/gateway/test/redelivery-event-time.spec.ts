// Redelivery never moves event time, over real MQTT into real PostgreSQL. A QoS 1 message whose
// PUBACK is withheld (its gateway's storage stalls, the gateway dies before commit) is redelivered
// with DUP minutes later, through another gateway: stored once, at the device's time, no clock
// flag. A message without device times but with a messageId is stored once when redelivered.
// Through an external broker (the machine's Mosquitto), the broker's own redelivery carries DUP.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import { generateDeviceSecret, hashDeviceSecret } from '@homeward/auth';
import { PgDatabase, type Storage, type StoredReading, prepare } from '@homeward/storage';
import { aValidNhsNumber, realDatabase } from '@homeward/testing';
import { type Gateway, startGateway } from '../src/gateway';
import { DEFAULT_BROKER_LIMITS } from '../src/mqtt/embedded-broker';

const MIN = 60_000;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('MQTT redelivery and event time', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let dataDir: string;
  const gateways: Gateway[] = [];
  const storages: Storage[] = [];
  const clients: MqttClient[] = [];

  const aGateway = async (name: string, external?: { url: string; sharedGroup: string }, storeRetryLimitMs?: number): Promise<Gateway> => {
    const storage = await prepare(new PgDatabase({ connectionString: db.url, applicationName: name }), { mode: 'server' });
    storages.push(storage);
    const mqttConfig = external
      ? {
          mode: 'external' as const,
          host: '127.0.0.1',
          port: 0,
          tls: undefined,
          wsPort: undefined,
          external: { ...external, username: undefined, password: undefined, clientId: name },
          maxPayloadBytes: 65536,
          ...(storeRetryLimitMs === undefined ? {} : { limits: { ...DEFAULT_BROKER_LIMITS, storeRetryLimitMs } }),
        }
      : { mode: 'embedded' as const, host: '127.0.0.1', port: 0, tls: undefined, wsPort: undefined, external: undefined, maxPayloadBytes: 65536 };
    const gateway = await startGateway({
      storage,
      config: { mqtt: mqttConfig, ingest: { maxClockSkewMs: 5 * MIN }, ble: { enabled: false }, database: { dataDir } },
      log: () => undefined,
    });
    gateways.push(gateway);
    return gateway;
  };
  const aDevice = async () => {
    const patient = await db.storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Re', familyName: 'Delivery', dateOfBirth: '1950-01-01' });
    const secret = generateDeviceSecret();
    const device = await db.storage.registry.registerDevice({ type: 'pulse-oximeter', serial: `DUP-${Date.now()}-${Math.random()}`, patientId: patient.id, credentialsHash: await hashDeviceSecret(secret) });
    return { id: device.id, secret, patientId: patient.id };
  };
  const connect = async (gateway: Gateway, device: { id: string; secret: string }, suffix: string) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.broker?.ports.mqtt}`, { clientId: `${device.id}-${suffix}`, username: device.id, password: device.secret, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  };
  const everything = (patientId: string): Promise<StoredReading[]> => db.storage.readings.inRange(patientId, { from: new Date(Date.now() - 24 * 60 * MIN), to: new Date(Date.now() + 60 * MIN) });

  beforeAll(async () => {
    db = await realDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'homeward-redelivery-'));
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    for (const gateway of gateways) await gateway.close();
    for (const storage of storages) await storage.close();
    await db?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a message redelivered with DUP minutes after its PUBACK was withheld is stored once, at the device time, unflagged', async () => {
    const [dying, survivor] = [await aGateway('homeward-dup-dying'), await aGateway('homeward-dup-survivor')];
    const device = await aDevice();
    // Sent 7 minutes before the redelivery arrives, by a device whose clock is right.
    const now = Date.now();
    const deviceTime = new Date(now - 7 * MIN - 10_000);
    const payload = JSON.stringify({ messageId: 'dup-1', sentAt: new Date(now - 7 * MIN).toISOString(), readings: [{ vital: 'spo2', value: 94, unit: '%', deviceTime: deviceTime.toISOString() }] });

    // Storage stalls: reading_keys locked, so the dying gateway's insert waits and no PUBACK goes out.
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = () => undefined as void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const lock = db.storage.db.transaction(async (tx) => {
      await tx.query('LOCK TABLE reading_keys IN EXCLUSIVE MODE');
      locked();
      await held;
    });
    await isLocked;
    const first = await connect(dying, device, 'first');
    let acknowledged = false;
    first.publishAsync(topics.readings(device.id), payload, { qos: 1 }).then(
      () => (acknowledged = true),
      () => undefined,
    );
    const waiting = await until('the insert to wait on the lock', async () => {
      const { rows } = await db.storage.db.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'homeward-dup-dying' AND wait_event_type = 'Lock'");
      return rows.length > 0 && rows;
    });
    expect(acknowledged).toBe(false);

    // The device gives up on that connection; the gateway dies mid-insert.
    first.end(true);
    for (const { pid } of waiting) await db.storage.db.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
    await dying.close();
    release();
    await lock;
    expect(acknowledged).toBe(false);
    expect(await everything(device.patientId)).toEqual([]);

    // The redelivery: same bytes, DUP set, through another gateway.
    const again = await connect(survivor, device, 'again');
    await again.publishAsync(topics.readings(device.id), payload, { qos: 1, dup: true });
    const rows = await everything(device.patientId);
    expect(rows.map((r) => [r.measuredAt.toISOString(), r.deviceTime?.toISOString(), r.status])).toEqual([[deviceTime.toISOString(), deviceTime.toISOString(), []]]);
    expect(rows[0]!.receivedAt.getTime()).toBeGreaterThanOrEqual(now);

    // And once more (its PUBACK lost too): a duplicate, nothing changes.
    await again.publishAsync(topics.readings(device.id), payload, { qos: 1, dup: true });
    expect((await everything(device.patientId)).map((r) => r.id)).toEqual(rows.map((r) => r.id));

    // Without DUP, a sentAt 7 minutes behind on a first delivery reads as a slow clock (over the
    // 5-minute bound): what the DUP flag above prevented.
    const control = await aDevice();
    const controlClient = await connect(survivor, control, 'control');
    await controlClient.publishAsync(topics.readings(control.id), payload, { qos: 1 });
    const [corrected] = await everything(control.patientId);
    expect([...(corrected?.status ?? [])].sort()).toEqual(['clock-corrected', 'clock-skewed']);
    expect(corrected!.measuredAt.getTime()).toBeGreaterThan(deviceTime.getTime() + 6 * MIN);
  });

  it('a message without device times but with a messageId is stored once when redelivered, through any gateway', async () => {
    const [a, b] = [await aGateway('homeward-dup-a'), await aGateway('homeward-dup-b')];
    const device = await aDevice();
    const payload = JSON.stringify({ messageId: 'no-clock-1', readings: [{ vital: 'spo2', value: 96, unit: '%' }, { vital: 'heart_rate', value: 70, unit: '/min' }] });
    await (await connect(a, device, 'a')).publishAsync(topics.readings(device.id), payload, { qos: 1 });
    const stored = await everything(device.patientId);
    expect(stored.map((r) => [r.vital, r.status])).toEqual(expect.arrayContaining([['spo2', ['clock-unset']], ['heart_rate', ['clock-unset']]]));
    await new Promise((r) => setTimeout(r, 50)); // a later receipt time, which used to make a new key
    await (await connect(b, device, 'b')).publishAsync(topics.readings(device.id), payload, { qos: 1, dup: true });
    expect((await everything(device.patientId)).map((r) => r.id).sort()).toEqual(stored.map((r) => r.id).sort());

    // A new message with the same values is a new measurement.
    await (await connect(a, device, 'a2')).publishAsync(topics.readings(device.id), payload.replace('no-clock-1', 'no-clock-2'), { qos: 1 });
    expect(await everything(device.patientId)).toHaveLength(4);
  });

  // Through an external broker the device's own DUP is not passed on (MQTT 3.1.1 §3.3.1.1); what
  // reaches the gateway with DUP is the broker's redelivery of a message the gateway took and did
  // not acknowledge. Needs the machine's Mosquitto on 127.0.0.1:1883 (anonymous), as the hub tests do.
  it('external broker: a message the gateway failed to store is redelivered by the broker with DUP and keeps its measured time', async () => {
    const run = randomUUID().slice(0, 8);
    // No retrying on the connection (the consumer's default while the store is down): this test is
    // about what the broker's DUP redelivery does, so the first failure drops the connection.
    const gateway = await aGateway(`homeward-dup-ext-${run}`, { url: 'mqtt://127.0.0.1:1883', sharedGroup: `hwdup${run}` }, 0);
    const device = await aDevice();
    const now = Date.now();
    const deviceTime = new Date(now - 7 * MIN - 10_000);
    const payload = JSON.stringify({ messageId: 'ext-1', sentAt: new Date(now - 7 * MIN).toISOString(), readings: [{ vital: 'spo2', value: 93, unit: '%', deviceTime: deviceTime.toISOString() }] });

    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = () => undefined as void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const lock = db.storage.db.transaction(async (tx) => {
      await tx.query('LOCK TABLE reading_keys IN EXCLUSIVE MODE');
      locked();
      await held;
    });
    await isLocked;
    const sender = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId: `dup-sender-${run}`, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(sender);
    await sender.publishAsync(topics.readings(device.id), payload, { qos: 1 }); // the broker has it
    const waiting = await until('the insert to wait on the lock', async () => {
      const { rows } = await db.storage.db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = $2', [`homeward-dup-ext-${run}`, 'Lock']);
      return rows.length > 0 && rows;
    });
    // The store fails under the gateway: it drops its broker connection unacknowledged, and the
    // broker redelivers on its session when it reconnects (a second later).
    for (const { pid } of waiting) await db.storage.db.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
    release();
    await lock;
    const rows = await until('the redelivery to be stored', async () => {
      const found = await everything(device.patientId);
      return found.length > 0 && found;
    });
    expect(rows.map((r) => [r.measuredAt.toISOString(), r.status])).toEqual([[deviceTime.toISOString(), []]]);
    expect(gateway.external?.client.connected).toBe(true);
  });
});
