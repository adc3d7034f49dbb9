import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type DeviceType, parseNhsNumber } from '@homeward/domain';
import { hashDeviceSecret, generateDeviceSecret } from '@homeward/gateway';
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
