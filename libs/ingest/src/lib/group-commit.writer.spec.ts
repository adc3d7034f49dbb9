import { randomUUID } from 'node:crypto';
import type { Reading } from '@homeward/domain';
import { type Storage, openScratchStorage } from '@homeward/storage';
import { CoalescedWake } from './coalesced-wake';
import { GroupCommitWriter } from './group-commit.writer';
import { IngestPipeline } from './ingest.pipeline';

// Group commit against real PostgreSQL: a promise resolves only for readings its batch
// committed; a bad reading sinks only its own submission; a cut connection acknowledges nothing.
let storage: Storage;
let dispose: () => Promise<void>;
let builder: IngestPipeline;

beforeAll(async () => {
  ({ storage, dispose } = await openScratchStorage());
  builder = new IngestPipeline(storage, { maxClockSkewMs: 5 * 60_000 });
});
afterAll(() => dispose?.());

/** One valid heart-rate reading of a new patient, as the pipeline builds it. */
function aReading(value = 70, who = { patientId: randomUUID(), deviceId: randomUUID() }): Reading {
  const at = new Date('2026-11-20T10:00:00Z');
  const { valid } = builder.prepare({ source: 'mqtt', ...who, receivedAt: at, deviceClockAt: null, readings: [{ vital: 'heart_rate', value, unit: '/min', deviceTime: at }] });
  return valid[0] as Reading;
}

async function storedKeys(readings: readonly Reading[]): Promise<string[]> {
  const { rows } = await storage.db.query<{ idempotency_key: string }>('SELECT idempotency_key FROM readings WHERE idempotency_key = ANY ($1::text[])', [readings.map((r) => r.idempotencyKey)]);
  return rows.map((r) => r.idempotency_key).sort();
}

describe.each([1, 2])('GroupCommitWriter with %i batch(es) in flight', (maxConcurrentBatches) => {
  it('many concurrent publishers: each is answered with its own reading, every reading stored once, a copy sent twice is a duplicate', async () => {
    let wakes = 0;
    const writer = new GroupCommitWriter(storage.readings, { maxConcurrentBatches, wakeConsumers: () => (wakes += 1) });
    const readings = Array.from({ length: 300 }, (_, i) => aReading(40 + (i % 100)));
    const twice = readings[7] as Reading;
    const results = await Promise.all([...readings, twice].map((r) => writer.write([r])));
    readings.forEach((reading, i) => {
      const result = results[i];
      expect([...(result?.stored ?? []), ...(result?.duplicates ?? [])].map((r) => r.idempotencyKey)).toEqual([reading.idempotencyKey]);
    });
    expect(results.reduce((n, r) => n + r.stored.length, 0)).toBe(300);
    expect(results.reduce((n, r) => n + r.duplicates.length, 0)).toBe(1);
    expect(await storedKeys(readings)).toEqual(readings.map((r) => r.idempotencyKey).sort());
    // Batched: fewer commits (each one wake) than submissions.
    expect(wakes).toBeGreaterThan(0);
    expect(wakes).toBeLessThan(301);
    expect(writer.backlog).toBe(0);
  });

  it('a reading the database refuses sinks only its own submission; the others in its batch are stored and answered', async () => {
    const writer = new GroupCommitWriter(storage.readings, { maxConcurrentBatches });
    // The first write goes at once; the rest queue behind it and share the next statement(s).
    const first = aReading();
    const good = [aReading(), aReading(), aReading()];
    const bad = { ...aReading(), patientId: 'not-a-uuid' } as Reading;
    const writes = [first, good[0], bad, good[1], good[2]].map((r) => writer.write([r as Reading]).then((result) => ({ ok: true as const, result }), (error: unknown) => ({ ok: false as const, error })));
    const [a, b, c, d, e] = await Promise.all(writes);
    for (const outcome of [a, b, d, e]) expect(outcome?.ok && outcome.result.stored).toHaveLength(1);
    expect(c?.ok).toBe(false);
    expect((c as { error: { code?: string } }).error.code).toBe('22P02');
    expect(await storedKeys([first, ...good, bad])).toEqual([first, ...good].map((r) => r.idempotencyKey).sort());
  });

  it('the connection cut mid-batch: no submission of that batch is answered as stored, nothing of it is stored, and the next batch is written', async () => {
    const writer = new GroupCommitWriter(storage.readings, { maxConcurrentBatches });
    const cut = [aReading(), aReading(), aReading()];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked: () => void = () => undefined;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // Another session holds reading_keys, so the batch's INSERT waits inside its statement.
    const holder = storage.db.withConnection(async (conn) => {
      await conn.query('BEGIN');
      await conn.query('LOCK TABLE reading_keys IN ACCESS EXCLUSIVE MODE');
      locked();
      await released;
      await conn.query('ROLLBACK');
    });
    await lockTaken;
    const outcomes = cut.map((r) => writer.write([r]).then(() => 'answered' as const, () => 'failed' as const));
    // Wait until every one of them is in a statement blocked on the lock, then cut those connections.
    for (let waiting = 0; waiting < 1; ) {
      const { rows } = await storage.db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH input AS%'`);
      waiting = rows.length;
      if (waiting === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const cutAll = async () => {
      // With two in flight the second batch may block only after the first is cut: cut until all have failed.
      const settled = Promise.all(outcomes);
      let done = false;
      void settled.then(() => (done = true));
      while (!done) {
        await storage.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH input AS%'`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return settled;
    };
    expect(await cutAll()).toEqual(['failed', 'failed', 'failed']);
    release();
    await holder;
    expect(await storedKeys(cut)).toEqual([]);
    const after = aReading();
    expect((await writer.write([after])).stored).toHaveLength(1);
  });
});

describe('CoalescedWake', () => {
  it('sends the first poke at once, folds the pokes of one interval into one send at its end, and loses none', () => {
    const timers: Array<() => void> = [];
    let sent = 0;
    const wake = new CoalescedWake(async () => (sent += 1), 20, undefined, (fn) => timers.push(fn));
    wake.poke();
    expect(sent).toBe(1);
    wake.poke();
    wake.poke();
    wake.poke();
    expect(sent).toBe(1);
    timers.shift()?.(); // the interval ends: one send for the three pokes
    expect(sent).toBe(2);
    timers.shift()?.(); // a quiet interval: nothing pending, nothing sent
    expect(sent).toBe(2);
    expect(timers).toHaveLength(0);
    wake.poke(); // after a quiet spell: at once again
    expect(sent).toBe(3);
  });

  it('reports a failed send and keeps waking afterwards', async () => {
    const timers: Array<() => void> = [];
    const errors: unknown[] = [];
    let attempts = 0;
    const wake = new CoalescedWake(
      async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('connection refused');
      },
      20,
      (error) => errors.push(error),
      (fn) => timers.push(fn),
    );
    wake.poke();
    wake.poke();
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toHaveLength(1);
    timers.shift()?.();
    expect(attempts).toBe(2);
  });
});
