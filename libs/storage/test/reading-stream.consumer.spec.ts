import { randomUUID } from 'node:crypto';
import { type Reading, buildReading, unwrap } from '@homeward/domain';
import {
  type ReadingPageHandler,
  type ReadingStreamConsumerOptions,
  type ReadingStreamPage,
  ReadingStreamConsumer,
  type Storage,
  laneOf,
  openScratchStorage,
  prepare,
} from '../src';
import { PgliteDatabase } from '../src/pglite';

const NOW = new Date('2026-03-10T12:00:00.000Z');

/** An SpO2 reading measured `minutesAgo` before it was received (NOW): late beyond an hour. */
function reading(patientId: string, minutesAgo: number, value = 96): Reading {
  const measuredAt = new Date(NOW.getTime() - minutesAgo * 60_000);
  return unwrap(buildReading({ patientId, deviceId: null, vital: 'spo2', value, unit: '%', measuredAt, deviceTime: measuredAt, receivedAt: NOW, source: 'manual' }));
}

// ReadingStreamConsumer, the cursor-plus-lease consumer under the rules engine, on plain
// PostgreSQL and on TimescaleDB (PGlite).
describe.each([
  [
    'PostgreSQL',
    openScratchStorage,
  ],
  [
    'TimescaleDB (PGlite)',
    async () => {
      const storage = await prepare(await PgliteDatabase.create({ timescale: true }), { mode: 'embedded', engine: 'timescale' });
      return { storage, dispose: () => storage.close() };
    },
  ],
] as const)('ReadingStreamConsumer on %s', (label, open) => {
  let storage: Storage;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, dispose } = await open());
    // What the handlers write with their pages: one row per reading handled.
    await storage.db.query('CREATE TABLE consumer_test_handled (consumer text NOT NULL, reading_id bigint NOT NULL, lane text NOT NULL)');
  }, 120_000);
  afterAll(() => dispose?.());

  /** A consumer of its own, started at the current end of both lanes, so it sees only its test's readings. */
  async function aConsumer(options: Partial<ReadingStreamConsumerOptions> = {}) {
    const consumer = `consumer-test-${randomUUID().slice(0, 8)}`;
    const end = (await storage.db.query<{ txid: string; id: string }>('SELECT txid::text AS txid, id::text AS id FROM readings ORDER BY readings.txid DESC, readings.id DESC LIMIT 1')).rows[0];
    if (end) await storage.alerts.advanceCursor(consumer, { txid: '0', id: '0' }, end);
    return { name: consumer, stream: new ReadingStreamConsumer(storage, { consumer, pageSize: 3, ...options }) };
  }

  /** A handler that records each page and writes one row per reading with it. */
  function recorder(consumer: string, pages: ReadingStreamPage[]): ReadingPageHandler {
    return async (page) => ({
      write: async (tx) => {
        for (const r of page.readings) await tx.query('INSERT INTO consumer_test_handled VALUES ($1, $2, $3)', [consumer, r.id, page.lane]);
      },
      committed: () => void pages.push(page),
    });
  }

  /** Drains until `count` readings are handled (another database's open transaction may hold rows back a moment). */
  /**
   * `record`, noting in `order` when each page starts and commits; the first late page runs
   * `arrive` (a live reading arrives and is announced) before it is recorded, then notes that it resumed.
   */
  function liveReadingDuringLatePage(record: ReadingPageHandler, order: string[], arrive: (page: ReadingStreamPage) => Promise<void>): ReadingPageHandler {
    let arrived = false;
    return async (page) => {
      order.push(`start ${page.lane}`);
      if (page.lane === 'late' && !arrived) {
        arrived = true;
        await arrive(page);
        order.push('late resumed');
      }
      const writes = await record(page);
      return { ...writes, committed: () => (order.push(`committed ${page.lane}`), writes.committed?.()) };
    };
  }

  async function drainAll(stream: ReadingStreamConsumer, handler: ReadingPageHandler, count: number): Promise<number> {
    let total = 0;
    const deadline = Date.now() + 30_000;
    while (total < count && Date.now() < deadline) {
      total += (await stream.drain(handler)).consumed;
      if (total < count) await new Promise((r) => setTimeout(r, 20));
    }
    return total;
  }

  async function handledBy(consumer: string): Promise<{ reading_id: string; lane: string }[]> {
    return (await storage.db.query<{ reading_id: string; lane: string }>('SELECT reading_id::text AS reading_id, lane FROM consumer_test_handled WHERE consumer = $1 ORDER BY reading_id', [consumer])).rows;
  }

  it('takes every page of the fresh lane before the next page of the late lane, each lane from its own cursor', async () => {
    const { name, stream } = await aConsumer();
    const patient = randomUUID();
    const late = await storage.readings.insertBatch(Array.from({ length: 7 }, (_, i) => reading(patient, 24 * 60 + i)));
    const fresh = await storage.readings.insertBatch([reading(patient, 2, 88), reading(patient, 1, 87)]);
    expect([...late.stored.map(laneOf), ...fresh.stored.map(laneOf)]).toEqual([...Array(7).fill('late'), 'fresh', 'fresh']);
    const pages: ReadingStreamPage[] = [];
    expect(await drainAll(stream, recorder(name, pages), 9)).toBe(9);

    expect(pages.map((p) => [p.lane, p.readings.length])).toEqual([
      ['fresh', 2],
      ['late', 3],
      ['late', 3],
      ['late', 1],
    ]);
    // Every reading handled once, written with its page.
    expect((await handledBy(name)).map((r) => r.reading_id).sort()).toEqual([...late.stored, ...fresh.stored].map((r) => r.id).sort());
    // Each lane's cursor is at its lane's last reading; a late page knows the fresh lane was handled.
    const lastOf = (rows: readonly { id: string }[]) => String(Math.max(...rows.map((r) => Number(r.id))));
    expect(await storage.alerts.readCursor(name)).toMatchObject({ id: lastOf(fresh.stored) });
    expect(await storage.alerts.readCursor(`${name}.late`)).toMatchObject({ id: lastOf(late.stored) });
    expect(pages[1]?.handled.fresh).toMatchObject({ id: lastOf(fresh.stored) });
    expect(await stream.drain(recorder(name, pages))).toMatchObject({ consumed: 0 });
  });

  it('takes smaller late pages while the fresh lane is busy, and large ones (laterLanePageSize) once it has been quiet for the set time', async () => {
    let now = 1_000_000;
    const { name, stream } = await aConsumer({ laterLanePageSize: 5, whileFirstLaneBusy: { pageSize: 1, forMs: 1_000 }, now: () => now });
    const patient = randomUUID();
    await storage.readings.insertBatch(Array.from({ length: 4 }, (_, i) => reading(patient, 24 * 60 + i)));
    await storage.readings.insertBatch([reading(patient, 1, 88)]);
    const pages: ReadingStreamPage[] = [];
    expect(await drainAll(stream, recorder(name, pages), 5)).toBe(5);
    // A live reading had a page just now: the backlog goes a reading at a time.
    expect(pages.map((p) => [p.lane, p.readings.length, p.firstLaneBusy])).toEqual([
      ['fresh', 1, false],
      ['late', 1, true],
      ['late', 1, true],
      ['late', 1, true],
      ['late', 1, true],
    ]);

    now += 999; // still busy
    await storage.readings.insertBatch(Array.from({ length: 2 }, (_, i) => reading(patient, 2 * 24 * 60 + i)));
    pages.length = 0;
    expect(await drainAll(stream, recorder(name, pages), 2)).toBe(2);
    expect(pages.map((p) => [p.lane, p.readings.length])).toEqual([['late', 1], ['late', 1]]);

    now += 1; // quiet for the whole second: large pages again
    await storage.readings.insertBatch(Array.from({ length: 7 }, (_, i) => reading(patient, 3 * 24 * 60 + i)));
    pages.length = 0;
    expect(await drainAll(stream, recorder(name, pages), 7)).toBe(7);
    expect(pages.map((p) => [p.lane, p.readings.length, p.firstLaneBusy])).toEqual([
      ['late', 5, false],
      ['late', 2, false],
    ]);

    // The fresh lane keeps its own page size (3) whatever the late lane's.
    await storage.readings.insertBatch(Array.from({ length: 4 }, (_, i) => reading(patient, 10 + i)));
    pages.length = 0;
    expect(await drainAll(stream, recorder(name, pages), 4)).toBe(4);
    expect(pages.map((p) => [p.lane, p.readings.length])).toEqual([['fresh', 3], ['fresh', 1]]);
  });

  it('laterLaneGatherMs: after a late page that was not full the late lane gathers for the set time, saying when it is due; a full page is followed at once; fresh readings never wait', async () => {
    let now = 5_000_000;
    // The fresh lane counts as busy for 1 ms only, so late pages keep their idle size (4) here.
    const { name, stream } = await aConsumer({ laterLanePageSize: 4, laterLaneGatherMs: 1_000, whileFirstLaneBusy: { forMs: 1 }, now: () => now });
    const patient = randomUUID();
    const pages: ReadingStreamPage[] = [];
    const handler = recorder(name, pages);
    await storage.readings.insertBatch(Array.from({ length: 6 }, (_, i) => reading(patient, 24 * 60 + i)));
    expect(await drainAll(stream, handler, 6)).toBe(6);
    // A full page (a backlog) then the rest at once: the second, not full, starts the gathering.
    expect(pages.map((p) => [p.lane, p.readings.length])).toEqual([
      ['late', 4],
      ['late', 2],
    ]);

    // Late readings arriving within the second wait, the drain saying how long; a fresh one goes at once.
    // (The clock stands still meanwhile: only the gathering can keep the late lane from being read.)
    now += 400;
    await storage.readings.insertBatch(Array.from({ length: 3 }, (_, i) => reading(patient, 2 * 24 * 60 + i)));
    await storage.readings.insertBatch([reading(patient, 1, 88)]);
    pages.length = 0;
    expect(await drainAll(stream, handler, 1)).toBe(1);
    expect(pages.map((p) => [p.lane, p.readings.length])).toEqual([['fresh', 1]]);
    expect(await stream.drain(handler)).toMatchObject({ consumed: 0, laterDueInMs: 600 });

    // Due: the gathered readings in one page, which (not full) gathers again.
    now += 600;
    pages.length = 0;
    expect(await drainAll(stream, handler, 3)).toBe(3);
    expect(pages.map((p) => [p.lane, p.readings.length])).toEqual([['late', 3]]);
    expect((await stream.drain(handler)).laterDueInMs).toBe(1_000);

    // Once due, a lane found empty stops gathering: a late reading after a quiet spell is read as it comes.
    now += 1_000;
    expect(await stream.drain(handler)).toMatchObject({ consumed: 0 });
    await storage.readings.insertBatch([reading(patient, 4 * 24 * 60)]);
    expect(await drainAll(stream, handler, 1)).toBe(1);

    // Without the option a late lane never gathers: each late reading is read as it comes, the clock standing still.
    const { name: other, stream: atOnce } = await aConsumer({ laterLanePageSize: 4, now: () => now });
    const atOnceHandler = recorder(other, []);
    await storage.readings.insertBatch([reading(patient, 3 * 24 * 60)]);
    expect(await drainAll(atOnce, atOnceHandler, 1)).toBe(1);
    await storage.readings.insertBatch([reading(patient, 3 * 24 * 60 + 1)]);
    expect(await drainAll(atOnce, atOnceHandler, 1)).toBe(1);
    expect((await atOnce.drain(atOnceHandler)).laterDueInMs).toBeUndefined();
  });

  it('gives way after each late page while the fresh lane is busy, for as long as the page took, taking announced fresh pages meanwhile', async () => {
    let now = 5_000_000;
    const waits: number[] = [];
    const patient = randomUUID();
    let announce: (() => void) | undefined;
    const sleep = async (ms: number) => {
      waits.push(ms);
      now += ms;
      if (!announce) return;
      const arrived = announce;
      announce = undefined;
      await storage.readings.insertBatch([reading(patient, 0, 86)]); // a live reading arrives while the backlog gives way
      arrived();
    };
    const { name, stream } = await aConsumer({ pageSize: 2, whileFirstLaneBusy: { pageSize: 2, forMs: 10_000 }, now: () => now, sleep });
    announce = () => stream.nudge();
    await storage.readings.insertBatch(Array.from({ length: 4 }, (_, i) => reading(patient, 24 * 60 + i)));
    await storage.readings.insertBatch([reading(patient, 1, 88)]);
    const order: string[] = [];
    const record = recorder(name, []);
    const handler: ReadingPageHandler = async (page) => {
      order.push(`${page.lane} ${page.readings.length}`);
      if (page.lane === 'late') now += 30; // each late page takes 30 ms
      return record(page);
    };
    expect(await drainAll(stream, handler, 6)).toBe(6);
    // The live reading announced during the first wait is taken then, before the next late page.
    expect(order).toEqual(['fresh 1', 'late 2', 'fresh 1', 'late 2']);
    // After each late page (30 ms), 30 ms given way in steps of at most 20 ms, looking at the fresh lane between.
    expect(waits).toEqual([20, 10, 20, 10]);
  });

  it('startAt end: a new cursor starts past every committed reading (history is never read) and before every one in flight', async () => {
    const patient = randomUUID();
    const history = await storage.readings.insertBatch([reading(patient, 6, 90), reading(patient, 5 * 24 * 60, 91)]);
    const name = `consumer-test-${randomUUID().slice(0, 8)}`;
    const stream = new ReadingStreamConsumer(storage, { consumer: name, pageSize: 3, startAt: 'end' });
    const pages: ReadingStreamPage[] = [];
    // PGlite runs one transaction at a time: a writer in flight while the cursor is made needs a server.
    const concurrent = label === 'PostgreSQL';
    let commit: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (commit = resolve));
    let opened: () => void = () => undefined;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const inFlight = concurrent
      ? storage.db.transaction(async (tx) => {
          const written = await storage.readings.insertBatch([reading(patient, 4, 92)], tx);
          opened();
          await held;
          return written.stored;
        })
      : (opened(), Promise.resolve([]));
    await isOpen;
    expect(await stream.drain(recorder(name, pages))).toMatchObject({ consumed: 0 });
    commit();
    const later = (await inFlight).concat((await storage.readings.insertBatch([reading(patient, 3, 93)])).stored);
    expect(await drainAll(stream, recorder(name, pages), later.length)).toBe(later.length);
    const handled = (await handledBy(name)).map((r) => r.reading_id);
    expect(handled.sort()).toEqual(later.map((r) => r.id).sort());
    expect(handled.some((id) => history.stored.some((r) => r.id === id))).toBe(false);
    // Both lanes started at the end: the late lane's cursor was seeded from the first's.
    expect(pages.flatMap((p) => p.readings.map((r) => r.value)).sort()).toEqual(concurrent ? [92, 93] : [93]);
  });

  it('lets a fresh page announced during a late page in progress commit before that late page ends (yieldToFirstLane)', async () => {
    const { name, stream } = await aConsumer();
    const patient = randomUUID();
    const late = await storage.readings.insertBatch(Array.from({ length: 3 }, (_, i) => reading(patient, 24 * 60 + i)));
    const pages: ReadingStreamPage[] = [];
    const order: string[] = [];
    let fresh: readonly { id: string }[] = [];
    const handler = liveReadingDuringLatePage(recorder(name, pages), order, async (page) => {
      // A live reading arrives while the late page is being evaluated, and is announced.
      fresh = (await storage.readings.insertBatch([reading(patient, 1, 85)])).stored;
      // On a shared server another database's open transaction can hold it back a moment (xmin is
      // server-wide): announce it once it may be passed, as the notification of a later commit would.
      const cursor = await storage.alerts.readCursor(name);
      const deadline = Date.now() + 30_000;
      while (!(await storage.readings.afterCursor(cursor ?? { txid: '0', id: '0' }, 10, undefined, 'fresh')).readings.some((r) => r.id === fresh[0]?.id) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      stream.nudge();
      await page.yieldToFirstLane();
    });
    expect(await drainAll(stream, handler, 4)).toBe(4);
    expect(order).toEqual(['start late', 'start fresh', 'committed fresh', 'late resumed', 'committed late']);
    expect((await handledBy(name)).map((r) => r.reading_id).sort()).toEqual([...late.stored, ...fresh].map((r) => r.id).sort());
    expect(await storage.alerts.readCursor(name)).toMatchObject({ id: fresh[0]?.id });
    // Without an announcement a yield does nothing.
    expect(await stream.drain(handler)).toMatchObject({ consumed: 0 });
  });

  it('sees an announcement that arrives as I/O while a late page works in promise continuations only, and lets the fresh page in', async () => {
    let now = 9_000_000;
    const { name, stream } = await aConsumer({ now: () => now });
    const patient = randomUUID();
    await storage.readings.insertBatch(Array.from({ length: 3 }, (_, i) => reading(patient, 24 * 60 + i)));
    const order: string[] = [];
    let fresh: readonly { id: string }[] = [];
    const handler = liveReadingDuringLatePage(recorder(name, []), order, async (page) => {
      fresh = (await storage.readings.insertBatch([reading(patient, 1, 85)])).stored;
      // The announcement comes from the event loop (as a LISTEN notification does), not from this code.
      setTimeout(() => stream.nudge(), 0);
      // The late page's patients: CPU work between awaits that never wait for I/O.
      for (let patientIndex = 0; patientIndex < 200 && !order.includes('committed fresh'); patientIndex++) {
        now += 25; // each patient takes 25 ms
        await page.yieldToFirstLane();
      }
    });
    expect(await drainAll(stream, handler, 4)).toBe(4);
    expect(order).toEqual(['start late', 'start fresh', 'committed fresh', 'late resumed', 'committed late']);
    expect(await storage.alerts.readCursor(name)).toMatchObject({ id: fresh[0]?.id });
  });

  it('rolls a page back with its writes when the handler fails, and hands the same page again (at least once)', async () => {
    const { name, stream } = await aConsumer();
    const stored = await storage.readings.insertBatch([reading(randomUUID(), 1), reading(randomUUID(), 1)]);
    let fail = true;
    const pages: ReadingStreamPage[] = [];
    const flaky: ReadingPageHandler = async (page) => {
      const writes = await recorder(name, pages)(page);
      return {
        ...writes,
        write: async (tx) => {
          await writes.write(tx);
          if (fail) throw new Error('crash before commit');
        },
      };
    };
    await expect(drainAll(stream, flaky, 2)).rejects.toThrow('crash before commit');
    expect(await handledBy(name)).toEqual([]);
    const ids = stored.stored.map((r) => r.id);
    expect(ids).not.toContain((await storage.alerts.readCursor(name)).id);
    fail = false;
    expect(await drainAll(stream, flaky, 2)).toBe(2);
    expect((await handledBy(name)).map((r) => r.reading_id).sort()).toEqual(ids.sort());
  });

  it('stops after the page in progress when asked, and carries on from its cursor at the next drain', async () => {
    const { name, stream } = await aConsumer();
    const patient = randomUUID();
    await storage.readings.insertBatch(Array.from({ length: 8 }, (_, i) => reading(patient, 10 - i)));
    const pages: ReadingStreamPage[] = [];
    let first = 0;
    for (const deadline = Date.now() + 30_000; first === 0 && Date.now() < deadline; ) first = (await stream.drain(recorder(name, pages), () => true)).consumed;
    expect(first).toBe(3);
    expect(pages).toHaveLength(1);
    expect(await drainAll(stream, recorder(name, pages), 5)).toBe(5);
    expect(pages.map((p) => p.readings.length)).toEqual([3, 3, 2]);
  });

  it('leaves a page to the instance that moved the cursor first (compare and set), committing none of its writes', async () => {
    const { name } = await aConsumer();
    const other = new ReadingStreamConsumer(storage, { consumer: name, pageSize: 3 });
    await storage.readings.insertBatch([reading(randomUUID(), 1)]);
    const lost: string[] = [];
    const racing = new ReadingStreamConsumer(storage, { consumer: name, pageSize: 3, onPageLost: (reason) => lost.push(reason) });
    const pages: ReadingStreamPage[] = [];
    // While this instance evaluates its page, the other handles the same page and commits first.
    const slow: ReadingPageHandler = async (page) => {
      await drainAll(other, recorder(`${name}:other`, []), 1);
      return recorder(name, pages)(page);
    };
    let seen = 0;
    for (const deadline = Date.now() + 30_000; lost.length === 0 && Date.now() < deadline; ) seen += (await racing.drain(slow)).consumed;
    expect(lost).toEqual(['cursor-moved']);
    expect(seen).toBe(0);
    expect(await handledBy(name)).toEqual([]);
    expect(await handledBy(`${name}:other`)).toHaveLength(1);
  });

  it('starts a lane cursor that does not exist yet where the consumer\'s cursor is: an upgraded single-cursor consumer skips nothing and replays nothing', async () => {
    const consumer = `consumer-test-${randomUUID().slice(0, 8)}`;
    const patient = randomUUID();
    // Handled by a single-cursor consumer before the lanes existed: its cursor is past both.
    const before = await storage.readings.insertBatch([reading(patient, 3 * 60), reading(patient, 2)]);
    const end = (await storage.db.query<{ txid: string; id: string }>('SELECT txid::text AS txid, id::text AS id FROM readings ORDER BY readings.txid DESC, readings.id DESC LIMIT 1')).rows[0];
    await storage.alerts.advanceCursor(consumer, { txid: '0', id: '0' }, end!);
    const after = await storage.readings.insertBatch([reading(patient, 5 * 60), reading(patient, 1)]);
    const pages: ReadingStreamPage[] = [];
    const stream = new ReadingStreamConsumer(storage, { consumer, pageSize: 3 });
    expect(await drainAll(stream, recorder(consumer, pages), 2)).toBe(2);
    expect((await handledBy(consumer)).map((r) => r.reading_id).sort()).toEqual(after.stored.map((r) => r.id).sort());
    expect(before.stored.every((r) => !pages.some((p) => p.readings.some((x) => x.id === r.id)))).toBe(true);
  });

  it('with partitioning, evaluates only the partitions whose leases it holds, and gives a page up when its lease is gone', async () => {
    const { name } = await aConsumer();
    const partitioning = { partitions: 2, leaseMs: 60_000 };
    const a = new ReadingStreamConsumer(storage, { consumer: name, pageSize: 10, partitioning: { ...partitioning, workerId: 'a' } });
    await a.renewLeases();
    expect(a.ownedPartitions).toEqual([0, 1]);
    const patients = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await storage.readings.insertBatch(patients.map((p) => reading(p, 1)));
    const pages: ReadingStreamPage[] = [];
    expect(await drainAll(a, recorder(name, pages), 4)).toBe(4);
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) {
      for (const r of page.readings) {
        const { rows } = await storage.db.query<{ p: number }>('SELECT homeward_patient_partition($1::uuid, 2) AS p', [r.patientId]);
        expect(rows[0]?.p).toBe(page.partition);
      }
    }
    // Its leases taken from it while a page is evaluated: that page is rolled back, for the new holder.
    await storage.readings.insertBatch([reading(patients[0]!, 1, 90)]);
    const lost: string[] = [];
    const b = new ReadingStreamConsumer(storage, { consumer: name, pageSize: 10, partitioning: { ...partitioning, workerId: 'b' }, onPageLost: (reason) => lost.push(reason) });
    await a.release();
    await b.renewLeases();
    expect(b.ownedPartitions).toEqual([0, 1]);
    const stolen: ReadingPageHandler = async (page) => {
      await storage.db.query(`UPDATE rules_partition_leases SET owner = 'a' WHERE consumer = $1`, [name]);
      return recorder(`${name}:b`, [])(page);
    };
    for (const deadline = Date.now() + 30_000; lost.length === 0 && Date.now() < deadline; ) await b.drain(stolen);
    expect(lost).toEqual(['lease-lost']);
    expect(await handledBy(`${name}:b`)).toEqual([]);
    expect(b.ownedPartitions).toHaveLength(1);
  });
});
