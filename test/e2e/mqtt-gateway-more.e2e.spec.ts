import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { topics } from '@homeward/contracts';
import { PgDatabase, freePort, prepare, startEmbeddedPostgres } from '@homeward/storage';
import { aPatientWithDevice, connectDevice, endDeviceClients, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers } from './homeward-process';

afterEach(() => endDeviceClients());

const exec = promisify(execFile);
afterEach(() => killLeftovers());

describe('MQTT protocol paths', () => {
  it('acknowledges QoS 2 after commit, reports on the acks topic to mosquitto_sub, and serves TLS and WebSocket listeners', async () => {
    const db = await realDatabase();
    const certDir = mkdtempSync(join(tmpdir(), 'homeward-tls-'));
    try {
      await exec('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')]);
      const [tlsPort, wsPort] = [await freePort(), await freePort()];
      const homeward = await startHomeward(db.url, {
        HOMEWARD_MQTT_TLS_CERT: join(certDir, 'cert.pem'),
        HOMEWARD_MQTT_TLS_KEY: join(certDir, 'key.pem'),
        HOMEWARD_MQTT_TLS_PORT: String(tlsPort),
        HOMEWARD_MQTT_WS_PORT: String(wsPort),
      });
      const device = await aPatientWithDevice(db.storage);

      // mosquitto_sub watches the device's acks while mosquitto_pub sends at QoS 2 over TLS.
      const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(homeward.mqttPort), '-i', `${device.deviceId}-sub`, '-u', device.deviceId, '-P', device.secret, '-t', topics.acks(device.deviceId), '-C', '1', '-W', '20']);
      const subExited = new Promise((resolve) => sub.once('exit', resolve));
      let acks = '';
      sub.stdout.on('data', (chunk: Buffer) => (acks += chunk.toString()));
      await new Promise((r) => setTimeout(r, 500)); // let the subscription settle before publishing
      await exec('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(tlsPort), '--cafile', join(certDir, 'cert.pem'), '--insecure', '-i', device.deviceId, '-u', device.deviceId, '-P', device.secret, '-q', '2', '-t', topics.readings(device.deviceId), '-m', JSON.stringify({ messageId: 'q2', readings: [{ vital: 'body_temperature', value: 100.4, unit: '[degF]', deviceTime: '2026-11-20T10:00:00Z' }] })]);
      expect((await db.storage.readings.latestPerVital(device.patientId)).map((r) => [r.vital, r.value, r.unit])).toEqual([['body_temperature', 38, 'Cel']]);
      await subExited;
      expect(JSON.parse(acks)).toEqual({ messageId: 'q2', status: 'accepted', stored: 1, duplicates: 0, rejected: [] });

      // A browser-based patient app over WebSocket.
      const ws = await new Promise<mqtt.MqttClient>((resolve, reject) => {
        const client = mqtt.connect(`ws://127.0.0.1:${wsPort}`, { clientId: `${device.deviceId}-app`, username: device.deviceId, password: device.secret, reconnectPeriod: 0 });
        client.once('connect', () => resolve(client));
        client.once('error', reject);
      });
      await ws.publishAsync(topics.readings(device.deviceId), JSON.stringify({ readings: [{ vital: 'spo2', value: 95, unit: '%', deviceTime: '2026-11-20T10:05:00Z' }] }), { qos: 1 });
      expect((await db.storage.readings.latestPerVital(device.patientId, { vitals: ['spo2'] })).map((r) => r.value)).toEqual([95]);
      ws.end(true);
    } finally {
      await killLeftovers();
      rmSync(certDir, { recursive: true, force: true });
      await db.dispose();
    }
  });

  it('keeps serving other devices while one sends random garbage, and keeps every bad payload', async () => {
    const db = await realDatabase();
    try {
      const homeward = await startHomeward(db.url);
      const [fuzzer, neighbour] = [await aPatientWithDevice(db.storage), await aPatientWithDevice(db.storage)];
      const fuzz = await connectDevice(homeward.mqttPort, fuzzer);
      const good = await connectDevice(homeward.mqttPort, neighbour);
      const payloads = fc.sample(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string().map((s) => Buffer.from(s)),
          fc.json().map((s) => Buffer.from(s)),
          fc.record({ readings: fc.array(fc.record({ vital: fc.constantFrom('spo2', 'heart_rate', 'nope'), value: fc.oneof(fc.double(), fc.constant(Number.NaN)), unit: fc.string() }), { maxLength: 3 }) }).map((o) => Buffer.from(JSON.stringify(o))),
          fc.record({ frames: fc.array(fc.record({ characteristic: fc.constantFrom('2A35', '2A5E', '2A9D', 'ffff'), hex: fc.uint8Array({ minLength: 1, maxLength: 24 }).map((b) => Buffer.from(b).toString('hex')) }), { maxLength: 2 }) }).map((o) => Buffer.from(JSON.stringify(o))),
        ),
        { numRuns: 150, seed: 20261122 },
      );
      let neighbourSent = 0;
      for (const [i, payload] of payloads.entries()) {
        await fuzz.publishAsync(topics.readings(fuzzer.deviceId), Buffer.from(payload), { qos: 1 });
        if (i % 10 === 0) {
          await good.publishAsync(topics.readings(neighbour.deviceId), JSON.stringify({ readings: [{ vital: 'heart_rate', value: 70, unit: '/min', deviceTime: new Date(Date.UTC(2026, 10, 2, 0, i)).toISOString() }] }), { qos: 1 });
          neighbourSent++;
        }
      }
      // Every fuzz message was acknowledged (after commit); each is either stored or kept as rejected.
      const rejected = await db.storage.rejected.list({ deviceId: fuzzer.deviceId, limit: 1000 });
      const stored = await db.storage.readings.inRange(fuzzer.patientId, { from: new Date(0), to: new Date('2100-01-01') });
      expect(rejected.length + stored.length).toBeGreaterThan(0);
      expect(rejected.length).toBeGreaterThanOrEqual(payloads.length - stored.length - 10);
      for (const kept of rejected) expect(kept.reasonCode).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+$/);
      expect(await db.storage.readings.inRange(neighbour.patientId, { from: new Date(0), to: new Date('2100-01-01') })).toHaveLength(neighbourSent);
      fuzz.end(true);
      good.end(true);
    } finally {
      await killLeftovers();
      await db.dispose();
    }
  });
});

describe('PostgreSQL restart', () => {
  it('acknowledges nothing while the database is down, and loses nothing acknowledged', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'homeward-pg-restart-'));
    const pgPort = await freePort();
    let pg = await startEmbeddedPostgres({ dataDir, port: pgPort });
    const storage = await prepare(new PgDatabase({ connectionString: pg.connectionString, maxConnections: 2 }), { mode: 'server' });
    try {
      const device = await aPatientWithDevice(storage);
      const homeward = await startHomeward(pg.connectionString);
      const client = await connectDevice(homeward.mqttPort, device, { reconnectPeriod: 200, clean: false });
      client.on('error', () => undefined);
      const acked: number[] = [];
      const send = async (i: number) => {
        await client.publishAsync(topics.readings(device.deviceId), JSON.stringify({ readings: [{ vital: 'spo2', value: 90 + (i % 10), unit: '%', deviceTime: new Date(Date.UTC(2026, 10, 3, 0, i)).toISOString() }] }), { qos: 1 });
        acked.push(i);
      };
      for (let i = 0; i < 5; i++) await send(i);
      await pg.stop();
      const whileDown = send(5); // must not be acknowledged while PostgreSQL is down
      await new Promise((r) => setTimeout(r, 2_000));
      expect(acked).toEqual([0, 1, 2, 3, 4]);
      if (homeward.process.child.exitCode !== null) throw new Error(`homeward died while PostgreSQL was down:\n${homeward.process.stderr().slice(-4000)}`);
      pg = await startEmbeddedPostgres({ dataDir, port: pgPort });
      await Promise.race([
        whileDown,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`not acknowledged 60 s after PostgreSQL came back:\n${homeward.process.stderr().slice(-3000)}`)), 60_000).unref()),
      ]);
      for (let i = 6; i < 10; i++) await send(i);
      const rows = await eventually(async () => {
        const r = await storage.readings.inRange(device.patientId, { from: new Date('2026-11-03T00:00:00Z'), to: new Date('2026-11-04T00:00:00Z') }).catch(() => []);
        return r.length === 10 ? r : undefined;
      });
      expect(rows.map((r) => r.measuredAt.getUTCMinutes())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      client.end(true);
    } finally {
      await killLeftovers();
      await storage.close().catch(() => undefined);
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('external-broker mode (the Mosquitto on 127.0.0.1:1883)', () => {
  const mosquittoUp = async () => {
    try {
      await exec('mosquitto_pub', ['-h', '127.0.0.1', '-p', '1883', '-t', 'homeward/probe', '-m', 'x']);
      return true;
    } catch {
      return false;
    }
  };

  it('consumes device topics from the external broker with a shared subscription and stores the readings', async () => {
    if (!(await mosquittoUp())) {
      throw new Error('No Mosquitto on 127.0.0.1:1883: this test needs the local broker (apt-get install mosquitto)');
    }
    const db = await realDatabase();
    try {
      const group = `hw${randomUUID().slice(0, 8)}`;
      await startHomeward(db.url, { HOMEWARD_MQTT_MODE: 'external', HOMEWARD_MQTT_EXTERNAL_URL: 'mqtt://127.0.0.1:1883', HOMEWARD_MQTT_SHARED_GROUP: group });
      const device = await aPatientWithDevice(db.storage);
      const acks = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', '1883', '-t', topics.acks(device.deviceId), '-C', '1', '-W', '20']);
      const acksExited = new Promise((resolve) => acks.once('exit', resolve));
      let ack = '';
      acks.stdout.on('data', (chunk: Buffer) => (ack += chunk.toString()));
      await new Promise((r) => setTimeout(r, 300));
      await exec('mosquitto_pub', ['-h', '127.0.0.1', '-p', '1883', '-q', '1', '-t', topics.readings(device.deviceId), '-m', JSON.stringify({ messageId: 'ext-1', readings: [{ vital: 'heart_rate', value: 64, unit: '/min', deviceTime: '2026-11-20T06:00:00Z' }] })]);
      const rows = await eventually(async () => {
        const r = await db.storage.readings.latestPerVital(device.patientId);
        return r.length > 0 ? r : undefined;
      });
      expect(rows.map((r) => [r.vital, r.value, r.source])).toEqual([['heart_rate', 64, 'mqtt']]);
      await acksExited;
      expect(JSON.parse(ack)).toMatchObject({ messageId: 'ext-1', status: 'accepted', stored: 1 });
    } finally {
      await killLeftovers();
      await db.dispose();
    }
  });
});
