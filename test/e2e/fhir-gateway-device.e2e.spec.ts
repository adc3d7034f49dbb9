// Device provenance per reading (issue 20, HL7 PHD IG gatewayDevice): a patient with two home hubs,
// each relaying a blood-pressure cuff's reading over real MQTT to the gateway's embedded broker.
// The broker knows which hub published (its authenticated identity); the reading records it
// (migration 0021), and each FHIR Observation names the measuring cuff as its device and its own
// hub as gatewayDevice. Real PostgreSQL, real sockets; every Observation validated.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import mqtt, { type MqttClient } from 'mqtt';
import { createApiApp, listenApi } from '@homeward/api';
import { generateDeviceSecret, hashDeviceSecret } from '@homeward/auth';
import { topics } from '@homeward/contracts';
import type { DeviceType } from '@homeward/domain';
import { type FhirValidator, aValidNhsNumber, describeIssues, fhirValidator, realDatabase } from '@homeward/testing';
import { aSignedInNurse, anInProcessGateway } from './gateway-fixture';

jest.setTimeout(60_000);

const GATEWAY_DEVICE = 'http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice';

describe('gatewayDevice per reading, from the hub that relayed it over MQTT', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let running: Awaited<ReturnType<typeof anInProcessGateway>>;
  let app: INestApplication;
  let api: string;
  let token: string;
  let validator: FhirValidator;
  let wardId: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    [db, validator] = await Promise.all([realDatabase(), fhirValidator()]);
    running = await anInProcessGateway(db.storage, 'gateway-device');
    app = await createApiApp({ storage: db.storage, logLevel: 'error', ingest: running.gateway.pipeline, rulesEngine: { enabled: false } });
    api = await listenApi(app, '127.0.0.1', 0);
    wardId = (await db.storage.registry.createWard(`Provenance ${randomUUID()}`)).id;
    token = await aSignedInNurse(db.storage, api, wardId);
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await app?.close();
    await running?.close();
    await db?.dispose();
  });

  const aDevice = async (patientId: string, type: DeviceType) => {
    const secret = generateDeviceSecret();
    const device = await db.storage.registry.registerDevice({ type, serial: randomUUID(), patientId, credentialsHash: await hashDeviceSecret(secret) });
    return { id: device.id, secret };
  };
  const connect = async (device: { id: string; secret: string }) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${running.mqttPort}`, { clientId: device.id, username: device.id, password: device.secret, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  };
  /**
   * Publishes a cuff's measurement as a hub does, on the cuff's topic. QoS 1: the gateway sends the
   * PUBACK only after the readings are committed, so the promise resolving means they are stored.
   */
  const relay = async (hub: MqttClient, cuffId: string, at: Date, systolic: number, diastolic: number): Promise<void> => {
    const deviceTime = at.toISOString();
    await hub.publishAsync(
      topics.readings(cuffId),
      JSON.stringify({
        messageId: randomUUID(),
        readings: [
          { vital: 'systolic_bp', value: systolic, unit: 'mm[Hg]', deviceTime },
          { vital: 'diastolic_bp', value: diastolic, unit: 'mm[Hg]', deviceTime },
          { vital: 'heart_rate', value: 70, unit: '/min', deviceTime },
        ],
      }),
      { qos: 1 },
    );
  };

  it('names each reading’s own hub as gatewayDevice and the cuff as device, for two hubs of one patient', async () => {
    const patient = await db.storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Two', familyName: `Hubs ${randomUUID()}`, dateOfBirth: '1944-02-02' });
    await db.storage.registry.admit({ patientId: patient.id, wardId, pathway: 'general' });
    const cuff = await aDevice(patient.id, 'blood-pressure-monitor');
    const [kitchen, bedroom] = [await aDevice(patient.id, 'hub'), await aDevice(patient.id, 'hub')];
    const [kitchenClient, bedroomClient] = [await connect(kitchen), await connect(bedroom)];

    const first = new Date(Date.now() - 20 * 60_000);
    const second = new Date(Date.now() - 10 * 60_000);
    await relay(kitchenClient, cuff.id, first, 132, 84);
    await relay(bedroomClient, cuff.id, second, 141, 88);

    const stored = await db.storage.readings.inRange(patient.id, { from: new Date(first.getTime() - 60_000), to: new Date() });
    expect(stored.map((r) => [r.measuredAt.getTime(), r.vital, r.deviceId, r.gatewayId]).sort()).toEqual(
      [
        [first.getTime(), 'diastolic_bp', cuff.id, kitchen.id],
        [first.getTime(), 'heart_rate', cuff.id, kitchen.id],
        [first.getTime(), 'systolic_bp', cuff.id, kitchen.id],
        [second.getTime(), 'diastolic_bp', cuff.id, bedroom.id],
        [second.getTime(), 'heart_rate', cuff.id, bedroom.id],
        [second.getTime(), 'systolic_bp', cuff.id, bedroom.id],
      ].sort(),
    );

    const search = await fetch(`${api}/fhir/Observation?patient=${patient.id}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
    expect(search.status).toBe(200);
    const observations = (((await search.json()) as Bundle).entry ?? []).map((e) => e.resource as Observation);
    expect(observations).toHaveLength(4); // two panels, two pulses
    const hubOf = (o: Observation) => o.extension?.find((e) => e.url === GATEWAY_DEVICE)?.valueReference?.reference;
    const at = (o: Observation) => new Date(o.effectiveDateTime ?? 0).getTime();
    expect(observations.map((o) => [at(o), o.code.coding?.[0]?.code, o.device?.reference, hubOf(o)]).sort()).toEqual(
      [
        [first.getTime(), '85354-9', `Device/${cuff.id}`, `Device/${kitchen.id}`],
        [first.getTime(), '8867-4', `Device/${cuff.id}`, `Device/${kitchen.id}`],
        [second.getTime(), '85354-9', `Device/${cuff.id}`, `Device/${bedroom.id}`],
        [second.getTime(), '8867-4', `Device/${cuff.id}`, `Device/${bedroom.id}`],
      ].sort(),
    );
    for (const observation of observations) expect(describeIssues(validator.errors(observation))).toBe(describeIssues([]));
    // The same on a read by id, and the hub itself is a readable Device.
    const panel = observations.find((o) => o.id?.startsWith('bp-') && at(o) === second.getTime()) as Observation;
    const read = (await (await fetch(`${api}/fhir/Observation/${panel.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Observation;
    expect(hubOf(read)).toBe(`Device/${bedroom.id}`);
    expect((await fetch(`${api}/fhir/Device/${bedroom.id}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
