import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { hashSecret } from '@homeward/auth';
import { type DeviceType, parseNhsNumber } from '@homeward/domain';
import { type Gateway, hashDeviceSecret, generateDeviceSecret, startGateway } from '@homeward/gateway';
import { type Storage, freePort } from '@homeward/storage';
import { aValidNhsNumber } from '@homeward/testing';
import { type HomewardProcess, runHomeward, waitForHttp } from './homeward-process';

export { realDatabase } from '@homeward/testing';

export interface StartedHomeward {
  readonly process: HomewardProcess;
  readonly mqttPort: number;
  readonly apiPort: number;
}

export async function startHomeward(
  databaseUrl: string,
  env: Record<string, string> = {},
  ports?: { mqtt: number; api: number },
  args: readonly string[] = [],
): Promise<StartedHomeward> {
  const mqttPort = ports?.mqtt ?? (await freePort());
  const apiPort = ports?.api ?? (await freePort());
  const process = runHomeward(['start', ...args], {
    DATABASE_URL: databaseUrl,
    HOMEWARD_MQTT_PORT: String(mqttPort),
    HOMEWARD_MQTT_WS_PORT: '-1',
    HOMEWARD_API_PORT: String(apiPort),
    ...env,
  });
  await waitForHttp(`http://127.0.0.1:${apiPort}/health`, process);
  return { process, mqttPort, apiPort };
}

export interface TestDevice {
  readonly patientId: string;
  readonly deviceId: string;
  readonly secret: string;
}

/** A patient with one registered device and its secret, written straight to the store. */
export async function aPatientWithDevice(storage: Storage, type: DeviceType = 'pulse-oximeter'): Promise<TestDevice> {
  const nhs = parseNhsNumber(aValidNhsNumber({ testRange: true }));
  if (!nhs.ok) throw new Error('builder made a bad NHS number');
  const patient = await storage.registry.createPatient({ nhsNumber: nhs.value, givenName: 'Test', familyName: randomUUID(), dateOfBirth: '1950-05-05' });
  const secret = generateDeviceSecret();
  const device = await storage.registry.registerDevice({ type, serial: randomUUID(), patientId: patient.id, credentialsHash: await hashDeviceSecret(secret) });
  return { patientId: patient.id, deviceId: device.id, secret };
}

const connected = new Set<MqttClient>();

/** Ends every device client a test opened, so no reconnect timer outlives its test. */
export function endDeviceClients(): void {
  for (const client of connected) client.end(true);
  connected.clear();
}

/** An MQTT.js client connected as a device (or refused, which rejects). */
export function connectDevice(port: number, device: Pick<TestDevice, 'deviceId' | 'secret'>, options: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      clientId: device.deviceId,
      username: device.deviceId,
      password: device.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...options,
    });
    const refused = (error: Error) => {
      client.end(true);
      reject(error);
    };
    const closed = () => refused(new Error('connection closed before CONNACK'));
    client.once('error', refused);
    client.once('close', closed);
    client.once('connect', () => {
      // From here on errors and closes are the test's business (reconnects, kills).
      client.off('error', refused);
      client.off('close', closed);
      connected.add(client);
      resolve(client);
    });
  });
}

/** Polls until check() returns a truthy value; bounded. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The gateway in this process with its embedded broker on a free port, on `storage`; close() stops it and removes its data folder. */
export async function anInProcessGateway(storage: Storage, name: string, maxClockSkewMs = 300_000): Promise<{ gateway: Gateway; mqttPort: number; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `homeward-${name}-`));
  const gateway = await startGateway({
    storage,
    config: {
      mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0, tls: undefined, wsPort: undefined, external: undefined, maxPayloadBytes: 65536 },
      ingest: { maxClockSkewMs },
      ble: { enabled: false },
      database: { dataDir },
    },
    log: () => undefined,
  });
  return {
    gateway,
    mqttPort: gateway.broker?.ports.mqtt ?? 0,
    close: async () => {
      await gateway.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A nurse of the ward, written straight to the store and signed in over HTTP at `api`: the bearer token. */
export async function aSignedInNurse(storage: Storage, api: string, wardId: string): Promise<string> {
  const email = `nurse-${randomUUID().slice(0, 8)}@example.nhs.uk`;
  const user = await storage.registry.createUser({ email, displayName: 'Nurse', role: 'nurse', passwordHash: await hashSecret('a long test password') });
  await storage.registry.addWardMember(wardId, user.id);
  const signIn = await fetch(`${api}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'a long test password' }) });
  return ((await signIn.json()) as { token: string }).token;
}
