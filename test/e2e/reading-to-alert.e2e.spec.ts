import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import { aPatientWithDevice, connectDevice, endDeviceClients, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers } from './homeward-process';

afterEach(() => endDeviceClients());

// Issue 5's "done when": readings published to the gateway become the expected alerts within a
// second, end to end, with `homeward start` running as a real process (broker, pipeline, engine).
describe('from a published reading to an alert', () => {
  afterAll(() => killLeftovers());

  it('raises a low SpO2 alert within a second of the PUBACK, once, and updates it on a repeat', async () => {
    const db = await realDatabase();
    try {
      const homeward = await startHomeward(db.url);
      const device = await aPatientWithDevice(db.storage);
      const ward = await db.storage.registry.createWard(`Ward ${randomUUID().slice(0, 8)}`);
      await db.storage.registry.admit({ patientId: device.patientId, wardId: ward.id, pathway: 'general' });
      const client = await connectDevice(homeward.mqttPort, device);

      const now = Date.now();
      const publish = (minutesAgo: number, spo2: number) =>
        client.publishAsync(
          topics.readings(device.deviceId),
          JSON.stringify({ readings: [{ vital: 'spo2', value: spo2, unit: '%', deviceTime: new Date(now - minutesAgo * 60_000).toISOString() }] }),
          { qos: 1 },
        );

      await publish(10, 97); // normal: no alert
      await publish(5, 88); // scores 3 on NEWS2 scale 1
      const acknowledgedAt = Date.now();
      const raised = await eventually(async () => {
        const open = await db.storage.alerts.openForWards([ward.id]);
        return open.length >= 2 ? open : undefined;
      }, 5_000);
      const latencyMs = Date.now() - acknowledgedAt;
      expect(latencyMs).toBeLessThan(1_000 + 100); // one poll interval of slack for the test's own polling
      // Two alerts, each once: the SpO2 threshold (88 %) and the (partial) NEWS2 band (SpO2 scores 3).
      expect(raised.map((a) => [a.rule, a.latestValue, a.occurrences, a.state]).sort()).toEqual([
        ['news2-band', 3, 1, 'open'],
        ['vital-threshold', 88, 1, 'open'],
      ]);
      const alert = raised.find((a) => a.rule === 'vital-threshold');
      expect(alert).toMatchObject({ patientId: device.patientId, wardId: ward.id });
      expect(alert?.explanation).toMatch(/SpO2/i);

      await publish(1, 87); // a repeat in the same episode updates the open alert
      const updated = await eventually(async () => {
        const open = await db.storage.alerts.openForWards([ward.id]);
        const same = open.find((a) => a.id === alert?.id);
        return same && same.latestValue === 87 ? open : undefined;
      }, 5_000);
      expect(updated.filter((a) => a.rule === alert?.rule && a.subject === alert?.subject)).toHaveLength(1);
      client.end(true);
    } finally {
      await killLeftovers();
      await db.dispose();
    }
  });
});

describe('restarting Homeward in the middle of a stream', () => {
  afterAll(() => killLeftovers());

  it('leaves no reading unevaluated and raises no alert twice (SIGKILL, restart, resend)', async () => {
    const db = await realDatabase();
    let clients: MqttClient[] = [];
    try {
      let homeward = await startHomeward(db.url);
      const ports = { mqtt: homeward.mqttPort, api: homeward.apiPort };
      const ward = await db.storage.registry.createWard(`Ward ${randomUUID().slice(0, 8)}`);
      const devices = await Promise.all([0, 1, 2].map(() => aPatientWithDevice(db.storage)));
      for (const d of devices) await db.storage.registry.admit({ patientId: d.patientId, wardId: ward.id, pathway: 'general' });
      const start = Date.now() - 60 * 60_000;
      // Every device is connected before any publishes, so the kill below lands mid-stream and
      // never in the middle of a CONNECT.
      clients = await Promise.all(devices.map((device) => connectDevice(ports.mqtt, device, { reconnectPeriod: 200, clean: false })));
      const streams = devices.map(async (device, d) => {
        const client = clients[d]!;
        client.on('error', () => undefined);
        for (let i = 0; i < 40; i++) {
          // Every fourth reading is low: one SpO2 episode per patient, with repeats.
          const spo2 = i % 4 === 0 ? 88 : 97;
          await client.publishAsync(
            topics.readings(device.deviceId),
            JSON.stringify({ readings: [{ vital: 'spo2', value: spo2, unit: '%', deviceTime: new Date(start + i * 60_000).toISOString() }] }),
            { qos: 1 },
          );
          await new Promise((r) => setTimeout(r, 15));
        }
        client.end(true);
      });
      await eventually(async () => (await db.storage.alerts.openForWards([ward.id])).length > 0, 20_000);
      homeward.process.child.kill('SIGKILL');
      await homeward.process.exited;
      homeward = await startHomeward(db.url, {}, ports);
      await Promise.all(streams);

      // Every committed reading is evaluated: the engine's cursor reaches the last one.
      const last = await db.storage.db.query<{ txid: string; id: string }>('SELECT txid::text AS txid, id::text AS id FROM readings ORDER BY readings.txid DESC, readings.id DESC LIMIT 1');
      await eventually(async () => {
        const cursor = await db.storage.alerts.readCursor('rules-engine');
        return cursor.txid === last.rows[0]?.txid && cursor.id === last.rows[0]?.id;
      }, 20_000);
      // …and the late lane's (the first readings were measured an hour before they arrived).
      await eventually(async () => (await db.storage.partitions.unevaluated('rules-engine', undefined, new Date())).length === 0, 20_000);
      const alerts = await db.storage.alerts.openForWards([ward.id]);
      for (const device of devices) {
        const mine = alerts.filter((a) => a.patientId === device.patientId);
        const keys = mine.map((a) => `${a.rule}|${a.subject}`);
        expect(new Set(keys).size).toBe(keys.length); // no alert twice for one episode
        const threshold = mine.find((a) => a.rule === 'vital-threshold');
        expect(threshold?.occurrences).toBe(10); // each of the 10 low readings counted exactly once
      }
    } finally {
      for (const client of clients) client.end(true); // no reconnect timers outlive the test
      await killLeftovers();
      await db.dispose();
    }
  });
});
