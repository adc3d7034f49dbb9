// `startGateway` with metrics: connections counted from the embedded broker over real sockets,
// and the broker side reported down (readiness, homeward_mqtt_broker_up) once it stops listening.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { HomewardMetrics } from '@homeward/observability';
import { type Storage, prepare } from '@homeward/storage';
import { PgliteDatabase } from '@homeward/storage/pglite';
import { aValidNhsNumber } from '@homeward/testing';
import { generateDeviceSecret, hashDeviceSecret } from '@homeward/auth';
import { startGateway } from '../src/gateway';

let storage: Storage;
let dataDir: string;
beforeAll(async () => {
  storage = await prepare(await PgliteDatabase.create({ timescale: false }), { mode: 'embedded' });
  dataDir = await mkdtemp(join(tmpdir(), 'homeward-gateway-obs-'));
});
afterAll(async () => {
  await storage?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const sample = async (metrics: HomewardMetrics, series: string) => {
  const line = (await metrics.exposition()).body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

it('counts device connections, and reports the embedded broker down once it stops listening', async () => {
  const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Obs', familyName: 'Gateway', dateOfBirth: '1950-01-01' });
  const secret = generateDeviceSecret();
  const device = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: `OBS-${Date.now()}`, patientId: patient.id, credentialsHash: await hashDeviceSecret(secret) });
  const metrics = new HomewardMetrics({ processMetrics: false });
  const gateway = await startGateway({
    storage,
    config: { mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0, tls: undefined, wsPort: undefined, external: undefined, maxPayloadBytes: 65536 }, ingest: { maxClockSkewMs: 300_000 }, ble: { enabled: false }, database: { dataDir } },
    log: () => undefined,
    metrics,
  });
  try {
    expect(gateway.brokerProblem()).toBeUndefined();
    expect(await sample(metrics, 'homeward_mqtt_broker_up')).toBe(1);
    expect(await sample(metrics, 'homeward_mqtt_connections')).toBe(0);

    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.broker?.ports.mqtt}`, { clientId: device.id, username: device.id, password: secret, protocolVersion: 4, reconnectPeriod: 0 });
    expect(await sample(metrics, 'homeward_mqtt_connections')).toBe(1);
    await client.endAsync();

    await gateway.broker?.close();
    expect(gateway.brokerProblem()).toBe('the embedded MQTT broker is not listening');
    expect(await sample(metrics, 'homeward_mqtt_broker_up')).toBe(0);
  } finally {
    await gateway.close(); // closing the stopped broker again is harmless
  }
});
