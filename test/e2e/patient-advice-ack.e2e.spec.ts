import { randomUUID } from 'node:crypto';
import { DEFAULT_PATIENT_ADVICE, type ReadingsAck, topics } from '@homeward/contracts';
import type { Storage } from '@homeward/storage';
import { type StartedHomeward, type TestDevice, aPatientWithDevice, connectDevice, endDeviceClients, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers } from './homeward-process';

afterEach(() => endDeviceClients());

// Issue 15 item 7 for devices: a patient app publishing a red reading over MQTT is told what to
// do in the ack for that message, in the ward's words. `homeward start` as a process, MQTT.js
// over real sockets, real PostgreSQL.
describe('red-band advice in the device ack', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let storage: Storage;
  let homeward: StartedHomeward;
  const WARD_ADVICE = 'Call the virtual ward on 01632 960 123 now; if you feel very unwell call 999.';

  beforeAll(async () => {
    db = await realDatabase();
    storage = db.storage;
    homeward = await startHomeward(db.url);
  });
  afterAll(async () => {
    await killLeftovers();
    await db?.dispose();
  });

  /** Publishes each body with QoS 1 as the device and collects the acks it is answered with, in order. */
  async function publishAndCollectAcks(device: TestDevice, bodies: readonly object[]): Promise<ReadingsAck[]> {
    const client = await connectDevice(homeward.mqttPort, device);
    const acks: ReadingsAck[] = [];
    client.on('message', (_topic, payload) => acks.push(JSON.parse(payload.toString()) as ReadingsAck));
    await client.subscribeAsync(topics.acks(device.deviceId), { qos: 1 });
    for (const body of bodies) await client.publishAsync(topics.readings(device.deviceId), JSON.stringify(body), { qos: 1 });
    await eventually(async () => acks.length >= bodies.length);
    return acks;
  }

  const spo2 = (value: number, pulse?: number) => {
    const deviceTime = new Date(Date.now() - 60_000).toISOString();
    return {
      messageId: randomUUID(),
      readings: [{ vital: 'spo2', value, unit: '%', deviceTime }, ...(pulse === undefined ? [] : [{ vital: 'heart_rate', value: pulse, unit: '/min', deviceTime }])],
    };
  };

  it("carries the ward's advice for SpO2 88 with pulse 112, none for an ordinary reading, and again for a resent red one", async () => {
    const ward = await storage.registry.createWard(`Advice ward ${randomUUID().slice(0, 8)}`);
    await storage.registry.setWardPatientAdvice(ward.id, WARD_ADVICE);
    const device = await aPatientWithDevice(storage);
    await storage.registry.admit({ patientId: device.patientId, wardId: ward.id, pathway: 'copd' });

    const red = spo2(88, 112);
    const acks = await publishAndCollectAcks(device, [red, spo2(96, 80), red]);
    expect(acks[0]).toEqual({ messageId: red.messageId, status: 'accepted', stored: 2, duplicates: 0, rejected: [], advice: { level: 'red', message: WARD_ADVICE } });
    expect(acks[1]).toMatchObject({ status: 'accepted', stored: 2 });
    expect(acks[1]).not.toHaveProperty('advice');
    expect(acks[2]).toMatchObject({ stored: 0, duplicates: 2, advice: { level: 'red', message: WARD_ADVICE } });
  });

  it("uses the default words for a patient on no ward, and follows a clinician's scale-2 decision", async () => {
    const alone = await aPatientWithDevice(storage);
    expect((await publishAndCollectAcks(alone, [spo2(91)]))[0]?.advice).toEqual({ level: 'red', message: DEFAULT_PATIENT_ADVICE });

    const ward = await storage.registry.createWard(`Scale 2 ward ${randomUUID().slice(0, 8)}`);
    const onScale2 = await aPatientWithDevice(storage);
    await storage.registry.admit({
      patientId: onScale2.patientId,
      wardId: ward.id,
      pathway: 'copd',
      carePlan: { news2: { spo2Scale: { scale: 2, decidedBy: 'dr-okafor', decidedAt: '2026-11-01T09:00:00Z', reason: 'Hypercapnic respiratory failure, target 88-92 %' } } },
    });
    const [on86, on83] = await publishAndCollectAcks(onScale2, [spo2(86), spo2(83)]);
    expect(on86).not.toHaveProperty('advice');
    expect(on83?.advice).toEqual({ level: 'red', message: DEFAULT_PATIENT_ADVICE });
  });
});
