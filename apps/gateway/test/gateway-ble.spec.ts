// `startGateway` with HOMEWARD_BLE on: the BLE source is composed with the ingest pipeline and a
// device list read from the registry, and the real noble central runs over the simulated radio.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedPulseOximeter, SimulatedRadio } from '@homeward/device-simulators';
import { aValidNhsNumber } from '@homeward/testing';
import { type Storage, prepare } from '@homeward/storage';
import { PgliteDatabase } from '@homeward/storage/pglite';
import { NobleBleCentral, nobleWithBindings } from '../src/ble';
import { startGateway } from '../src/gateway';

let storage: Storage;
let dataDir: string;
beforeAll(async () => {
  storage = await prepare(await PgliteDatabase.create({ timescale: false }), { mode: 'embedded' });
  dataDir = await mkdtemp(join(tmpdir(), 'homeward-gateway-ble-'));
});
afterAll(async () => {
  await storage?.close();
  await rm(dataDir, { recursive: true, force: true });
});

it('stores readings from a registered Bluetooth oximeter, and ignores one that is not registered', async () => {
  const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Ada', familyName: 'Ble', dateOfBirth: '1950-01-01' });
  const radio = new SimulatedRadio({ advertisingIntervalMs: 20 });
  const registered = new SimulatedPulseOximeter({ address: 'c0:ff:ee:00:00:01', serial: 'OX-GW-1' });
  const stranger = new SimulatedPulseOximeter({ address: 'c0:ff:ee:00:00:02', serial: 'OX-GW-2' });
  registered.spotCheck({ spo2: 93, pulseRate: 91 });
  stranger.spotCheck({ spo2: 80, pulseRate: 120 });
  const device = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: 'OX-GW-1', bleAddress: registered.address, patientId: patient.id });
  radio.add(registered.peripheral);
  radio.add(stranger.peripheral);

  const gateway = await startGateway({
    storage,
    config: { mqtt: { mode: 'off', host: '127.0.0.1', port: 0, tls: undefined, wsPort: undefined, external: undefined, maxPayloadBytes: 65536 }, ingest: { maxClockSkewMs: 300_000 }, ble: { enabled: true }, database: { dataDir } },
    log: () => undefined,
    bleCentral: () => new NobleBleCentral(nobleWithBindings(radio)),
  });
  try {
    const deadline = Date.now() + 20_000;
    let latest = await storage.readings.latestPerVital(patient.id);
    while (latest.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      latest = await storage.readings.latestPerVital(patient.id);
    }
    expect(latest.map((r) => [r.vital, r.value, r.source, r.deviceId])).toEqual([
      ['heart_rate', 91, 'ble', device.id],
      ['spo2', 93, 'ble', device.id],
    ]);
    const { rows } = await storage.db.query<{ n: number }>("SELECT count(*)::int AS n FROM readings WHERE value IN (80, 120) AND source = 'ble'");
    expect(rows[0]?.n).toBe(0);
  } finally {
    await gateway.close();
    radio.close();
  }
});
