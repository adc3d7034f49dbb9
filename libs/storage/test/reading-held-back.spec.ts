import { randomUUID } from 'node:crypto';
import { type Reading, buildReading, unwrap } from '@homeward/domain';
import { type ReadingLane, type Storage, heldBackSql, openScratchStorage } from '../src';

const NOW = new Date('2026-03-10T12:00:00.000Z');

/** An SpO2 reading received at NOW, measured `minutesAgo` before: late beyond an hour, else fresh. */
function reading(patientId: string, minutesAgo: number): Reading {
  const measuredAt = new Date(NOW.getTime() - minutesAgo * 60_000);
  return unwrap(buildReading({ patientId, deviceId: null, vital: 'spo2', value: 96, unit: '%', measuredAt, deviceTime: measuredAt, receivedAt: NOW, source: 'manual' }));
}

const MINUTES_AGO: Record<ReadingLane, number> = { fresh: 5, late: 3 * 24 * 60 };

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Index Cond'?: string;
  readonly Plans?: readonly PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

// ReadingRepository.afterCursor's "held back" answer: committed readings that wait behind an older
// transaction still open, so the consumer must look again soon. A transaction in flight needs a
// server, so PostgreSQL only (PGlite runs one transaction at a time).
describe('readings held back behind an open transaction (afterCursor heldBack)', () => {
  let storage: Storage;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, dispose } = await openScratchStorage());
  }, 120_000);
  afterAll(() => dispose?.());

  it.each(['fresh', 'late'] as const)('says a committed %s reading waits while an older transaction is open, for the lane and for its partition', async (lane) => {
    const patient = randomUUID();
    const end = (await storage.db.query<{ txid: string; id: string }>('SELECT txid::text AS txid, id::text AS id FROM readings ORDER BY readings.txid DESC, readings.id DESC LIMIT 1')).rows[0];
    const cursor = end ?? { txid: '0', id: '0' };
    const partition = (await storage.db.query<{ k: number }>('SELECT homeward_patient_partition($1::uuid, 4) AS k', [patient])).rows[0]?.k ?? 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let opened: () => void = () => undefined;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    // The older transaction: it has written (so it has a txid) and stays open.
    const older = storage.db.transaction(async (tx) => {
      await storage.readings.insertBatch([reading(patient, MINUTES_AGO[lane] + 1)], tx);
      opened();
      await held;
    });
    try {
      await isOpen;
      const later = await storage.readings.insertBatch([reading(patient, MINUTES_AGO[lane])]);
      expect(later.stored).toHaveLength(1);

      const whole = await storage.readings.afterCursor(cursor, 100, undefined, lane);
      // Neither reading may be passed yet: the committed one comes after the open one's txid.
      expect(whole.readings.map((r) => r.patientId)).not.toContain(patient);
      expect(whole.heldBack).toBe(true);

      const own = await storage.readings.afterCursor(cursor, 100, { index: partition, count: 4 }, lane);
      expect(own.readings.map((r) => r.patientId)).not.toContain(patient);
      expect(own.heldBack).toBe(true);
      // Another partition's cursor has nothing of this patient to wait for (other tests' rows aside).
      const other = await storage.readings.afterCursor(cursor, 100, { index: (partition + 1) % 4, count: 4 }, lane);
      expect(other.readings.map((r) => r.patientId)).not.toContain(patient);
    } finally {
      release();
      await older;
    }
  });

  it.each([
    ['fresh', false],
    ['late', false],
    ['fresh', true],
    ['late', true],
  ] as const)('probes the %s lane (partitioned: %s) through its partial index from the in-flight end, also before the table is analysed', async (lane, partitioned) => {
    // Thousands of rows in both lanes, no ANALYZE since: where the old EXISTS form was planned as a sequential scan.
    const patients = Array.from({ length: 20 }, () => randomUUID());
    await storage.readings.insertBatch(Array.from({ length: 3_000 }, (_, i) => reading(patients[i % patients.length] as string, i % 2 === 0 ? 3 * 24 * 60 + i : 30)));
    const params = partitioned ? ['1', '0', 0, 4] : ['1', '0'];
    const { rows } = await storage.db.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${heldBackSql(lane, partitioned)}`, params);
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    expect(plan).toBeDefined();
    const nodes = nodesOf(plan as PlanNode);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    const scan = nodes.find((n) => n['Index Name'] === `readings_${lane}_txid`);
    // One scalar start bound: the later of the cursor's txid and the snapshot's xmin.
    expect(scan?.['Index Cond']).toMatch(/^\(txid >= GREATEST\(/);
  });
});
