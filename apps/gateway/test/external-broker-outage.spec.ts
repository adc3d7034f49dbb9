// The external-broker consumer through a database outage: a Mosquitto this test starts on a free
// port, the gateway as its MQTT 5 client (shared subscription, persistent session), and a real
// PostgreSQL reached through a TCP proxy the test cuts (connections reset, new ones refused) and
// restores. While cut, a message is retried on the same connection with its PUBACK withheld; past
// the retry limit the connection is dropped unacknowledged and Mosquitto redelivers it. Either
// way it is stored exactly once and never acknowledged before it is.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient, type Packet } from 'mqtt';
import { topics } from '@homeward/contracts';
import { IngestPipeline } from '@homeward/ingest';
import { PgDatabase, type Storage, freePort, prepare } from '@homeward/storage';
import { type RealDatabase, realDatabase } from '@homeward/testing';
import { DeviceActivityTracker } from '../src/mqtt/device-activity.tracker';
import { DeviceDirectory } from '../src/mqtt/device-directory';
import { DeviceMessageHandler } from '../src/mqtt/device-message.handler';
import { type ExternalConsumer, startExternalConsumer } from '../src/mqtt/external-broker.consumer';
import type { StoreRetryPolicy } from '../src/mqtt/store-retry.policy';
import { type CuttableProxy, startCuttableProxy } from './cuttable-tcp.proxy';
import { type RegisteredDevice, aPatientWithDevice, spo2 } from './gateway-device.fixture';

let db: RealDatabase;
let proxy: CuttableProxy;
let gatewayStorage: Storage;
let activity: DeviceActivityTracker;
let directory: DeviceDirectory;
let mosquitto: ChildProcess;
let mosquittoDir: string;
let brokerPort: number;
const logged: string[] = [];
const clients: MqttClient[] = [];

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

beforeAll(async () => {
  db = await realDatabase();
  mosquittoDir = await mkdtemp(join(tmpdir(), 'homeward-external-outage-'));
  brokerPort = await freePort();
  await writeFile(join(mosquittoDir, 'mosquitto.conf'), `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  mosquitto = spawn('mosquitto', ['-c', join(mosquittoDir, 'mosquitto.conf')], { stdio: 'ignore' });
  mosquitto.once('error', (error) => logged.push(`this test runs its own Mosquitto (apt-get install mosquitto): ${error.message}`));
  await eventually(async () => ((await portOpen(brokerPort)) ? true : undefined), 10_000);

  proxy = await startCuttableProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
  const viaProxy = new URL(db.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  gatewayStorage = await prepare(new PgDatabase({ connectionString: viaProxy.toString(), maxConnections: 4, onIdleError: () => undefined }), { mode: 'server' });
  // No directory cache: every look-up goes to the store, so the outage is felt at once.
  directory = new DeviceDirectory(gatewayStorage.registry, { ttlMs: 0, followedTtlMs: 0 });
  activity = new DeviceActivityTracker(gatewayStorage.registry, 5_000, () => undefined);
}, 60_000);
afterEach(() => proxy.restore()); // a failed test must not leave the next one without a store
afterAll(async () => {
  for (const client of clients) client.end(true);
  mosquitto?.kill('SIGTERM');
  await directory?.close();
  await activity?.close().catch(() => undefined);
  await gatewayStorage?.close().catch(() => undefined);
  await proxy?.close();
  await db?.dispose();
  await rm(mosquittoDir, { recursive: true, force: true });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms; log:\n${logged.slice(-20).join('\n')}`);
    await pause(100);
  }
}

/** A gateway consuming from the test's Mosquitto, counting the PUBACKs it sends and its disconnections. */
async function aConsumer(group: string, storeRetry: StoreRetryPolicy): Promise<{ consumer: ExternalConsumer; pubacks: () => number; closes: () => number }> {
  const pipeline = new IngestPipeline(gatewayStorage, { maxClockSkewMs: 300_000 });
  const consumer = await startExternalConsumer({
    external: { url: `mqtt://127.0.0.1:${brokerPort}`, username: undefined, password: undefined, sharedGroup: group, clientId: `gateway-${group}` },
    handler: new DeviceMessageHandler(pipeline, directory, gatewayStorage.registry, activity, 4096),
    log: (message) => logged.push(message),
    storeRetry,
  });
  let pubacks = 0;
  let closes = 0;
  consumer.client.on('packetsend', (packet: Packet) => {
    if (packet.cmd === 'puback') pubacks++;
  });
  consumer.client.on('close', () => closes++);
  return { consumer, pubacks: () => pubacks, closes: () => closes };
}

async function aDevice(device: RegisteredDevice): Promise<MqttClient> {
  // The external broker authenticates devices; this one lets anyone in, so the device id is the client id.
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { clientId: device.deviceId, protocolVersion: 4, reconnectPeriod: 200 });
  clients.push(client);
  return client;
}

const readingsOf = (device: RegisteredDevice, day: string) =>
  db.storage.readings.inRange(device.patientId, { from: new Date(`${day}T00:00:00Z`), to: new Date(`${day}T23:59:59Z`) });

it('retries a message on the same connection while the store is down, PUBACK withheld, and stores it once when it is back', async () => {
  const device = await aPatientWithDevice(db.storage);
  const { consumer, pubacks, closes } = await aConsumer('outage', { initialDelayMs: 100, maxDelayMs: 400, giveUpAfterMs: 120_000 });
  try {
    const publisher = await aDevice(device);
    await publisher.publishAsync(topics.readings(device.deviceId), spo2(95, '2026-11-10T08:00:00Z'), { qos: 1 });
    await eventually(async () => ((await readingsOf(device, '2026-11-10')).length === 1 ? true : undefined));
    await eventually(async () => (pubacks() === 1 ? true : undefined));

    proxy.cut();
    await publisher.publishAsync(topics.readings(device.deviceId), spo2(93, '2026-11-10T08:05:00Z'), { qos: 1 }); // Mosquitto has it
    await eventually(async () => (logged.filter((line) => line.includes(`could not store a message from device ${device.deviceId}`) && line.includes('PUBACK withheld')).length > 0 ? true : undefined));
    await pause(1_500); // bounded wait on real I/O: retries run every ≤ 400 ms meanwhile
    expect(pubacks()).toBe(1); // the second is not acknowledged while it is not stored
    expect(closes()).toBe(0); // and the consumer kept its connection

    proxy.restore();
    await eventually(async () => (pubacks() === 2 ? true : undefined));
    expect(closes()).toBe(0);
    expect((await readingsOf(device, '2026-11-10')).map((r) => r.value)).toEqual([95, 93]);
  } finally {
    await consumer.close();
  }
}, 60_000);

it('past the retry limit drops the connection unacknowledged; the broker redelivers and the reading is stored once', async () => {
  const device = await aPatientWithDevice(db.storage);
  const { consumer, pubacks, closes } = await aConsumer('impatient', { initialDelayMs: 100, maxDelayMs: 200, giveUpAfterMs: 1_000 });
  try {
    const publisher = await aDevice(device);
    proxy.cut();
    await publisher.publishAsync(topics.readings(device.deviceId), spo2(91, '2026-11-11T08:00:00Z'), { qos: 1 });
    await eventually(async () => (logged.some((line) => line.includes(`could not store a message from device ${device.deviceId}`) && line.includes('gave up retrying')) ? true : undefined));
    await eventually(async () => (closes() >= 1 ? true : undefined));
    expect(pubacks()).toBe(0);

    proxy.restore();
    // MQTT.js reconnects on the persistent session; Mosquitto sends the unacknowledged message again.
    await eventually(async () => (pubacks() === 1 ? true : undefined));
    expect((await readingsOf(device, '2026-11-11')).map((r) => r.value)).toEqual([91]);
    await pause(500); // nothing further arrives: it was acknowledged once, after its commit
    expect((await readingsOf(device, '2026-11-11')).map((r) => r.value)).toEqual([91]);
  } finally {
    await consumer.close();
  }
}, 60_000);
