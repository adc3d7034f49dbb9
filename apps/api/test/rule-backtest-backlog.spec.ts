import type { Alert, Reading } from '@homeward/domain';
import { alertKind } from '@homeward/rules';
import type { AnalyticsAdmission, Storage } from '@homeward/storage';
import { type BacktestAlert, ruleBacktest } from '../src';
import { HOUR, MINUTE, ManualClock, SERVER_BACKEND, admitPatient, anEngine, randomHistory, readingsAt, seededRandom, settle } from './rules-engine.fixture';

type Comparable = Pick<BacktestAlert, 'rule' | 'subject' | 'severity' | 'openedAt' | 'firstMeasuredAt' | 'latestMeasuredAt' | 'occurrences' | 'readingIds'>;
const live = (a: Alert): Comparable => ({
  rule: a.rule,
  subject: a.subject,
  severity: a.severity,
  openedAt: a.openedAt.toISOString(),
  firstMeasuredAt: a.firstMeasuredAt.toISOString(),
  latestMeasuredAt: a.latestMeasuredAt.toISOString(),
  occurrences: a.occurrences,
  readingIds: [...a.readingIds].sort(),
});
const replayed = ({ rule, subject, severity, openedAt, firstMeasuredAt, latestMeasuredAt, occurrences, readingIds }: BacktestAlert): Comparable => ({
  rule,
  subject,
  severity,
  openedAt,
  firstMeasuredAt,
  latestMeasuredAt,
  occurrences,
  readingIds: [...readingIds].sort(),
});
const order = (x: Comparable, y: Comparable) => x.openedAt.localeCompare(y.openedAt) || x.rule.localeCompare(y.rule) || x.subject.localeCompare(y.subject);

// Issue 21 item 4 (the demo's case): readings reach Homeward out of measurement order when a hub
// holds a backlog and delivers it when it reconnects. The engine judges them as they arrive: a
// late reading at its own moment and at the moments it re-opens, with what had arrived by then.
// The backtest of the stored plan follows the arrivals the same way and gives the same clinical
// alerts, opened at the same moments; as if delivered on time it gives others.

describe(`backtest of a history delivered through a hub backlog on ${SERVER_BACKEND.label}`, () => {
  let storage: Storage;
  let close: () => Promise<void>;
  let differedInMeasurementOrder = 0;

  beforeAll(async () => {
    ({ storage, close } = await SERVER_BACKEND.open());
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  it.each([3, 17, 29, 61, 88, 140])('seed %i: the replay in arrival order gives the live clinical alerts', async (seed) => {
    const next = seededRandom(seed);
    const start = new Date('2026-08-01T06:00:00Z');
    const pathway = (['general', 'heart-failure', 'copd'] as const)[seed % 3] ?? 'general';
    const { patient, admission } = await admitPatient(storage, pathway, {}, start);
    const clock = new ManualClock(start);
    const running = await anEngine(storage, clock);
    const history = randomHistory(next, start, 30);
    // Moment 2 of every five waits on the hub and arrives with moment 4 (one batch, one receipt time),
    // after moment 3 came on time (by the patient app): moment 3 was judged without it, then re-opened.
    const arrivalOf = (i: number) => (history[i % 5 === 2 ? Math.min(i + 2, history.length - 1) : i]?.at.getTime() ?? 0) + MINUTE;
    const batches = new Map<number, Reading[]>();
    history.forEach((m, i) => batches.set(arrivalOf(i), [...(batches.get(arrivalOf(i)) ?? []), ...readingsAt(patient.id, m.at, m.values, new Date(arrivalOf(i)))]));
    try {
      for (const [at, readings] of [...batches].sort(([a], [b]) => a - b)) {
        clock.set(new Date(at));
        await storage.readings.insertBatch(readings);
        await settle(storage, running.engine);
      }
    } finally {
      await running.close();
    }
    const end = new Date((history.at(-1)?.at.getTime() ?? start.getTime()) + 6 * HOUR);
    const readings = await storage.readings.inRange(patient.id, { from: new Date(start.getTime() - 30 * 24 * HOUR), to: end, limit: 100_000 });
    const stay: AnalyticsAdmission = { id: admission.id, patientId: patient.id, pathway, carePlan: {}, admittedAt: start, dischargedAt: null, dischargeOutcome: null, previousDischargeAt: null, previousDischargeOutcome: null };
    const report = ruleBacktest([{ admission: stay, readings, proposed: undefined }], [], { from: start, to: end });
    const expected = (await storage.alerts.forPatient(patient.id, { includeResolved: true })).filter((a) => alertKind(a) === 'clinical').map(live).sort(order);
    expect(expected.length).toBeGreaterThan(2);
    expect(report.alerts.current.map(replayed).sort(order)).toEqual(expected);

    // The same readings as if each had arrived a minute after it was measured: the alerts the late
    // readings give open when they arrived, not when measured (on these histories the evidence is the same).
    const onTime = readings.map((r) => ({ ...r, receivedAt: new Date(r.measuredAt.getTime() + MINUTE) }));
    const inOrder = ruleBacktest([{ admission: stay, readings: onTime, proposed: undefined }], [], { from: start, to: end });
    if (JSON.stringify(inOrder.alerts.current.map(replayed).sort(order)) !== JSON.stringify(expected)) differedInMeasurementOrder++;
  }, 300_000);

  it('the backlog mattered: as if delivered on time, the histories differ', () => {
    expect(differedInMeasurementOrder).toBeGreaterThan(0);
  });
});
