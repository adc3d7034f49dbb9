import { type NhsNumber, type VitalKey, buildReading, nhsCheckDigit, unwrap } from '@homeward/domain';
import { PgDatabase, type Storage, createScratchDatabase, prepare, startScratchEmbeddedPostgres } from '../src';
import { PgliteDatabase } from '../src/pglite';

/** A valid NHS number in the 999 test range, different each call. */
let serial = Math.floor(Math.random() * 900_000);
function testNhsNumber(): NhsNumber {
  for (;;) {
    const nine = `999${String(serial++ % 1_000_000).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}` as NhsNumber;
  }
}

const BP: VitalKey[] = ['systolic_bp', 'diastolic_bp', 'mean_arterial_pressure'];

// searchPage, the FHIR Observation search's paging, on plain PostgreSQL and on TimescaleDB.
describe.each([
  [
    'PostgreSQL',
    async () => {
      const server = process.env['DATABASE_URL'];
      if (server) {
        const scratch = await createScratchDatabase(server);
        const storage = await prepare(new PgDatabase({ connectionString: scratch.url }), { mode: 'server' });
        return { storage, dispose: async () => (await storage.close(), await scratch.drop()) };
      }
      const embedded = await startScratchEmbeddedPostgres();
      const storage = await prepare(new PgDatabase({ connectionString: embedded.connectionString }), { mode: 'embedded' });
      return { storage, dispose: async () => (await storage.close(), await embedded.cleanup()) };
    },
  ],
  [
    'TimescaleDB (PGlite)',
    async () => {
      const storage = await prepare(await PgliteDatabase.create({ timescale: true }), { mode: 'embedded', engine: 'timescale' });
      return { storage, dispose: () => storage.close() };
    },
  ],
] as const)('readings.searchPage on %s', (_label, open) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let patientId: string;
  let deviceId: string;

  beforeAll(async () => {
    ({ storage, dispose } = await open());
    patientId = (await storage.registry.createPatient({ nhsNumber: testNhsNumber(), givenName: 'Ada', familyName: 'Paging', dateOfBirth: '1948-02-29' })).id;
    deviceId = (await storage.registry.registerDevice({ type: 'blood-pressure-monitor', serial: `SN-${Date.now()}`, patientId })).id;
    const reading = (vital: VitalKey, value: number, minute: number, device: string | null) => {
      const at = new Date(Date.UTC(2026, 10, 21, 7, minute));
      return unwrap(buildReading({ patientId, deviceId: device, vital, value, unit: vital === 'spo2' ? '%' : vital === 'heart_rate' ? '/min' : 'mm[Hg]', measuredAt: at, deviceTime: at, receivedAt: at, source: 'fhir' }));
    };
    // Minute 0: a cuff measurement (systolic, diastolic, mean, pulse); minutes 1–5: SpO2; minute 6: a typed-in systolic and diastolic.
    await storage.readings.insertBatch([
      reading('systolic_bp', 130, 0, deviceId),
      reading('diastolic_bp', 85, 0, deviceId),
      reading('mean_arterial_pressure', 100, 0, deviceId),
      reading('heart_rate', 70, 0, deviceId),
      ...[1, 2, 3, 4, 5].map((m) => reading('spo2', 90 + m, m, null)),
      reading('systolic_bp', 140, 6, null),
      reading('diastolic_bp', 90, 6, null),
    ]);
  }, 120_000);
  afterAll(() => dispose?.());

  it('counts a BP measurement as one result and never splits it across pages', async () => {
    const pages = [];
    for (let offset = 0; offset < 12; offset += 3) pages.push(await storage.readings.searchPage(patientId, { groupedVitals: BP, offset, limit: 3 }));
    expect(pages.map((p) => p.total)).toEqual([8, 8, 8, 8]);
    // Within one instant the order follows the store ids, which the batch insert assigns in key order.
    expect(pages.map((p) => p.readings.map((r) => `${r.measuredAt.getUTCMinutes()}:${r.vital}`).sort())).toEqual([
      ['0:diastolic_bp', '0:heart_rate', '0:mean_arterial_pressure', '0:systolic_bp', '1:spo2'],
      ['2:spo2', '3:spo2', '4:spo2'],
      ['5:spo2', '6:diastolic_bp', '6:systolic_bp'],
      [],
    ]);
  });

  it('filters by vital and by an inclusive measurement-time range', async () => {
    const spo2 = await storage.readings.searchPage(patientId, { vitals: ['spo2'], from: new Date(Date.UTC(2026, 10, 21, 7, 2)), to: new Date(Date.UTC(2026, 10, 21, 7, 4)), offset: 0, limit: 50 });
    expect(spo2.total).toBe(3);
    expect(spo2.readings.map((r) => r.value)).toEqual([92, 93, 94]);
    const bp = await storage.readings.searchPage(patientId, { vitals: BP, groupedVitals: BP, offset: 0, limit: 50 });
    expect(bp.total).toBe(2);
    expect(bp.readings).toHaveLength(5);
    const ungrouped = await storage.readings.searchPage(patientId, { vitals: BP, offset: 0, limit: 50 });
    expect(ungrouped.total).toBe(5);
    expect((await storage.readings.searchPage(patientId, { vitals: ['body_weight'], offset: 0, limit: 50 })).total).toBe(0);
  });

  it('finds readings by store id (one Observation read), ignoring ids that are not ids', async () => {
    const { readings } = await storage.readings.searchPage(patientId, { vitals: ['spo2'], offset: 0, limit: 2 });
    const ids = readings.map((r) => r.id);
    expect((await storage.readings.withIds([...ids, 'not-an-id'])).map((r) => r.id)).toEqual(ids);
    expect(await storage.readings.withIds(['x'])).toEqual([]);
  });
});
