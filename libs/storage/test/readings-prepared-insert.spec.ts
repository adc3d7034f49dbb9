import { randomUUID } from 'node:crypto';
import { type NhsNumber, type Reading, buildReading, unwrap } from '@homeward/domain';
import { PgDatabase, ReadingRepository, type Storage, arrayLiteral, openScratchStorage } from '../src';
import { STORAGE_ENGINES } from './storage-engines';

// insertBatch is a named prepared statement on PostgreSQL (parsed and planned once per
// connection). It must store and deduplicate exactly as before on both drivers, and a connection
// replaced under it (a server restart, a killed backend) must prepare it again, not fail.

let minute = 0;
const readingsFor = (patientId: string, deviceId: string, count: number): Reading[] =>
  Array.from({ length: count }, () => {
    const at = new Date(Date.UTC(2026, 4, 1) + minute++ * 60_000);
    return unwrap(buildReading({ patientId, deviceId, vital: 'spo2', value: 96, unit: '%', deviceTime: at, measuredAt: at, receivedAt: at, source: 'mqtt' }));
  });

describe.each(STORAGE_ENGINES)('insertBatch as a prepared statement on %s', (_name, open) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  beforeAll(async () => ({ storage, dispose } = await open()));
  afterAll(async () => dispose?.());

  it('stores, and reports duplicates, the same over many batches with and without notify, inside a transaction too', async () => {
    const patient = await storage.registry.createPatient({ nhsNumber: '9434765919' as NhsNumber, givenName: 'Ada', familyName: 'Prepared', dateOfBirth: '1948-02-29' });
    const deviceId = randomUUID();
    const from = minute;
    // More executions than PostgreSQL's custom-plan tries (5), so the cached generic plan runs too.
    for (let i = 0; i < 8; i++) {
      const batch = readingsFor(patient.id, deviceId, 1 + i * 3);
      const first = await storage.readings.insertBatch(batch, undefined, { notify: i % 2 === 0 });
      expect(first.stored.map((r) => r.idempotencyKey)).toEqual(batch.map((r) => r.idempotencyKey));
      expect(first.duplicates).toEqual([]);
      const again = await storage.readings.insertBatch([...batch.slice(0, 1), ...readingsFor(patient.id, deviceId, 1)], undefined, { notify: i % 2 === 1 });
      expect(again.duplicates.map((r) => r.idempotencyKey)).toEqual([batch[0]?.idempotencyKey]);
      expect(again.stored).toHaveLength(1);
    }
    const inTransaction = readingsFor(patient.id, deviceId, 3);
    const written = await storage.db.transaction((tx) => storage.readings.insertBatch(inTransaction, tx));
    expect(written.stored).toHaveLength(3);
    const all = await storage.readings.inRange(patient.id, { from: new Date(Date.UTC(2026, 4, 1)), to: new Date(Date.UTC(2027, 4, 1)) });
    expect(all).toHaveLength(minute - from);
  });

  it('passes every column as an array literal PostgreSQL reads back exactly: quotes, backslashes, commas, braces, NULL and the text "NULL"', async () => {
    const awkward = ['plain', 'with "quotes"', 'back\\slash', 'a,b', '{braces}', ' spaced ', 'NULL', '', 'ünïcødé ✓', '\\"', null];
    // As JSON, so the client's own array parser (PGlite's reads an element NULL as the text) is not what is tested.
    const { rows } = await storage.db.query<{ a: string }>('SELECT to_json($1::text[])::text AS a', [arrayLiteral(awkward, (v) => v)]);
    expect(JSON.parse(rows[0]?.a ?? 'null')).toEqual(awkward);
    const patient = await storage.registry.createPatient({ nhsNumber: '9876543210' as NhsNumber, givenName: 'Ada', familyName: 'Literal', dateOfBirth: '1948-02-29' });
    const at = new Date(Date.UTC(2026, 6, 1, 12, 34, 56, 789));
    const reading = unwrap(buildReading({ patientId: patient.id, deviceId: null, vital: 'body_temperature', value: 37.15, unit: 'Cel', deviceTime: null, measuredAt: at, receivedAt: at, source: 'manual' }));
    const { stored } = await storage.readings.insertBatch([reading]);
    const [back] = await storage.readings.byIds(patient.id, [stored[0]?.id ?? '']);
    expect(back).toMatchObject({ value: reading.value, measuredAt: at, deviceTime: null, deviceId: null, idempotencyKey: reading.idempotencyKey });
  });
});

describe('insertBatch on a PostgreSQL connection that is replaced', () => {
  let scratch: Awaited<ReturnType<typeof openScratchStorage>>;
  let db: PgDatabase;
  beforeAll(async () => {
    scratch = await openScratchStorage();
    db = new PgDatabase({ connectionString: scratch.url, maxConnections: 1, applicationName: 'prepared-insert-spec' });
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.dispose();
  });

  const preparedNames = () => db.withConnection(async (conn) => (await conn.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((r) => r.name));

  it('prepares it once per connection, and again on the connection that replaces a killed one', async () => {
    const patient = await scratch.storage.registry.createPatient({ nhsNumber: '9434765927' as NhsNumber, givenName: 'Ada', familyName: 'Replaced', dateOfBirth: '1948-02-29' });
    const readings = new ReadingRepository(db, 'plain');
    const deviceId = randomUUID();
    expect((await readings.insertBatch(readingsFor(patient.id, deviceId, 2), undefined, { notify: false })).stored).toHaveLength(2);
    expect(await preparedNames()).toEqual(['homeward_insert_readings_v1']);
    const [before] = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;

    // The server ends the pooled connection (as a restart would); the pool drops it when it hears.
    await scratch.storage.db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', ['prepared-insert-spec']);
    const deadline = Date.now() + 10_000;
    while (db.poolStats().total > 0) {
      if (Date.now() > deadline) throw new Error('the pool kept the killed connection');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const after = readingsFor(patient.id, deviceId, 3);
    expect((await readings.insertBatch(after, undefined, { notify: false })).stored.map((r) => r.idempotencyKey)).toEqual(after.map((r) => r.idempotencyKey));
    const [now] = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    expect(now?.pid).not.toBe(before?.pid);
    expect(await preparedNames()).toEqual(['homeward_insert_readings_v1']);
  });
});
