import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { generateDeviceSecret } from '@homeward/auth';
import { type NhsNumber, parseNhsNumber } from '@homeward/domain';
import { IngestPipeline } from '@homeward/ingest';
import { HomewardMetrics } from '@homeward/observability';
import { PgDatabase, type Storage, createRepositories } from '@homeward/storage';
import { type RealDatabase, aValidNhsNumber, realDatabase } from '@homeward/testing';
import { encodePlxSpotCheckMeasurement } from '@homeward/gatt';
import { hashDeviceSecret } from '../src';
import { DeviceActivityTracker } from '../src/mqtt/device-activity.tracker';
import { DeviceDirectory } from '../src/mqtt/device-directory';
import type { DeviceMessage } from '../src/mqtt/device-message.handler';
import { ObservedDeviceMessageHandler } from '../src/mqtt/observed-message.handler';

// The device message handler on real PostgreSQL through the ingest pipeline: every poison
// payload is answered and kept; only an unreachable store throws. Time is the message's receipt
// time, moved by the test.
describe('DeviceMessageHandler with real storage', () => {
  let db: RealDatabase;
  let storage: Storage;
  let metrics: HomewardMetrics;
  let handler: ObservedDeviceMessageHandler;
  let activity: DeviceActivityTracker;
  const now = new Date('2026-12-03T08:00:00Z');

  beforeAll(async () => {
    db = await realDatabase();
    storage = db.storage;
    metrics = new HomewardMetrics({ processMetrics: false });
    activity = new DeviceActivityTracker(storage.registry, 60_000);
    handler = new ObservedDeviceMessageHandler(new IngestPipeline(storage, { maxClockSkewMs: 300_000 }), new DeviceDirectory(storage.registry), storage.registry, activity, 64 * 1024).observe(metrics, undefined);
  });
  afterAll(async () => {
    await activity?.close();
    await db?.dispose();
  });

  async function aDevice(): Promise<{ deviceId: string; patientId: string }> {
    const nhs = parseNhsNumber(aValidNhsNumber({ testRange: true }));
    if (!nhs.ok) throw new Error('bad NHS number');
    const patient = await storage.registry.createPatient({ nhsNumber: nhs.value as NhsNumber, givenName: 'Test', familyName: randomUUID(), dateOfBirth: '1950-05-05' });
    const device = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: randomUUID(), patientId: patient.id, credentialsHash: await hashDeviceSecret(generateDeviceSecret()) });
    return { deviceId: device.id, patientId: patient.id };
  }
  const message = (deviceId: string, payload: string | Uint8Array, overrides: Partial<DeviceMessage> = {}): DeviceMessage => ({
    deviceId,
    kind: 'readings',
    topic: `homeward/v1/devices/${deviceId}/readings`,
    payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload,
    receivedAt: now,
    ...overrides,
  });

  it.each([
    ['a NUL inside a string', '{"messageId":"m-nul","readings":[{"vital":"spo2","value":97,"unit":"%\u0000"}]}', 'payload.nul-character', 'm-nul'],
    ['a NUL written as an escape', '{"messageId":"m-esc","readings":[{"vital":"spo2","value":97,"unit":"%\\u0000"}]}', 'payload.nul-character', 'm-esc'],
    ['a lone surrogate escape', '{"messageId":"m-sur","readings":[{"vital":"spo2","value":97,"unit":"\\ud800"}]}', 'payload.lone-surrogate', 'm-sur'],
    ['JSON 20,000 levels deep', `{"messageId":"m-deep","readings":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, 'payload.too-deep', 'm-deep'],
    ['a wrong type, with the messageId still echoed', JSON.stringify({ messageId: 'm-type', readings: [{ vital: 'spo2', value: '97', unit: '%' }] }), 'payload.invalid', 'm-type'],
    ['truncated JSON', '{"messageId":"m-trunc","readings":[', 'payload.bad-json', 'm-trunc'],
  ])('refuses %s with an ack and keeps it byte for byte', async (_label, payload, code, messageId) => {
    const device = await aDevice();
    const handled = await handler.handle(message(device.deviceId, payload));
    expect(handled.ack).toEqual({ messageId, status: 'rejected', stored: 0, duplicates: 0, rejected: [expect.objectContaining({ index: null, code })] });
    const [kept] = await storage.rejected.list({ deviceId: device.deviceId });
    expect(kept?.reasonCode).toBe(code);
    expect(Buffer.from(kept!.payload).toString('utf8')).toBe(payload);
    expect(await storage.readings.latestPerVital(device.patientId)).toEqual([]);
  });

  it('refuses bytes that are not UTF-8 and an oversize message (kept up to the limit)', async () => {
    const device = await aDevice();
    const notUtf8 = new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]);
    expect((await handler.handle(message(device.deviceId, notUtf8))).ack?.rejected[0]?.code).toBe('payload.not-utf8');
    const huge = new Uint8Array(64 * 1024 + 10).fill(0x20);
    expect((await handler.handle(message(device.deviceId, huge, { receivedAt: new Date(now.getTime() + 1) }))).ack?.rejected[0]?.code).toBe('payload.too-large');
    const kept = await storage.rejected.list({ deviceId: device.deviceId });
    expect(kept.map((k) => [k.reasonCode, k.payload.byteLength])).toEqual([
      ['payload.too-large', 64 * 1024],
      ['payload.not-utf8', 4],
    ]);
  });

  it('refuses only the bad items of a message, stores the rest, and numbers refusals as the device did', async () => {
    const device = await aDevice();
    const handled = await handler.handle(
      message(
        device.deviceId,
        JSON.stringify({
          messageId: 'm-mixed',
          sentAt: '2026-12-03T08:00:00Z',
          readings: [
            { vital: 'spo2', value: 96, unit: '%', deviceTime: '2026-12-03T07:50:00Z' },
            { vital: 'heart_rate', value: 70, unit: '/min', deviceTime: '2026-12-03T07:50:00Z' },
            { vital: 'spo2', value: 130, unit: '%', deviceTime: '2026-12-03T07:50:00Z' },
          ],
        }),
      ),
    );
    expect(handled.ack).toMatchObject({ messageId: 'm-mixed', status: 'partially-accepted', stored: 2, duplicates: 0 });
    expect(handled.ack?.rejected.map((r) => [r.index, r.code])).toEqual([[2, 'reading.implausible']]);
    expect((await storage.readings.latestPerVital(device.patientId)).map((r) => [r.vital, r.value]).sort()).toEqual([['heart_rate', 70], ['spo2', 96]]);
    expect((await storage.rejected.list({ deviceId: device.deviceId })).map((k) => k.reasonCode)).toEqual(['reading.implausible']);
  });

  // One device-time policy (libs/domain device-time.policy.ts) for a hub's JSON times and the times
  // inside GATT frames: from 2000-01-01 to receipt + 7 days a time is used; outside, the reading is
  // kept, placed at receipt and flagged clock-unset + clock-skewed. Receipt here is 2026-12-03T08:00:00Z.
  describe('device times at the bounds, by JSON and by GATT frame alike', () => {
    const plxFrame = (timestamp: string) => {
      const at = new Date(timestamp);
      const bytes = encodePlxSpotCheckMeasurement({
        spo2: 95,
        pulseRate: 72,
        timestamp: { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate(), hours: at.getUTCHours(), minutes: at.getUTCMinutes(), seconds: at.getUTCSeconds() },
        deviceClockNotSet: false,
        measurementStatus: null,
        deviceAndSensorStatus: null,
        pulseAmplitudeIndex: null,
      });
      return { characteristic: '2A5E', hex: Buffer.from(bytes).toString('hex') };
    };
    const placed = async (body: object) => {
      const device = await aDevice();
      const handled = await handler.handle(message(device.deviceId, JSON.stringify(body)));
      const [row] = (await storage.readings.latestPerVital(device.patientId)).filter((r) => r.vital === 'spo2');
      return { ack: handled.ack, measuredAt: row?.measuredAt.toISOString(), deviceTime: row?.deviceTime?.toISOString(), status: [...(row?.status ?? [])].sort() };
    };
    const atReceipt = { measuredAt: now.toISOString(), status: ['clock-skewed', 'clock-unset'] };

    it.each([
      ['1999-12-31T23:59:59.000Z', atReceipt],
      ['2000-01-01T00:00:00.000Z', { measuredAt: '2000-01-01T00:00:00.000Z', status: [] }],
      ['2026-12-10T08:00:00.000Z', { measuredAt: now.toISOString(), status: ['future-dated'] }],
      ['2026-12-10T08:00:01.000Z', atReceipt],
    ])('a deviceTime of %s, in JSON and in a GATT frame, is placed the same way and stored', async (time, expected) => {
      const json = await placed({ readings: [{ vital: 'spo2', value: 95, unit: '%', deviceTime: time }] });
      const gatt = await placed({ frames: [plxFrame(time)] });
      for (const result of [json, gatt]) {
        expect(result.ack).toMatchObject({ status: 'accepted', stored: expect.any(Number), rejected: [] });
        expect(result).toMatchObject({ ...expected, deviceTime: time }); // the device's own time is kept as it said
      }
    });

    it.each([
      ['9999-12-31T23:59:59Z', 'a sentAt in year 9999'],
      ['1999-12-31T23:59:59Z', 'a sentAt before 2000'],
      ['2026-12-10T08:00:01Z', 'a sentAt just past receipt + 7 d'],
    ])('%s (%s): nothing is refused; the readings it stamped, JSON or GATT, are placed at receipt and flagged', async (sentAt) => {
      const json = await placed({ messageId: 'm-sent', sentAt, readings: [{ vital: 'spo2', value: 97, unit: '%', deviceTime: '2026-12-03T07:59:00Z' }] });
      const gatt = await placed({ messageId: 'm-sent', sentAt, frames: [plxFrame('2026-12-03T07:59:00Z')] });
      for (const result of [json, gatt]) {
        expect(result.ack).toMatchObject({ messageId: 'm-sent', status: 'accepted', rejected: [] });
        expect(result).toMatchObject(atReceipt);
      }
    });
  });

  it('accepts a hub clock a day fast, corrected by its coincident timestamp', async () => {
    const device = await aDevice();
    const day = 24 * 3_600_000;
    const handled = await handler.handle(
      message(device.deviceId, JSON.stringify({ sentAt: new Date(now.getTime() + day).toISOString(), readings: [{ vital: 'spo2', value: 95, unit: '%', deviceTime: new Date(now.getTime() + day - 600_000).toISOString() }] })),
    );
    expect(handled.ack?.status).toBe('accepted');
    const [row] = await storage.readings.latestPerVital(device.patientId);
    expect(row?.measuredAt.toISOString()).toBe(new Date(now.getTime() - 600_000).toISOString());
  });

  it('keeps refusals from a device id that is not a uuid (external broker) and an unknown device, with the messageId', async () => {
    const handled = await handler.handle(message('not-a-uuid', '{"messageId":"m-x","readings":[]}'));
    expect(handled.ack).toMatchObject({ messageId: 'm-x', status: 'rejected', rejected: [{ code: 'device.unknown' }] });
    const unknown = randomUUID();
    await handler.handle(message(unknown, '{}'));
    expect((await storage.rejected.list({ deviceId: unknown }))[0]?.reasonCode).toBe('device.unknown');
    const recent = await storage.rejected.list({ code: 'device.unknown', limit: 10 });
    expect(recent.some((r) => r.deviceId === null && r.details['deviceIdGiven'] === 'not-a-uuid')).toBe(true);
  });

  it('bounds status messages: oversize refused and kept once a minute, a flood dropped and counted, battery stored', async () => {
    const device = await aDevice();
    const status = (payload: string | Uint8Array, atMs: number) => handler.handle(message(device.deviceId, payload, { kind: 'status', topic: `homeward/v1/devices/${device.deviceId}/status`, receivedAt: new Date(now.getTime() + atMs) }));
    const oversize = JSON.stringify({ state: 'online', note: 'x'.repeat(20_000) });
    expect(await status(oversize, 0)).toEqual({ recorded: 'payload.too-large' });
    expect(await status(oversize, 500)).toEqual({ dropped: 'rate' });
    expect(await status(oversize, 1_000)).toEqual({ dropped: 'repeat' });
    expect(await status('{"state":"online","battery":"full"}', 2_000)).toEqual({ recorded: 'payload.invalid' });
    expect(await status(oversize, 61_000)).toEqual({ recorded: 'payload.too-large' });
    expect(await status('{"state":"online","battery":41.6}', 62_000)).toEqual({});
    expect(await status('{"state":"online","battery":10}', 62_400)).toEqual({ dropped: 'rate' });

    const kept = await storage.rejected.list({ deviceId: device.deviceId });
    expect(kept.map((k) => [k.reasonCode, k.payload.byteLength])).toEqual([
      ['payload.too-large', 4096],
      ['payload.invalid', 35],
      ['payload.too-large', 4096],
    ]);
    const [registered] = await storage.registry.devicesOfPatient(device.patientId);
    expect(registered?.batteryLevel).toBe(42);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/homeward_mqtt_status_dropped_total\{reason="rate"\} [2-9]/);
    expect(text).toMatch(/homeward_mqtt_status_dropped_total\{reason="repeat"\} [1-9]/);
    expect(text).toContain(`homeward_rejected_messages_total{code="payload.too-large",device_id="${device.deviceId}"} 2`);
  });

  it('counts refusals per device and reason on /metrics, unknown devices as "unknown"', async () => {
    const device = await aDevice();
    await handler.handle(message(device.deviceId, '{"readings":['));
    await handler.handle(message(device.deviceId, '{"readings":[', { receivedAt: new Date(now.getTime() + 1) }));
    const text = await metrics.registry.metrics();
    expect(text).toContain(`homeward_rejected_messages_total{code="payload.bad-json",device_id="${device.deviceId}"} 2`);
    expect(text).toMatch(/homeward_rejected_messages_total\{code="device.unknown",device_id="unknown"\} [1-9]/);
  });

  it('throws, acknowledging nothing, only when the store cannot be reached', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const down = new PgDatabase({ connectionString: `postgresql://postgres@127.0.0.1:${port}/none` });
    const repositories = createRepositories(down, 'plain');
    const offline = new DeviceActivityTracker(repositories.registry, 60_000);
    const unreachable = new ObservedDeviceMessageHandler(new IngestPipeline(repositories, { maxClockSkewMs: 300_000 }), new DeviceDirectory(repositories.registry), repositories.registry, offline, 64 * 1024);
    try {
      await expect(unreachable.handle(message(randomUUID(), '{"readings":['))).rejects.toThrow(/ECONNREFUSED|connect/);
      // A message refused before any lookup still needs the store to keep it.
      await expect(unreachable.handle(message(randomUUID(), new Uint8Array(64 * 1024 + 1)))).rejects.toThrow(/ECONNREFUSED|connect/);
    } finally {
      await offline.close();
      await down.close();
    }
  });
});
