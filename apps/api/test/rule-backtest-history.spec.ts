import { alertKind } from '@homeward/rules';
import type { AnalyticsAdmission, Storage } from '@homeward/storage';
import { byOpening, liveAlertHistory, replayedAlertHistory } from '@homeward/testing';
import { ruleBacktest } from '../src';
import { HOUR, MINUTE, ManualClock, SERVER_BACKEND, admitPatient, anEngine, randomHistory, readingsAt, seededRandom, settle } from './rules-engine.fixture';


// Issue 21 item 1: "Replaying the current plans must reproduce the live alert history exactly."
// The real engine (real PostgreSQL, injected clock) runs on a randomised history while nurses
// acknowledge, escalate and resolve its alerts at random, a clinician suppresses a rule for a
// while, and the engine's timer escalates what nobody took on. The backtest of the stored plan
// over the same period, replaying the stored alert trail, gives the same alerts: the same
// episodes, opened and resolved at the same times, with the same severity history and readings.

describe(`backtest alert history against the live engine on ${SERVER_BACKEND.label}`, () => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await SERVER_BACKEND.open());
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  let resolvedThenRaisedAgain = 0;
  let acknowledgedThenWorsened = 0;
  let suppressedFindings = 0;
  let historiesNeedingTheTrail = 0;

  it.each([5, 11, 23, 47, 90, 131, 207, 318])('randomised history with nurses acting (seed %i): the stored plan replays to the live alert history', async (seed) => {
    const next = seededRandom(seed);
    const start = new Date('2026-09-01T06:00:00Z');
    const pathway = (['general', 'heart-failure', 'copd'] as const)[seed % 3] ?? 'general';
    const { patient, admission } = await admitPatient(storage, pathway, {}, start);
    const clock = new ManualClock(start);
    const running = await anEngine(storage, clock);
    const history = randomHistory(next, start, 30);
    const nurse = { type: 'user' as const, id: 'nurse-backtest' };
    let lift: { id: string; at: Date } | null = null;
    try {
      for (const [i, moment] of history.entries()) {
        // Received a minute after measurement, and the engine runs as it arrives.
        const arrived = new Date(moment.at.getTime() + MINUTE);
        if (lift && lift.at.getTime() <= arrived.getTime()) {
          // Lifted when the clinician lifts it, not recorded ahead: the engine sees it in force until then.
          clock.set(lift.at);
          await storage.alerts.liftSuppression(lift.id, { by: 'clinician-backtest', at: lift.at });
          lift = null;
        }
        await storage.readings.insertBatch(readingsAt(patient.id, moment.at, moment.values, arrived));
        clock.set(arrived);
        await settle(storage, running.engine);
        if (i === 8 && next() < 0.8) {
          // A clinician suppresses the vital-threshold alerts for a day (lifted early half the time).
          // Minutes after the engine ran (at the same instant the order would be a tie no trail records).
          const from = new Date(arrived.getTime() + 5 * MINUTE);
          const s = await storage.alerts.suppress({ patientId: patient.id, rule: 'vital-threshold', reason: 'Known chronic values, under review', startsAt: from, expiresAt: new Date(from.getTime() + 30 * HOUR), createdBy: 'clinician-backtest' });
          if (next() < 0.5) lift = { id: s.id, at: new Date(from.getTime() + 10 * HOUR) };
        }
        // Nurses act on the open alerts at random times before the next reading.
        const gap = (history[i + 1]?.at.getTime() ?? moment.at.getTime() + 6 * HOUR) - arrived.getTime();
        let at = arrived.getTime();
        // In a fixed order, so a seed always plays out the same way.
        const open = (await storage.alerts.forPatient(patient.id))
          .filter((a) => alertKind(a) === 'clinical' && a.state !== 'resolved')
          .sort((a, b) => a.rule.localeCompare(b.rule) || a.subject.localeCompare(b.subject));
        for (const alert of open) {
          at += 1_000 + Math.floor(next() * (gap / (open.length + 2)));
          const roll = next();
          clock.set(new Date(at));
          if (roll < 0.3 && alert.state === 'open') await storage.alerts.transition(alert.id, { action: 'acknowledge', by: nurse, at: new Date(at) });
          else if (roll < 0.6) await storage.alerts.transition(alert.id, { action: 'resolve', by: nurse, at: new Date(at), outcome: next() < 0.5 ? 'contacted-patient' : 'false-alarm' });
          else if (roll < 0.65 && alert.state !== 'escalated') await storage.alerts.transition(alert.id, { action: 'escalate', by: nurse, at: new Date(at), reason: 'Needs the GP' });
        }
        // The timer pass some hours on: what nobody took on escalates.
        clock.set(new Date(Math.min(arrived.getTime() + gap - MINUTE, at + 2 * HOUR)));
        await running.engine.runTimers();
      }
    } finally {
      await running.close();
    }

    const end = new Date((history.at(-1)?.at.getTime() ?? start.getTime()) + 6 * HOUR);
    const readings = await storage.readings.inRange(patient.id, { from: new Date(start.getTime() - 30 * 24 * HOUR), to: end, limit: 100_000 });
    const trail = await storage.analytics.alertTrail([patient.id], start, end);
    const stay: AnalyticsAdmission = { id: admission.id, patientId: patient.id, pathway, carePlan: {}, admittedAt: start, dischargedAt: null, dischargeOutcome: null, previousDischargeAt: null, previousDischargeOutcome: null };
    const report = ruleBacktest([{ admission: stay, readings, proposed: undefined, actions: trail.actions, suppressions: trail.suppressions }], [], { from: start, to: end });

    const live = (await storage.alerts.forPatient(patient.id, { includeResolved: true })).filter((a) => alertKind(a) === 'clinical');
    const expected = (await liveAlertHistory(storage, live)).sort(byOpening);
    const replayed = replayedAlertHistory(report.alerts.current).sort(byOpening);
    expect(expected.length).toBeGreaterThan(3);
    expect(replayed).toEqual(expected);
    // Every recorded action on a clinical alert found its replayed alert; the report counts the rest.
    const clinicalActions = trail.actions.filter((a) => live.some((l) => l.id === a.alertId)).length;
    expect(report.alertBurden.current.actionsReplayed).toBe(clinicalActions);
    expect(report.alertBurden.current.alerts).toBe(live.length);
    // Each replayed alert names the live alert it reproduces when someone acted on it.
    for (const a of report.alerts.current) for (const id of a.liveAlertIds) expect(live.find((l) => l.id === id)?.rule).toBe(a.rule);

    // The trail matters: without it the same findings give another history (not one alert per episode).
    const unacted = ruleBacktest([{ admission: stay, readings, proposed: undefined }], [], { from: start, to: end });
    if (JSON.stringify(replayedAlertHistory(unacted.alerts.current).sort(byOpening)) !== JSON.stringify(expected)) historiesNeedingTheTrail++;

    const episodes = new Map<string, number>();
    for (const a of live) episodes.set(`${a.rule}|${a.subject}`, (episodes.get(`${a.rule}|${a.subject}`) ?? 0) + 1);
    resolvedThenRaisedAgain += [...episodes.values()].filter((n) => n > 1).length;
    acknowledgedThenWorsened += live.filter((a) => a.worsenedFrom !== null && a.acknowledgedAt !== null).length;
    suppressedFindings += trail.suppressions.length;
  }, 300_000);

  it('the histories exercised what the orchestration decides: new episodes after a resolution, re-opening on worsening, suppressions', () => {
    expect(resolvedThenRaisedAgain).toBeGreaterThan(0);
    expect(acknowledgedThenWorsened).toBeGreaterThan(0);
    expect(suppressedFindings).toBeGreaterThan(0);
    expect(historiesNeedingTheTrail).toBe(8);
  });
});
