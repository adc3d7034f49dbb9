import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import { encodeBloodPressureMeasurement } from '@homeward/gatt';
import { hashDeviceSecret } from '@homeward/gateway';
import type { Storage } from '@homeward/storage';
import { type StartedHomeward, type TestDevice, aPatientWithDevice, connectDevice, endDeviceClients, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers, runHomeward } from './homeward-process';

afterEach(() => endDeviceClients());

const exec = promisify(execFile);
const year = '2026-11-20';

// The device gateway as devices meet it: Homeward's embedded broker over real sockets, with
// Debian's mosquitto clients and MQTT.js, storing into real PostgreSQL.
describe('embedded MQTT broker and ingest pipeline', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let storage: Storage;
  let homeward: StartedHomeward;

  beforeAll(async () => {
    db = await realDatabase();
    storage = db.storage;
    homeward = await startHomeward(db.url);
  });
  afterAll(async () => {
    await killLeftovers();
    await db?.dispose();
  });

  const mosquittoPub = (device: TestDevice, payload: string, extra: string[] = []) =>
    exec('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(homeward.mqttPort), '-i', device.deviceId, '-u', device.deviceId, '-P', device.secret, '-q', '1', '-t', topics.readings(device.deviceId), '-m', payload, ...extra]);

  it('stores a reading published with mosquitto_pub using credentials from `homeward device add`, with codes and canonical units', async () => {
    const patient = await aPatientWithDevice(storage); // a patient to attach the new device to
    const added = runHomeward(['device', 'add', '--patient', patient.patientId, '--type', 'blood-pressure-monitor'], { DATABASE_URL: db.url });
    expect(await added.exited).toBe(0);
    const credentials = JSON.parse(added.stdout()) as { deviceId: string; mqtt: { username: string; password: string; publish: string } };
    expect(credentials.mqtt.username).toBe(credentials.deviceId);
    const device = { patientId: patient.patientId, deviceId: credentials.deviceId, secret: credentials.mqtt.password };

    await mosquittoPub(device, JSON.stringify({ readings: [{ vital: 'systolic_bp', value: 16, unit: 'kPa', deviceTime: `${year}T08:00:00Z` }, { vital: 'diastolic_bp', value: 80, unit: 'mmHg', deviceTime: `${year}T08:00:00Z` }] }));
    // QoS 1 PUBACK is sent only after commit, so the rows are there as soon as mosquitto_pub returns.
    const rows = await storage.readings.inRange(patient.patientId, { from: new Date(`${year}T00:00:00Z`), to: new Date(`${year}T23:59:59Z`) });
    expect(rows.map((r) => [r.vital, r.value, r.unit, r.source, r.deviceId])).toEqual([
      ['diastolic_bp', 80, 'mm[Hg]', 'mqtt', device.deviceId],
      ['systolic_bp', 120, 'mm[Hg]', 'mqtt', device.deviceId],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))) as unknown[][]);
  });

  it('decodes raw GATT frames sent by a simple hub', async () => {
    const device = await aPatientWithDevice(storage, 'hub');
    const hex = Buffer.from(encodeBloodPressureMeasurement({ unit: 'mmHg', systolic: 142, diastolic: 91, meanArterialPressure: 108, timestamp: null, pulseRate: 77, userId: null, status: null })).toString('hex');
    await mosquittoPub(device, JSON.stringify({ frames: [{ characteristic: '2A35', hex, deviceTime: `${year}T09:30:00Z` }] }));
    const rows = await storage.readings.latestPerVital(device.patientId);
    expect(rows.map((r) => [r.vital, r.value])).toEqual([
      ['diastolic_bp', 91],
      ['heart_rate', 77],
      ['mean_arterial_pressure', 108],
      ['systolic_bp', 142],
    ]);
  });

  it('rejects bad input with a reason the sender sees on its acks topic, and keeps it in rejected_messages', async () => {
    const device = await aPatientWithDevice(storage);
    const listener = await connectDevice(homeward.mqttPort, { deviceId: `${device.deviceId}-acks`, secret: device.secret }, { username: device.deviceId });
    const acks: Array<{ status: string; rejected: Array<{ code: string; message: string }> }> = [];
    listener.on('message', (_topic, payload) => acks.push(JSON.parse(payload.toString())));
    await listener.subscribeAsync(topics.acks(device.deviceId), { qos: 1 });

    const bad = ['{"readings": [', JSON.stringify({ readings: [{ vital: 'spo2', value: 101, unit: '%' }] }), JSON.stringify({ frames: [{ characteristic: '2A35', hex: '1e78' }] }), JSON.stringify({ readings: [{ vital: 'mood', value: 3, unit: '1' }], extra: true })];
    for (const payload of bad) await mosquittoPub(device, payload);

    await eventually(async () => acks.length >= bad.length);
    expect(acks.map((a) => [a.status, a.rejected[0]?.code])).toEqual([
      ['rejected', 'payload.bad-json'],
      ['rejected', 'reading.implausible'],
      ['rejected', 'gatt.truncated'],
      ['rejected', 'payload.invalid'],
    ]);
    const kept = await storage.rejected.list({ deviceId: device.deviceId });
    expect(kept.map((k) => k.reasonCode).sort()).toEqual(['gatt.truncated', 'payload.bad-json', 'payload.invalid', 'reading.implausible']);
    expect(kept.find((k) => k.reasonCode === 'payload.bad-json')?.payload).toEqual(new Uint8Array(Buffer.from('{"readings": [')));
    expect(await storage.readings.latestPerVital(device.patientId)).toEqual([]);
    listener.end(true);
  });

  it('stores a redelivered or replayed reading once and acknowledges it as a duplicate', async () => {
    const device = await aPatientWithDevice(storage);
    const body = JSON.stringify({ readings: [{ vital: 'body_weight', value: 81.4, unit: 'kg', deviceTime: `${year}T07:00:00Z` }] });
    await mosquittoPub(device, body);
    await mosquittoPub(device, body);
    await mosquittoPub(device, body, ['-d']);
    const rows = await storage.readings.inRange(device.patientId, { from: new Date(`${year}T00:00:00Z`), to: new Date(`${year}T23:59:59Z`) });
    expect(rows).toHaveLength(1);
  });

  it('refuses anonymous clients, bad secrets, other devices\' topics and wildcard subscriptions', async () => {
    const a = await aPatientWithDevice(storage);
    const b = await aPatientWithDevice(storage);
    await expect(exec('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(homeward.mqttPort), '-q', '1', '-t', topics.readings(a.deviceId), '-m', '{}'])).rejects.toThrow(/not authori[sz]ed/i);
    await expect(connectDevice(homeward.mqttPort, { deviceId: a.deviceId, secret: 'wrong' })).rejects.toThrow(/Bad username or password/i);
    await expect(connectDevice(homeward.mqttPort, { deviceId: `${b.deviceId}`, secret: a.secret }, { username: a.deviceId })).rejects.toThrow(/Identifier rejected/i);

    const client = await connectDevice(homeward.mqttPort, a);
    for (const topic of ['#', '$SYS/#', topics.acks(b.deviceId), 'homeward/v1/devices/+/readings']) {
      // SUBACK failure (0x80), which MQTT.js reports as a subscribe error; the connection stays.
      await expect(client.subscribeAsync(topic, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    }
    expect((await client.subscribeAsync(topics.acks(a.deviceId), { qos: 1 }))[0]?.qos).toBe(1);
    // Publishing into another device's topic stores nothing there: it is acknowledged (so it is not
    // resent forever), kept as a topic.not-allowed refusal, answered on the sender's acks topic,
    // and the connection stays.
    let closes = 0;
    client.on('close', () => closes++);
    const refusal = new Promise<string>((resolve) => client.once('message', (_topic, payload) => resolve(payload.toString())));
    await client.publishAsync(topics.readings(b.deviceId), JSON.stringify({ readings: [{ vital: 'spo2', value: 90, unit: '%' }] }), { qos: 1 });
    expect(JSON.parse(await refusal)).toMatchObject({ status: 'rejected', rejected: [{ code: 'topic.not-allowed' }] });
    expect(await storage.readings.latestPerVital(b.patientId)).toEqual([]);
    expect((await storage.rejected.list({ deviceId: a.deviceId, limit: 5 })).map((r) => r.reasonCode)).toContain('topic.not-allowed');
    expect(closes).toBe(0);
    client.end(true);
  });

  it('lets a home hub forward readings for its own patient\'s devices, and no one else\'s', async () => {
    const oximeter = await aPatientWithDevice(storage);
    const stranger = await aPatientWithDevice(storage);
    const secret = 'hub-secret-for-test-0123456789';
    const hub = await storage.registry.registerDevice({ type: 'hub', serial: `hub-${oximeter.deviceId}`, patientId: oximeter.patientId, credentialsHash: await hashDeviceSecret(secret) });
    const client = await connectDevice(homeward.mqttPort, { deviceId: hub.id, secret });
    await client.publishAsync(topics.readings(oximeter.deviceId), JSON.stringify({ readings: [{ vital: 'spo2', value: 96, unit: '%', deviceTime: `${year}T11:00:00Z` }] }), { qos: 1 });
    const [stored] = await storage.readings.latestPerVital(oximeter.patientId);
    expect(stored).toMatchObject({ vital: 'spo2', value: 96, deviceId: oximeter.deviceId });
    // Another patient's device: acknowledged and refused (kept as topic.not-allowed), nothing stored, still connected.
    let closes = 0;
    client.on('close', () => closes++);
    await client.publishAsync(topics.readings(stranger.deviceId), JSON.stringify({ readings: [{ vital: 'spo2', value: 90, unit: '%' }] }), { qos: 1 });
    expect(await storage.readings.latestPerVital(stranger.patientId)).toEqual([]);
    expect((await storage.rejected.list({ deviceId: hub.id, limit: 5 })).map((r) => r.reasonCode)).toEqual(['topic.not-allowed']);
    expect(closes).toBe(0);
    client.end(true);
  });

  it('rate-limits failed logins per address', async () => {
    const device = await aPatientWithDevice(storage);
    // Earlier tests failed logins from this address too: within five more failures it is blocked.
    const refusals: string[] = [];
    for (let i = 0; i < 5 && !refusals.includes('blocked'); i++) {
      const error = (await connectDevice(homeward.mqttPort, { deviceId: device.deviceId, secret: `wrong-${i}` }).catch((e: Error) => e)) as Error;
      refusals.push(/Bad username or password/i.test(error.message) ? 'bad-secret' : /Not authorized/i.test(error.message) ? 'blocked' : error.message);
    }
    expect(refusals.every((r) => r === 'bad-secret' || r === 'blocked')).toBe(true);
    // Now even the right secret is refused from this address for a while.
    await expect(connectDevice(homeward.mqttPort, device)).rejects.toThrow(/Not authorized/i);
  });
});

describe('nothing acknowledged is lost', () => {
  it('SIGKILL mid-stream of QoS 1 publishes from many clients: every PUBACKed reading is stored exactly once after restart and resend', async () => {
    const db = await realDatabase();
    let clients: MqttClient[] = [];
    try {
      const devices = await Promise.all(Array.from({ length: 8 }, () => aPatientWithDevice(db.storage)));
      let homeward = await startHomeward(db.url);
      const ports = { mqtt: homeward.mqttPort, api: homeward.apiPort };
      const acked = new Set<string>();
      const perDevice = 60;
      // Every device is connected before any publishes, so the kill lands mid-stream, not mid-CONNECT.
      clients = await Promise.all(devices.map((device) => connectDevice(ports.mqtt, device, { reconnectPeriod: 300, clean: false })));
      // Each device publishes its readings one after another, QoS 1, and resends whatever was not
      // acknowledged after reconnecting (MQTT.js keeps unacknowledged packets in its outgoing store).
      const streams = devices.map(async (device, d) => {
        const client = clients[d]!;
        client.on('error', () => undefined);
        for (let i = 0; i < perDevice; i++) {
          const key = `${d}:${i}`;
          const body = JSON.stringify({ readings: [{ vital: 'heart_rate', value: 60 + (i % 40), unit: '/min', deviceTime: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString() }] });
          await client.publishAsync(topics.readings(device.deviceId), body, { qos: 1 });
          acked.add(key);
          await new Promise((resolve) => setTimeout(resolve, 10)); // a steady stream, so the kill lands mid-way
        }
      });
      await eventually(async () => acked.size >= 100, 30_000);
      homeward.process.child.kill('SIGKILL');
      expect(acked.size).toBeLessThan(devices.length * perDevice); // the kill really is mid-stream
      await homeward.process.exited;
      const ackedAtKill = new Set(acked);
      homeward = await startHomeward(db.url, {}, ports);
      await Promise.all(streams);

      for (const [d, device] of devices.entries()) {
        const rows = await db.storage.readings.inRange(device.patientId, { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T00:00:00Z') });
        const minutes = rows.map((r) => r.measuredAt.getUTCMinutes());
        expect(new Set(minutes).size).toBe(rows.length); // exactly once
        for (let i = 0; i < perDevice; i++) if (ackedAtKill.has(`${d}:${i}`)) expect(minutes).toContain(i);
        expect(rows).toHaveLength(perDevice); // and the resends completed the stream
      }
      homeward.process.child.kill('SIGINT');
      expect(await homeward.process.exited).toBe(0);
    } finally {
      for (const client of clients) client.end(true); // no reconnect timers outlive the test
      await killLeftovers();
      await db.dispose();
    }
  });
});
