import { randomUUID } from 'node:crypto';
import { type Reading, VITAL_SIGNS, type VitalKey, buildReading, unwrap } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { type ComparableAlertColumns, byOpening, liveAlertColumns, replayedAlertColumns } from '@homeward/testing';
import { wardBacktest } from '../src';
import { HOUR, MINUTE, ManualClock, SERVER_BACKEND, admitPatient, anEngine, settle } from './rules-engine.fixture';

function oximetry(patientId: string, deviceId: string, at: Date, receivedAt: Date): Reading[] {
  return (['spo2', 'heart_rate'] as const).map((vital: VitalKey) =>
    unwrap(buildReading({ patientId, deviceId, vital, value: vital === 'spo2' ? 97 : 72, unit: VITAL_SIGNS[vital].unit, measuredAt: at, deviceTime: at, receivedAt, source: 'mqtt' })),
  );
}

const DAILY = { expectedReadings: [{ vital: 'spo2', everyHours: 24, graceHours: 2, severity: 'low' }] };
/** The timer pass's irregular rhythm: the gaps between the engine's passes, over and over. */
const GAPS_MIN = [17, 43, 120];

// Issue 21: the engine records each timer pass's moment (rules_timer_ticks, 0024) and the backtest
// runs its timer exactly then. The real engine (real PostgreSQL, injected clock) runs its timer
// pass at irregular moments, 17 minutes, 43 minutes and 2 hours apart, while a patient measures
// daily, stops for two days and resumes, and their hub drops out twice (once with its last will,
// once simply unplugged); each event happens with the clock at its time, in time order. The ward
// backtest, as the API and CLI run it (wardBacktest, no timerEveryMs), reproduces the live history
// of every kind exactly; with the record starting mid-period it infers the ticks before its first
// one and reproduces what opened after; with every recorded tick deleted it no longer reproduces.

describe(`backtest on the engine's recorded timer ticks on ${SERVER_BACKEND.label}`, () => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await SERVER_BACKEND.open());
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  it('reproduces the live history of silence and hub alerts with the timer at its recorded, irregular moments; inferred ticks do not', async () => {
    const start = new Date('2026-11-10T06:00:00Z');
    const { ward, patient } = await admitPatient(storage, 'general', DAILY, start);
    const hub = await storage.registry.registerDevice({ type: 'hub', serial: `hub-${randomUUID()}`, patientId: patient.id });
    const oximeter = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: `ox-${randomUUID()}`, patientId: patient.id });
    await storage.registry.recordDeviceConnection(hub.id, 'online', start);
    const clock = new ManualClock(start);
    const running = await anEngine(storage, clock);
    const end = new Date(start.getTime() + 6 * 24 * HOUR);
    const at = (d: number, hour: number, minute = 7) => start.getTime() + d * 24 * HOUR + hour * HOUR + minute * MINUTE;

    type Event = { readonly at: number; readonly rank: number; readonly run: () => Promise<unknown> };
    const events: Event[] = [];
    // Daily oximetry on days 0-2, nothing on days 3 and 4 (the patient stopped), again on day 5.
    for (const d of [0, 1, 2, 5]) {
      const measured = at(d, 2);
      const received = measured + MINUTE;
      events.push({
        at: received,
        rank: 1,
        run: async () => {
          await storage.registry.touchDevice(oximeter.id, new Date(received), 15);
          await storage.readings.insertBatch(oximetry(patient.id, oximeter.id, new Date(measured), new Date(received)));
          await settle(storage, running.engine);
        },
      });
    }
    // The hub drops out on day 1 from 04:30 (its last will) to 10:30; on day 2 it is unplugged from 06:00 to 14:00.
    const outages = [
      { from: at(1, 4, 30), to: at(1, 10, 30), lastWill: true },
      { from: at(2, 6, 0), to: at(2, 14, 0), lastWill: false },
    ];
    for (const o of outages) {
      if (o.lastWill) events.push({ at: o.from, rank: 0, run: () => storage.registry.recordDeviceConnection(hub.id, 'offline', new Date(o.from)) });
      events.push({ at: o.to, rank: 0, run: () => storage.registry.recordDeviceConnection(hub.id, 'online', new Date(o.to)) });
    }
    // The gateway's last-seen flushes while the hub is in touch, every 4 minutes.
    for (let t = start.getTime() + 4 * MINUTE; t < end.getTime(); t += 4 * MINUTE) {
      if (!outages.some((o) => t >= o.from && t < o.to)) events.push({ at: t, rank: 0, run: () => storage.registry.touchDevices([{ id: hub.id, at: new Date(t) }]) });
    }
    // The timer pass at irregular moments, the first at the start.
    const ticks: number[] = [];
    for (let t = start.getTime(), i = 0; t < end.getTime(); t += (GAPS_MIN[i++ % GAPS_MIN.length] as number) * MINUTE) ticks.push(t);
    for (const t of ticks) events.push({ at: t, rank: 2, run: () => running.engine.runTimers() });
    events.sort((a, b) => a.at - b.at || a.rank - b.rank);
    try {
      for (const e of events) {
        clock.set(new Date(e.at));
        await e.run();
      }
    } finally {
      await running.close();
    }

    // Every pass is recorded, at the engine's clock.
    const recorded = await storage.analytics.timerTicks(start, end);
    expect(recorded.ticks.map((t) => t.getTime())).toEqual(ticks);

    const expected = (await storage.alerts.forPatient(patient.id, { includeResolved: true })).map(liveAlertColumns).sort(byOpening);
    const rules = new Set(expected.map((a) => a.rule));
    for (const rule of ['patient-silent', 'hub-offline']) expect(rules).toContain(rule);
    expect(expected.filter((a) => a.rule === 'patient-silent' && a.outcome === 'reading-received').length).toBeGreaterThan(0);
    expect(expected.filter((a) => a.rule === 'hub-offline' && a.resolvedAt !== null).length).toBe(2);

    const request = { wardId: ward.id, from: start, to: end, carePlan: DAILY, threads: 1 };
    const report = await wardBacktest(storage, request);
    expect(report.timerTicks).toBe('recorded');
    expect(report.alerts.current.map(replayedAlertColumns).sort(byOpening)).toEqual(expected);

    // A record starting on day 3 (as when migration 0024 came in mid-period): inferred before its
    // first tick, the record from it on. What opened from then on is the live history exactly.
    const dayThree = new Date(at(3, 0, 0));
    await storage.db.query('DELETE FROM rules_timer_ticks WHERE at < $1', [dayThree]);
    const partly = await wardBacktest(storage, request);
    expect(partly.timerTicks).toBe('partly-recorded');
    const recordedFrom = Math.min(...ticks.filter((t) => t >= dayThree.getTime()));
    const fromRecord = (list: readonly ComparableAlertColumns[]) => list.filter((a) => Date.parse(a.openedAt) >= recordedFrom);
    const partlyAlerts = partly.alerts.current.map(replayedAlertColumns).sort(byOpening);
    expect(fromRecord(expected).length).toBeGreaterThan(0);
    expect(fromRecord(partlyAlerts)).toEqual(fromRecord(expected));

    // Without the record the ticks are inferred (at each moment a decision can change): each live
    // episode opens as early or earlier than the engine, which looked up to 2 hours later, opened it,
    // and a reading-missing that stood one minute before patient-silent took over (between two of
    // the engine's passes, so never raised live) appears.
    await storage.db.query('DELETE FROM rules_timer_ticks');
    const inferred = await wardBacktest(storage, request);
    expect(inferred.timerTicks).toBe('inferred');
    const inferredAlerts = inferred.alerts.current.map(replayedAlertColumns).sort(byOpening);
    expect(inferredAlerts).not.toEqual(expected);
    const lead = expected.map((e) => {
      const same = inferredAlerts.find((a) => a.rule === e.rule && a.subject === e.subject && a.firstMeasuredAt === e.firstMeasuredAt);
      return same ? Date.parse(e.openedAt) - Date.parse(same.openedAt) : NaN;
    });
    expect(lead.every((ms) => ms >= 0 && ms <= 2 * HOUR)).toBe(true);
    expect(lead.filter((ms) => ms > 0).length).toBeGreaterThan(0);
    expect(inferredAlerts.filter((a) => a.rule === 'reading-missing').length).toBeGreaterThan(expected.filter((a) => a.rule === 'reading-missing').length);
    // Before the record started, the partly recorded replay opened what the inferred one did.
    const beforeRecord = (list: readonly ComparableAlertColumns[]) => list.filter((a) => Date.parse(a.openedAt) < recordedFrom).map((a) => `${a.rule} ${a.subject} ${a.openedAt}`);
    expect(beforeRecord(partlyAlerts)).toEqual(beforeRecord(inferredAlerts));
  }, 300_000);
});
