import { randomUUID } from 'node:crypto';
import { generateDeviceSecret } from '@homeward/auth';
import { type NhsNumber, parseNhsNumber } from '@homeward/domain';
import { IngestPipeline } from '@homeward/ingest';
import { HomewardMetrics } from '@homeward/observability';
import { type RealDatabase, aValidNhsNumber, fuzzDeviceMessages, realDatabase } from '@homeward/testing';
import { hashDeviceSecret } from '../src';
import { DeviceActivityTracker } from '../src/mqtt/device-activity.tracker';
import { DeviceDirectory } from '../src/mqtt/device-directory';
import { ObservedDeviceMessageHandler } from '../src/mqtt/observed-message.handler';

// fast-check against the real handler, pipeline and PostgreSQL: arbitrary bytes and JSON, readings
// bodies valid and wild, NUL and surrogates, 30,000-deep nesting, huge numbers, absurd times,
// status floods. No case may throw; each readings message is answered; each refusal is kept.
// `npm run bench -- --only fuzz --cases 100000` runs the same with more cases.
describe('device message fuzz (real PostgreSQL)', () => {
  let db: RealDatabase;
  let activity: DeviceActivityTracker;

  beforeAll(async () => {
    db = await realDatabase();
  });
  afterAll(async () => {
    await activity?.close();
    await db?.dispose();
  });

  it('answers and records every one of 2,000 generated messages', async () => {
    const { storage } = db;
    const nhs = parseNhsNumber(aValidNhsNumber({ testRange: true }));
    if (!nhs.ok) throw new Error('bad NHS number');
    const patient = await storage.registry.createPatient({ nhsNumber: nhs.value as NhsNumber, givenName: 'Fuzz', familyName: randomUUID(), dateOfBirth: '1950-05-05' });
    const device = await storage.registry.registerDevice({ type: 'hub', serial: randomUUID(), patientId: patient.id, credentialsHash: await hashDeviceSecret(generateDeviceSecret()) });
    activity = new DeviceActivityTracker(storage.registry, 60_000);
    const handler = new ObservedDeviceMessageHandler(new IngestPipeline(storage, { maxClockSkewMs: 300_000 }), new DeviceDirectory(storage.registry), storage.registry, activity, 64 * 1024).observe(new HomewardMetrics({ processMetrics: false }), undefined);
    const seed = Number(process.env['HOMEWARD_FUZZ_SEED'] ?? 20261203);

    const report = await fuzzDeviceMessages({ handler, storage, deviceId: device.id, cases: 2_000, seed, start: new Date('2026-12-03T00:00:00Z') });

    expect(report.problems.slice(0, 5)).toEqual([]);
    // The generators reached every outcome, so the invariants were tested on each path.
    expect(Object.keys(report.acks).sort()).toEqual(['accepted', 'partially-accepted', 'rejected']);
    const codes = ['payload.not-utf8', 'payload.bad-json', 'payload.invalid', 'payload.nul-character', 'payload.lone-surrogate', 'payload.too-deep', 'payload.too-large', 'device.unknown'];
    expect(codes.filter((code) => !((report.codes[code] ?? 0) > 0))).toEqual([]);
    expect(report.statusOutcomes['recorded']).toBeGreaterThan(0);
    expect(await storage.readings.latestPerVital(patient.id)).not.toEqual([]);
  });
});
