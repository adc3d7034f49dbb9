import { type ReadingLane, type Storage, laneOf } from '@homeward/storage';
import type { RulesEngineEvent } from '../src';
import { BACKENDS, HOUR, MINUTE, ManualClock, SERVER_BACKEND, admitPatient, alertsOf, anEngine, readingsAt, settle, summary, untilVisible } from './rules-engine.fixture';

jest.setTimeout(120_000);

const NOW = new Date('2026-03-10T12:00:00.000Z');
const BACKLOG_PATIENTS = 12;
const BACKLOG_MOMENTS = 24; // two readings each: 576 late readings
const PAGE = 32;

// Issue 18 item 2: a live reading's evaluation never waits behind a backfill of late readings.
describe.each(BACKENDS)('rules engine lanes on $label: fresh before backlog', (backend) => {
  let storage: Storage;
  let closeStorage: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close: closeStorage } = await backend.open());
  }, 60_000);
  afterAll(async () => {
    await closeStorage?.();
  });

  it('evaluates a fresh red reading committed after a large late backlog first, then completes the backlog', async () => {
    const clock = new ManualClock(NOW);
    const pages: { lane: ReadingLane; readings: number; alerts: number }[] = [];
    const running = await anEngine(storage, clock, { pageSize: PAGE, latePageSize: PAGE, beforeCommit: (page) => void pages.push(page) });
    const events: RulesEngineEvent[] = [];
    const subscription = running.engine.events$.subscribe((event) => events.push(event));
    try {
      // A hub's upload after a week offline: two days of ordinary readings per patient, received now.
      const backlog = [];
      for (let p = 0; p < BACKLOG_PATIENTS; p++) backlog.push((await admitPatient(storage, 'general', {}, new Date(NOW.getTime() - 10 * 24 * HOUR))).patient.id);
      const late = backlog.flatMap((patientId) =>
        Array.from({ length: BACKLOG_MOMENTS }, (_, i) => readingsAt(patientId, new Date(NOW.getTime() - 7 * 24 * HOUR + i * HOUR), { spo2: 96, heart_rate: 72 }, NOW)).flat(),
      );
      expect(late.every((r) => laneOf(r) === 'late')).toBe(true);
      for (let i = 0; i < late.length; i += 200) await storage.readings.insertBatch(late.slice(i, i + 200));
      // Then, committed after all of it, a live SpO2 of 88 %.
      const live = await admitPatient(storage, 'general', {}, new Date(NOW.getTime() - HOUR));
      const fresh = readingsAt(live.patient.id, new Date(NOW.getTime() - MINUTE), { spo2: 88 }, NOW);
      expect(fresh.map(laneOf)).toEqual(['fresh']);
      await storage.readings.insertBatch(fresh);
      await untilVisible(storage, running.engine.consumerName, late.length + 1);

      await settle(storage, running.engine);

      // The first page the engine committed was the fresh lane's, with the live patient's alerts;
      // every page of the backlog came after it.
      expect(pages[0]).toEqual({ lane: 'fresh', readings: 1, alerts: 2 });
      expect(pages.slice(1).every((p) => p.lane === 'late')).toBe(true);
      expect(pages.slice(1).reduce((n, p) => n + p.readings, 0)).toBe(late.length);
      expect(pages.length - 1).toBeGreaterThanOrEqual(Math.ceil(late.length / PAGE));
      const firstEvents = events.slice(0, 2).map((e) => [e.type, e.alert.patientId, e.alert.rule]);
      expect(firstEvents.sort()).toEqual([
        ['raised', live.patient.id, 'news2-band'],
        ['raised', live.patient.id, 'vital-threshold'],
      ]);
      expect(summary(await alertsOf(storage, live.patient.id)).sort()).toEqual(['news2-band news2 high', 'vital-threshold spo2:at-or-below high']);

      // The backlog was evaluated all the same: nothing waits in either lane, and the late upload
      // raised its technical alert for each of its patients.
      expect(await storage.partitions.unevaluated(running.engine.consumerName, undefined, new Date('9999-12-31T00:00:00Z'))).toEqual([]);
      for (const patientId of backlog) expect((await alertsOf(storage, patientId)).map((a) => a.rule)).toContain('late-delivery');
    } finally {
      subscription.unsubscribe();
      await running.close();
    }
  });

  it('evaluates a fresh red reading announced during the timer pass between its admissions, not after the pass', async () => {
    const clock = new ManualClock(NOW);
    const running = await anEngine(storage, clock);
    const events: RulesEngineEvent[] = [];
    const subscription = running.engine.events$.subscribe((event) => events.push(event));
    const original = storage.readings.latestPerVital.bind(storage.readings);
    const latest = jest.spyOn(storage.readings, 'latestPerVital');
    try {
      const quiet = [];
      for (let p = 0; p < 4; p++) quiet.push((await admitPatient(storage, 'general', {}, new Date(NOW.getTime() - 2 * HOUR))).patient.id);
      const live = await admitPatient(storage, 'general', {}, new Date(NOW.getTime() - HOUR));
      let checkedAfterTheReading = -1;
      let announced = false;
      latest.mockImplementation(async (...args) => {
        if (checkedAfterTheReading >= 0) checkedAfterTheReading += 1;
        if (!announced) {
          // The first admission's silence check is under way when a live SpO2 of 88 % is stored and announced.
          announced = true;
          await storage.readings.insertBatch(readingsAt(live.patient.id, new Date(NOW.getTime() - MINUTE), { spo2: 88 }, NOW));
          await untilVisible(storage, running.engine.consumerName, 1);
          running.engine.wake();
          checkedAfterTheReading = 0;
        }
        return original(...args);
      });
      let passEnded = false;
      const pass = running.engine.runTimers().then(() => (passEnded = true));
      await pass;
      const raised = events.filter((e) => e.type === 'raised' && e.alert.patientId === live.patient.id);
      expect(raised.map((e) => e.alert.rule).sort()).toEqual(['news2-band', 'vital-threshold']);
      expect(passEnded).toBe(true);
      // The reading was evaluated inside the pass, with admissions still to check after it.
      expect(checkedAfterTheReading).toBeGreaterThan(0);
      expect(summary(await alertsOf(storage, live.patient.id)).sort()).toEqual(['news2-band news2 high', 'vital-threshold spo2:at-or-below high']);
      expect(await storage.partitions.unevaluated(running.engine.consumerName, undefined, new Date('9999-12-31T00:00:00Z'))).toEqual([]);
      // Every admission was still checked: the quiet ones and the live one.
      expect(latest.mock.calls.length).toBeGreaterThanOrEqual(quiet.length + 1);
    } finally {
      latest.mockRestore();
      subscription.unsubscribe();
      await running.close();
    }
  });
});

// Late readings gather between pages that are not full (latePageGatherMs): the engine must come
// back for them when the lane is due, though nothing announces them after that and it does not poll.
describe(`rules engine on ${SERVER_BACKEND.label}: late readings gathering`, () => {
  let storage: Storage;
  let closeStorage: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close: closeStorage } = await SERVER_BACKEND.open());
  }, 60_000);
  afterAll(async () => {
    await closeStorage?.();
  });

  it('evaluates late readings that arrived while their lane gathered once it is due, with no later announcement and no poll', async () => {
    const clock = new ManualClock(NOW);
    // Polling every 10 minutes: only the engine's own wake-up can evaluate the gathered readings within the wait below.
    const running = await anEngine(storage, clock, { enabled: true, latePageGatherMs: 3_000, pollIntervalMs: 600_000, timerIntervalMs: 600_000 });
    try {
      const { patient } = await admitPatient(storage, 'general', {}, new Date(NOW.getTime() - 48 * HOUR));
      const waiting = async () => (await storage.partitions.unevaluated(running.engine.consumerName, undefined, new Date('9999-12-31T00:00:00Z'))).reduce((n, p) => n + p.count, 0);
      const untilEvaluated = async (what: string) => {
        const deadline = Date.now() + 30_000;
        while ((await waiting()) > 0) {
          if (Date.now() > deadline) throw new Error(`${what}: still unevaluated after 30 s`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const late = (hoursAgo: number) => readingsAt(patient.id, new Date(NOW.getTime() - hoursAgo * HOUR), { heart_rate: 72 }, NOW);
      expect(late(20).map(laneOf)).toEqual(['late']);
      await storage.readings.insertBatch(late(20));
      await untilEvaluated('the first late reading');
      // Its page was not full: the lane gathers for 3 s, and this one's announcement finds it gathering.
      await storage.readings.insertBatch(late(19));
      await untilEvaluated('the late reading that arrived while the lane gathered');
    } finally {
      await running.close();
    }
  });
});
