import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedPulseOximeter, SimulatedRadio } from '@homeward/device-simulators';
import { NobleBleCentral, hashDeviceSecret, nobleWithBindings, startHub } from '@homeward/gateway';
import { freePort } from '@homeward/storage';
import { aPatientWithDevice, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers, runHomeward } from './homeward-process';

// Hub mode end to end: a simulated oximeter at home → the hub's BLE source (real noble over the
// simulated radio) → its durable queue → MQTT, as the hub → Homeward's embedded broker in its own
// process → stored under the oximeter's id. The hub starts while Homeward is down and catches up.
describe('hub mode', () => {
  afterAll(() => killLeftovers());

  it('`homeward hub` refuses incomplete settings and a bad devices file with reasons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeward-hub-cli-'));
    try {
      const partial = runHomeward(['hub'], { HOMEWARD_DATA_DIR: dir, HOMEWARD_HUB_UPSTREAM_URL: 'mqtt://127.0.0.1:1883' });
      expect(await partial.exited).toBe(2);
      expect(partial.stderr()).toMatch(/HOMEWARD_HUB_DEVICE_ID=: is needed too/);
      writeFileSync(join(dir, 'devices.json'), JSON.stringify({ devices: [{ deviceId: 'not-an-id', serial: 'OX-1' }] }));
      const env = {
        HOMEWARD_DATA_DIR: dir,
        HOMEWARD_HUB_UPSTREAM_URL: 'mqtt://127.0.0.1:1883',
        HOMEWARD_HUB_DEVICE_ID: '59ce9b6c-0bae-46ef-a04e-1e9d6fd54661',
        HOMEWARD_HUB_SECRET: 'a-secret-long-enough-for-this',
        HOMEWARD_HUB_DEVICES_FILE: join(dir, 'devices.json'),
      };
      const bad = runHomeward(['hub'], env);
      expect(await bad.exited).toBe(2);
      expect(bad.stderr()).toMatch(/devices\[0\]\.deviceId deviceId must be the device id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('queues readings while the upstream gateway is unreachable and delivers them, once, when it comes up', async () => {
    const db = await realDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'homeward-hub-'));
    const radio = new SimulatedRadio({ advertisingIntervalMs: 20 });
    let hub: Awaited<ReturnType<typeof startHub>> | undefined;
    try {
      const oximeter = await aPatientWithDevice(db.storage);
      const secret = 'hub-secret-for-the-hub-mode-test';
      const hubDevice = await db.storage.registry.registerDevice({ type: 'hub', serial: `hub-${oximeter.deviceId}`, patientId: oximeter.patientId, credentialsHash: await hashDeviceSecret(secret) });
      const simulated = new SimulatedPulseOximeter({ address: 'c0:ff:ee:00:10:01', serial: 'OX-HUB-1' });
      simulated.spotCheck({ spo2: 92, pulseRate: 97 });
      radio.add(simulated.peripheral);

      const mqttPort = await freePort();
      hub = await startHub({
        upstream: { url: `mqtt://127.0.0.1:${mqttPort}`, deviceId: hubDevice.id, secret },
        devices: [{ deviceId: oximeter.deviceId, patientId: oximeter.patientId, type: 'pulse-oximeter', serial: 'OX-HUB-1', bleAddress: simulated.address }],
        queuePath: join(dir, 'queue.jsonl'),
        sequencesPath: join(dir, 'glucose.json'),
        central: new NobleBleCentral(nobleWithBindings(radio)),
        log: () => undefined,
      });
      const running = hub;
      await eventually(async () => running.queue.size >= 1, 20_000); // taken from the device, safe on disk
      expect(await db.storage.readings.latestPerVital(oximeter.patientId)).toEqual([]);

      await startHomeward(db.url, {}, { mqtt: mqttPort, api: await freePort() });
      const stored = await eventually(async () => {
        const rows = await db.storage.readings.latestPerVital(oximeter.patientId);
        return rows.length >= 2 ? rows : undefined;
      }, 30_000);
      // Filed under the oximeter, with the hub that relayed them recorded (FHIR gatewayDevice).
      expect(stored.map((r) => [r.vital, r.value, r.deviceId, r.source, r.gatewayId])).toEqual([
        ['heart_rate', 97, oximeter.deviceId, 'mqtt', hubDevice.id],
        ['spo2', 92, oximeter.deviceId, 'mqtt', hubDevice.id],
      ]);
      await eventually(async () => running.queue.size === 0, 10_000);
    } finally {
      await hub?.close();
      radio.close();
      await killLeftovers();
      await db.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
