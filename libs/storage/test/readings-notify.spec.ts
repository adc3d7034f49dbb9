import { randomUUID } from 'node:crypto';
import { type NhsNumber, buildReading, unwrap } from '@homeward/domain';
import { type Storage } from '../src';
import { STORAGE_ENGINES } from './storage-engines';

// insertBatch announces new readings on `homeward_readings` in its own statement (at commit, no
// second round trip per group commit), and only when it stored something. On PostgreSQL (a
// server when DATABASE_URL is set, else embedded) and on PGlite's TimescaleDB build.
describe.each(STORAGE_ENGINES)('new readings announced by insertBatch on %s', (_name, open) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let stop: () => Promise<void>;
  let heard = 0;
  const payloads: string[] = [];

  beforeAll(async () => {
    ({ storage, dispose } = await open());
    const listen = storage.db.listen?.bind(storage.db);
    if (!listen) throw new Error('this driver cannot LISTEN');
    stop = await listen('homeward_readings', (payload) => {
      heard++;
      payloads.push(payload);
    });
  });
  afterAll(async () => {
    await stop?.();
    await dispose?.();
  });

  /** Notifications arrive in commit order, asynchronously: wait until `count` have. */
  const heardAtLeast = async (count: number): Promise<number> => {
    const deadline = Date.now() + 10_000;
    while (heard < count) {
      if (Date.now() > deadline) throw new Error(`heard ${heard} notifications, expected ${count}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return heard;
  };

  it('notifies once per batch that stored readings, and not for a batch of duplicates only', async () => {
    const patient = await storage.registry.createPatient({ nhsNumber: '9434765919' as NhsNumber, givenName: 'Ada', familyName: 'Notify', dateOfBirth: '1948-02-29' });
    const deviceId = randomUUID();
    const reading = (minute: number) =>
      unwrap(buildReading({ patientId: patient.id, deviceId, vital: 'spo2', value: 96, unit: '%', deviceTime: new Date(Date.UTC(2026, 2, 1, 9, minute)), measuredAt: new Date(Date.UTC(2026, 2, 1, 9, minute)), receivedAt: new Date(Date.UTC(2026, 2, 1, 10)), source: 'mqtt' }));
    const before = heard;
    const first = await storage.readings.insertBatch([reading(0), reading(1), reading(2)]);
    expect(first.stored).toHaveLength(3);
    await heardAtLeast(before + 1);

    const again = await storage.readings.insertBatch([reading(0), reading(1)]);
    expect(again.stored).toEqual([]);
    const third = await storage.readings.insertBatch([reading(3)]);
    expect(third.stored).toHaveLength(1);
    // The duplicates-only batch's notification would have arrived before the third batch's.
    expect(await heardAtLeast(before + 2)).toBe(before + 2);
  });

  it('with notify: false stores without announcing (the caller wakes consumers itself)', async () => {
    const patient = await storage.registry.createPatient({ nhsNumber: '9434765927' as NhsNumber, givenName: 'Ada', familyName: 'Quiet', dateOfBirth: '1948-02-29' });
    const at = new Date(Date.UTC(2026, 2, 1, 9));
    const reading = unwrap(buildReading({ patientId: patient.id, deviceId: randomUUID(), vital: 'spo2', value: 96, unit: '%', deviceTime: at, measuredAt: at, receivedAt: at, source: 'mqtt' }));
    const before = payloads.length;
    expect((await storage.readings.insertBatch([reading], undefined, { notify: false })).stored).toHaveLength(1);
    // Notifications arrive in commit order: once this marker is heard, an announcement by the insert would have been too.
    await storage.db.query(`SELECT pg_notify('homeward_readings', 'marker')`);
    while (!payloads.includes('marker')) await heardAtLeast(heard + 1);
    expect(payloads.slice(before)).toEqual(['marker']);
  });
});
