// Silence and technical alerts through the real paths: a hub and a patient app log in to the
// gateway's embedded broker over MQTT with their credentials and a retained "offline" last will;
// readings and statuses go into real PostgreSQL; the rules engine (in the api, its clock injected
// and its timer pass run by the test instead of waiting) raises and resolves the alerts; a nurse
// reads them over HTTP, filtered by kind, and the patient page shows the hub offline.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import mqtt, { type MqttClient } from 'mqtt';
import { RulesEngineService, createApiApp, listenApi } from '@homeward/api';
import { generateDeviceSecret, hashDeviceSecret } from '@homeward/auth';
import { topics } from '@homeward/contracts';
import type { Alert, DeviceType } from '@homeward/domain';
import type { Gateway } from '@homeward/gateway';
import { aValidNhsNumber, realDatabase } from '@homeward/testing';
import { aSignedInNurse, anInProcessGateway } from './gateway-fixture';

jest.setTimeout(60_000);

const MIN = 60_000;
const HOUR = 60 * MIN;

/** The engine's clock: starts at the real time (the gateway stamps receipt with it) and the test moves it on. */
class TestClock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

interface Item {
  readonly alert: Alert;
  readonly kind: 'clinical' | 'silence' | 'technical';
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('silence and technical alerts over MQTT and the API', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let running: Awaited<ReturnType<typeof anInProcessGateway>>;
  let gateway: Gateway;
  let app: INestApplication;
  let engine: RulesEngineService;
  let api: string;
  let token: string;
  let wardId: string;
  const clock = new TestClock();
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    db = await realDatabase();
    running = await anInProcessGateway(db.storage, 'silence', 5 * MIN);
    gateway = running.gateway;
    app = await createApiApp({ storage: db.storage, logLevel: 'error', ingest: gateway.pipeline, rulesEngine: { enabled: false, clock } });
    api = await listenApi(app, '127.0.0.1', 0);
    engine = app.get(RulesEngineService);
    wardId = (await db.storage.registry.createWard(`Silence ${randomUUID()}`)).id;
    token = await aSignedInNurse(db.storage, api, wardId);
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await app?.close();
    await running?.close();
    await db?.dispose();
  });

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as T };
  };
  /** Drains until the engine has passed every committed reading (another database's open transaction on a shared server can hold the cursor back a moment). */
  const settle = () =>
    until('the engine to evaluate every reading', async () => {
      await engine.drain();
      // Every committed reading past its lane's cursor (fresh or late), held-back rows (behind a
      // transaction open elsewhere on a shared server) included: they are still to come.
      return (await db.storage.partitions.unevaluated(engine.consumerName, undefined, new Date('9999-12-31T00:00:00Z'))).length === 0;
    });
  const alertsOf = async (patientId: string) => db.storage.alerts.forPatient(patientId, { includeResolved: true });

  /** A heart-failure patient admitted three days ago with a hub or app registered and its secret. */
  const aPatient = async (type: DeviceType) => {
    const patient = await db.storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Silent', familyName: randomUUID(), dateOfBirth: '1944-02-02' });
    await db.storage.registry.admit({ patientId: patient.id, wardId, pathway: 'heart-failure', admittedAt: new Date(Date.now() - 72 * HOUR) });
    const secret = generateDeviceSecret();
    const device = await db.storage.registry.registerDevice({ type, serial: randomUUID(), patientId: patient.id, credentialsHash: await hashDeviceSecret(secret) });
    return { patientId: patient.id, deviceId: device.id, secret };
  };

  /** Connects as the device does: retained "offline" as the last will, then a retained "online". */
  const connect = async (device: { deviceId: string; secret: string }) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.broker?.ports.mqtt}`, {
      clientId: `${device.deviceId}-${randomUUID().slice(0, 6)}`,
      username: device.deviceId,
      password: device.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: topics.status(device.deviceId), payload: Buffer.from(JSON.stringify({ state: 'offline' })), qos: 1, retain: true },
    });
    clients.push(client);
    await client.publishAsync(topics.status(device.deviceId), JSON.stringify({ state: 'online', battery: 80 }), { qos: 1, retain: true });
    return client;
  };
  const publishReadings = (client: MqttClient, deviceId: string, measuredAt: Date) =>
    client.publishAsync(
      topics.readings(deviceId),
      JSON.stringify({
        sentAt: new Date().toISOString(),
        readings: [
          { vital: 'body_weight', value: 80.4, unit: 'kg', deviceTime: measuredAt.toISOString() },
          { vital: 'systolic_bp', value: 126, unit: 'mm[Hg]', deviceTime: measuredAt.toISOString() },
          { vital: 'heart_rate', value: 72, unit: '/min', deviceTime: measuredAt.toISOString() },
        ],
      }),
      { qos: 1 },
    );
  const connection = async (deviceId: string) => (await db.storage.deviceState.contactsOf((await db.storage.registry.getDevice(deviceId))!.patientId!)).find((d) => d.id === deviceId);

  it('a hub whose connection drops: its last will is offline at once (a silence item, not clinical, the patient page says Offline); reconnecting resolves it', async () => {
    const hub = await aPatient('hub');
    const client = await connect(hub);
    await publishReadings(client, hub.deviceId, new Date(Date.now() - 5 * MIN));
    await until('the online status', async () => (await connection(hub.deviceId))?.connection?.state === 'online');
    await settle();
    await engine.runTimers();
    expect(await alertsOf(hub.patientId)).toEqual([]);

    // The status rate limit (one a second per device) would drop a will right behind the online status.
    await new Promise((r) => setTimeout(r, 1_100));
    const seenBefore = (await until('the last-seen flush', async () => (await connection(hub.deviceId))?.lastSeenAt ?? undefined)) as Date;
    client.stream.destroy(); // the connection drops without DISCONNECT: the broker publishes the will
    const offline = await until('the last will', async () => {
      const state = await connection(hub.deviceId);
      return state?.connection?.state === 'offline' ? state : undefined;
    });
    // The will is not contact: last seen stays where it was, before it.
    expect(offline.lastSeenAt).toEqual(seenBefore);
    expect(offline.lastSeenAt!.getTime()).toBeLessThan(offline.connection!.at.getTime());
    await engine.runTimers();
    const [alert] = await alertsOf(hub.patientId);
    expect(alert).toMatchObject({ rule: 'hub-offline', subject: `hub-offline:${hub.deviceId}`, state: 'open' });
    expect(alert!.explanation).toMatch(/^The home hub is offline: it dropped its connection \(offline status\)/);

    const silence = await get<Item[]>('/api/worklist?kind=silence');
    expect(silence.body.filter((i) => i.alert.patientId === hub.patientId).map((i) => [i.kind, i.alert.rule])).toEqual([['silence', 'hub-offline']]);
    expect((await get<Item[]>('/api/worklist?kind=clinical')).body.some((i) => i.alert.patientId === hub.patientId)).toBe(false);
    expect((await get<unknown>('/api/worklist?kind=urgent')).status).toBe(400);
    const devices = await get<Array<{ id: string; status: string; connection: { state: string } | null }>>(`/api/patients/${hub.patientId}/devices`);
    expect(devices.body).toEqual([expect.objectContaining({ id: hub.deviceId, status: 'offline', connection: expect.objectContaining({ state: 'offline' }) })]);

    // Back at once: its "online" status comes within the status rate limit of the will and is not
    // read, but it is contact, so the hub is heard from after its will: online again.
    await connect(hub);
    await until('contact after the will', async () => ((await connection(hub.deviceId))?.lastSeenAt?.getTime() ?? 0) > offline.connection!.at.getTime());
    await engine.runTimers();
    expect((await alertsOf(hub.patientId))[0]).toMatchObject({ rule: 'hub-offline', state: 'resolved' });
    expect((await get<Array<{ status: string }>>(`/api/patients/${hub.patientId}/devices`)).body[0]!.status).toBe('ok');
  });

  it('a connected hub with nothing to send is heard from: its MQTT keepalive pings count as contact', async () => {
    const hub = await aPatient('hub');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.broker?.ports.mqtt}`, {
      clientId: hub.deviceId,
      username: hub.deviceId,
      password: hub.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      keepalive: 1,
    });
    clients.push(client);
    const connectedAt = Date.now();
    // No message at all: only the connection and the pings (every second), flushed every 5 s.
    const seen = await until('a ping recorded as contact', async () => {
      const lastSeen = (await connection(hub.deviceId))?.lastSeenAt;
      return lastSeen && lastSeen.getTime() > connectedAt + 1_500 ? lastSeen : undefined;
    });
    expect(seen.getTime()).toBeLessThanOrEqual(Date.now());
    client.end(true);
  });

  it('an app that stops calling in is offline once the clock passes the limit; a patient silent for a day and a half with the app online is patient-silent, and a late backlog is technical', async () => {
    const patient = await aPatient('patient-app');
    const client = await connect(patient);
    // Its last readings were measured 29 hours ago and arrive only now: late, and nothing since.
    await publishReadings(client, patient.deviceId, new Date(Date.now() - 29 * HOUR));
    await until('the last-seen flush', async () => (await connection(patient.deviceId))?.lastSeenAt ?? undefined);
    await settle();
    await engine.runTimers();
    let alerts = await alertsOf(patient.patientId);
    expect(alerts.map((a) => a.rule).sort()).toEqual(['late-delivery', 'patient-silent']);
    const byKind = await get<Item[]>('/api/worklist?kind=technical');
    expect(byKind.body.filter((i) => i.alert.patientId === patient.patientId).map((i) => i.alert.rule)).toEqual(['late-delivery']);

    // Measuring again: the silence resolves; the late delivery stays until an on-time reading from the app (this one).
    await publishReadings(client, patient.deviceId, new Date(Date.now() - MIN));
    await until('the reading', async () => ((await db.storage.readings.latestPerVital(patient.patientId, { vitals: ['body_weight'] }))[0]?.measuredAt.getTime() ?? 0) > Date.now() - 10 * MIN);
    await settle();
    alerts = await alertsOf(patient.patientId);
    expect(alerts.map((a) => [a.rule, a.state]).sort()).toEqual([
      ['late-delivery', 'resolved'],
      ['patient-silent', 'resolved'],
    ]);

    // Connected but silent: 31 minutes on the engine's clock and the app counts as offline.
    clock.advance(31 * MIN);
    await engine.runTimers();
    const open = (await alertsOf(patient.patientId)).filter((a) => a.state !== 'resolved');
    expect(open.map((a) => [a.rule, a.details['connectionState']])).toEqual([['hub-offline', 'online']]);
    expect(open[0]!.explanation).toMatch(/^The patient app is offline: it was last heard from/);
  });
});
