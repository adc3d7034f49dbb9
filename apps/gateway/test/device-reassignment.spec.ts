// A device reassigned to another patient while two gateways run on one database: the registry
// change reaches both gateways' device caches through PostgreSQL (migration 0009's NOTIFY), so the
// next reading through either is filed under the new patient. Real PostgreSQL, real MQTT sockets.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import { generateDeviceSecret, hashDeviceSecret } from '@homeward/auth';
import { PgDatabase, type Storage, prepare } from '@homeward/storage';
import { aValidNhsNumber, realDatabase } from '@homeward/testing';
import { registryBleDirectory } from '../src/ble';
import { DeviceDirectory } from '../src/mqtt/device-directory';
import { type Gateway, startGateway } from '../src/gateway';

const day = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };

describe('device reassignment across gateways', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let dataDir: string;
  const gateways: Gateway[] = [];
  const storages: Storage[] = [];
  const clients: MqttClient[] = [];

  /** A gateway process of its own in all but name: its own pool and LISTEN connection. */
  const aGateway = async (name: string): Promise<Gateway> => {
    const storage = await prepare(new PgDatabase({ connectionString: db.url, applicationName: name }), { mode: 'server' });
    storages.push(storage);
    const gateway = await startGateway({
      storage,
      config: { mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0, tls: undefined, wsPort: undefined, external: undefined, maxPayloadBytes: 65536 }, ingest: { maxClockSkewMs: 300_000 }, ble: { enabled: false }, database: { dataDir } },
      log: () => undefined,
    });
    gateways.push(gateway);
    return gateway;
  };

  beforeAll(async () => {
    db = await realDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'homeward-reassign-'));
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    for (const gateway of gateways) await gateway.close();
    for (const storage of storages) await storage.close();
    await db?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  const aPatient = async () => (await db.storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Re', familyName: 'Assign', dateOfBirth: '1950-01-01' })).id;
  const aDevice = async (patientId: string) => {
    const secret = generateDeviceSecret();
    const device = await db.storage.registry.registerDevice({ type: 'pulse-oximeter', serial: `RA-${Date.now()}-${Math.random()}`, patientId, credentialsHash: await hashDeviceSecret(secret) });
    return { id: device.id, secret };
  };
  const connect = async (gateway: Gateway, device: { id: string; secret: string }, suffix: string) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.broker?.ports.mqtt}`, { clientId: `${device.id}-${suffix}`, username: device.id, password: device.secret, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  };
  /** QoS 1: resolves on PUBACK, which the gateway sends after commit. */
  const send = (client: MqttClient, deviceId: string, value: number, deviceTime: string) =>
    client.publishAsync(topics.readings(deviceId), JSON.stringify({ readings: [{ vital: 'spo2', value, unit: '%', deviceTime }] }), { qos: 1 });
  const valuesOf = async (patientId: string) => (await db.storage.readings.inRange(patientId, day)).map((r) => r.value).sort();
  const heardBy = (gateway: Gateway, deviceId: string) =>
    new Promise<number>((resolve) => {
      const stop = gateway.devices.onChange((id) => {
        if (id !== deviceId) return;
        stop();
        resolve(performance.now());
      });
    });

  it('the next reading through either gateway is filed under the new patient', async () => {
    const [a, b] = [await aGateway('homeward-gw-a'), await aGateway('homeward-gw-b')];
    const [first, second] = [await aPatient(), await aPatient()];
    const device = await aDevice(first);
    const [viaA, viaB] = [await connect(a, device, 'a'), await connect(b, device, 'b')];

    // Both gateways have the device cached under the first patient.
    await send(viaA, device.id, 91, '2026-11-20T08:00:00Z');
    await send(viaB, device.id, 92, '2026-11-20T08:01:00Z');
    expect(await valuesOf(first)).toEqual([91, 92]);

    const heard = [heardBy(a, device.id), heardBy(b, device.id)];
    const committed = performance.now();
    await db.storage.registry.assignDevice(device.id, second);
    const latencies = (await Promise.all(heard)).map((at) => at - committed);
    // The notification reaches each gateway at commit; what is left is delivery (milliseconds).
    expect(Math.max(...latencies)).toBeLessThan(2_000);

    await send(viaA, device.id, 93, '2026-11-20T08:02:00Z');
    await send(viaB, device.id, 94, '2026-11-20T08:03:00Z');
    expect(await valuesOf(second)).toEqual([93, 94]);
    expect(await valuesOf(first)).toEqual([91, 92]);

    // Taken back from the patient: refused on both, nothing stored.
    const unassigned = [heardBy(a, device.id), heardBy(b, device.id)];
    await db.storage.registry.assignDevice(device.id, null);
    await Promise.all(unassigned);
    await send(viaA, device.id, 95, '2026-11-20T08:04:00Z');
    await send(viaB, device.id, 96, '2026-11-20T08:05:00Z');
    expect([...(await valuesOf(first)), ...(await valuesOf(second))]).toEqual([91, 92, 93, 94]);
    expect((await db.storage.rejected.list({ deviceId: device.id })).map((r) => r.reasonCode)).toEqual(['device.unassigned', 'device.unassigned']);
  });

  it('drops the whole cache when the LISTEN connection comes back, since changes may have been missed', async () => {
    const storage = await prepare(new PgDatabase({ connectionString: db.url, applicationName: 'homeward-reconnect' }), { mode: 'server' });
    storages.push(storage);
    const directory = new DeviceDirectory(storage.registry);
    expect(await directory.follow(storage.db)).toBe(true);
    try {
      const [first, second] = [await aPatient(), await aPatient()];
      const heard = new Set<string | undefined>();
      directory.onChange((id) => heard.add(id));
      const device = await aDevice(first);
      for (const deadline = Date.now() + 5_000; !heard.has(device.id) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      expect(heard.has(device.id)).toBe(true); // its INSERT was announced; from here the cache holds it
      expect((await directory.get(device.id))?.patientId).toBe(first);

      // The LISTEN connection is cut; a reassignment committed meanwhile is announced to no one.
      const { rows } = await db.storage.db.query<{ ok: boolean }>(
        "SELECT pg_terminate_backend(pid, 5000) AS ok FROM pg_stat_activity WHERE application_name = 'homeward-reconnect-listen' AND datname = current_database()",
      );
      expect(rows.map((r) => r.ok)).toEqual([true]);
      const reset = new Promise<void>((resolve) => directory.onChange((id) => id === undefined && resolve()));
      await db.storage.registry.assignDevice(device.id, second);
      expect((await directory.get(device.id))?.patientId).toBe(first); // stale until the LISTEN is back

      await reset; // the driver reconnects after a second and says "anything may have changed"
      expect((await directory.get(device.id))?.patientId).toBe(second);
    } finally {
      await directory.close();
    }
  });

  it('the BLE device list follows the same notifications: a reassigned BLE device is offered under its new patient', async () => {
    const directory = new DeviceDirectory(db.storage.registry);
    expect(await directory.follow(db.storage.db)).toBe(true);
    // A minute-long timer: only a notification can make the list change within this test.
    const ble = await registryBleDirectory(db.storage.registry, { refreshMs: 60_000, changes: (listener) => directory.onChange(listener) });
    try {
      const [first, second] = [await aPatient(), await aPatient()];
      const address = `c0:ff:ee:${[1, 2, 3].map(() => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join(':')}`;
      const device = await db.storage.registry.registerDevice({ type: 'weight-scale', serial: `BLE-${Date.now()}`, bleAddress: address, patientId: first });
      const patientAt = async () => (await ble.directory.byAddress(address))?.patientId;
      for (const deadline = Date.now() + 5_000; (await patientAt()) !== first && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      expect(await patientAt()).toBe(first);
      await db.storage.registry.assignDevice(device.id, second);
      for (const deadline = Date.now() + 5_000; (await patientAt()) !== second && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      expect(await patientAt()).toBe(second);
    } finally {
      ble.close();
      await directory.close();
    }
  });
});
