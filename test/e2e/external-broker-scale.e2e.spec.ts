import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import { type StartedHomeward, aPatientWithDevice, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers } from './homeward-process';

const exec = promisify(execFile);
const BROKER = 'mqtt://127.0.0.1:1883';
const READINGS = 60;
const day = '2026-11-21';

const connect = (options: mqtt.IClientOptions) =>
  new Promise<MqttClient>((resolve, reject) => {
    const client = mqtt.connect(BROKER, { reconnectPeriod: 0, connectTimeout: 10_000, ...options });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });

// External-broker mode at scale: two gateways consume one $share group on the machine's
// Mosquitto with persistent sessions under stable client ids (HOMEWARD_MQTT_CLIENT_ID). One is
// SIGKILLed mid-stream and comes back under the same id: what the broker queued for its session,
// and what it had taken but not acknowledged, is stored, once.
describe('external-broker mode at scale (the Mosquitto on 127.0.0.1:1883)', () => {
  afterAll(() => killLeftovers());

  it('two gateways share the stream; a gateway killed mid-stream resumes its session under its client id and nothing is lost or stored twice', async () => {
    try {
      await exec('mosquitto_pub', ['-h', '127.0.0.1', '-p', '1883', '-t', 'homeward/probe', '-m', 'x']);
    } catch {
      throw new Error('No Mosquitto on 127.0.0.1:1883: this test needs the local broker (apt-get install mosquitto)');
    }
    const db = await realDatabase();
    const run = randomUUID().slice(0, 8);
    const group = `hw${run}`;
    const ids = [`homeward-gateway-a-${run}`, `homeward-gateway-b-${run}`];
    const gatewayEnv = (clientId: string) => ({ HOMEWARD_MQTT_MODE: 'external', HOMEWARD_MQTT_EXTERNAL_URL: BROKER, HOMEWARD_MQTT_SHARED_GROUP: group, HOMEWARD_MQTT_CLIENT_ID: clientId });
    let device: MqttClient | undefined;
    try {
      const gateways: StartedHomeward[] = [await startHomeward(db.url, gatewayEnv(ids[0] as string)), await startHomeward(db.url, gatewayEnv(ids[1] as string))];
      const patient = await aPatientWithDevice(db.storage);
      device = await connect({ clientId: `${patient.deviceId}-${run}`, protocolVersion: 4 });
      const stored = async () =>
        db.storage.readings.inRange(patient.patientId, { from: new Date(`${day}T00:00:00Z`), to: new Date(`${day}T23:59:59Z`), limit: 10_000 });
      const publish = (i: number) =>
        (device as MqttClient).publishAsync(
          topics.readings(patient.deviceId),
          JSON.stringify({ messageId: `m${i}`, readings: [{ vital: 'heart_rate', value: 60 + (i % 30), unit: '/min', deviceTime: new Date(Date.parse(`${day}T06:00:00Z`) + i * 60_000).toISOString() }] }),
          { qos: 1 },
        );

      for (let i = 0; i < READINGS / 3; i++) await publish(i);
      await eventually(async () => ((await stored()).length >= READINGS / 3 ? true : undefined), 20_000);
      (gateways[0] as StartedHomeward).process.child.kill('SIGKILL');
      await (gateways[0] as StartedHomeward).process.exited;
      for (let i = READINGS / 3; i < READINGS; i++) await publish(i);
      // What the surviving gateway took is stored; what the broker queued for the dead one's session waits.
      await new Promise((r) => setTimeout(r, 1_000));
      const whileDown = (await stored()).length;

      const restartedAt = Date.now();
      gateways[0] = await startHomeward(db.url, gatewayEnv(ids[0] as string));
      const rows = await eventually(async () => {
        const r = await stored();
        return r.length >= READINGS ? r : undefined;
      }, 30_000);
      const caughtUpMs = Date.now() - restartedAt;
      await new Promise((r) => setTimeout(r, 500)); // any redelivery after this would show as a duplicate
      const final = await stored();
      expect(final).toHaveLength(READINGS);
      expect(new Set(final.map((r) => r.measuredAt.getTime())).size).toBe(READINGS);
      expect(rows.length).toBe(READINGS);
      process.stdout.write(
        `external broker: ${READINGS} readings through two gateways on one $share group; one SIGKILLed after ${READINGS / 3}; ` +
          `${whileDown} stored while it was down, all ${READINGS} (once each) ${caughtUpMs} ms after it came back under its client id\n`,
      );
    } finally {
      device?.end(true);
      await killLeftovers();
      // The broker keeps persistence on: end the gateways' sessions so their queues do not linger.
      for (const clientId of ids) {
        const client = await connect({ clientId, protocolVersion: 5, clean: true, properties: { sessionExpiryInterval: 0 } }).catch(() => undefined);
        await new Promise<void>((resolve) => (client ? client.end(false, {}, () => resolve()) : resolve()));
      }
      await db.dispose();
    }
  }, 120_000);
});
