import type { Storage } from '@homeward/storage';
import type { RulesEngineEvent } from '../src';
import {
  BACKENDS,
  HOUR,
  MINUTE,
  ManualClock,
  type Moment,
  admitPatient,
  alertsOf,
  anEngine,
  fastForward,
  feed,
  readingsAt,
  settle,
  steadyDays,
  summary,
  untilVisible,
} from './rules-engine.fixture';

jest.setTimeout(60_000);

const START = new Date('2026-03-01T08:00:00.000Z');
const at = (hours: number) => new Date(START.getTime() + hours * HOUR);
const nurse = (id: string) => ({ type: 'user', id }) as const;

const HEART_FAILURE_PLAN = {
  news2: { windowHours: 24, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' },
  expectedReadings: [{ vital: 'body_weight', everyHours: 24, graceHours: 2 }],
};

/** Five days of decompensation after a steady week (the rules library's scripted history). */
function decompensation(): Moment[] {
  return [
    { weight: 80.4, spo2: 96, hr: 80, rr: 16 },
    { weight: 80.9, spo2: 96, hr: 82, rr: 16 },
    { weight: 81.3, spo2: 95, hr: 84, rr: 17 },
    { weight: 81.8, spo2: 95, hr: 86, rr: 18 },
    { weight: 82.3, spo2: 94, hr: 90, rr: 18 },
    { weight: 82.7, spo2: 94, hr: 94, rr: 20 },
    { weight: 83.1, spo2: 93, hr: 98, rr: 21 },
    { weight: 83.5, spo2: 93, hr: 102, rr: 22 },
    { weight: 83.9, spo2: 92, hr: 106, rr: 22 },
    { weight: 84.4, spo2: 92, hr: 112, rr: 23 },
  ].map((m, i) => ({
    at: at((14 + i) * 12),
    values: { body_weight: m.weight, spo2: m.spo2, heart_rate: m.hr, respiration_rate: m.rr, systolic_bp: 118, body_temperature: 36.8 },
  }));
}

function chestInfection(): Moment[] {
  return [
    { spo2: 95, temp: 37.9, hr: 88, rr: 18 },
    { spo2: 94, temp: 38.4, hr: 96, rr: 20 },
    { spo2: 93, temp: 38.8, hr: 104, rr: 22 },
    { spo2: 92, temp: 39.2, hr: 112, rr: 24 },
  ].map((m, i) => ({ at: at((14 + i) * 12), values: { spo2: m.spo2, body_temperature: m.temp, heart_rate: m.hr, respiration_rate: m.rr, systolic_bp: 124 } }));
}

const ARI_PLAN = { news2: { windowHours: 24, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } };

describe.each(BACKENDS)('rules engine on $label', (backend) => {
  let storage: Storage;
  let closeStorage: () => Promise<void>;
  const engines: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    ({ storage, close: closeStorage } = await backend.open());
  }, 60_000);
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
  });
  afterAll(async () => {
    await closeStorage?.();
  });

  async function setUp(pathway: Parameters<typeof admitPatient>[1], carePlan: Record<string, unknown>, options: Parameters<typeof anEngine>[2] = {}) {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock, options);
    engines.push(running);
    const admitted = await admitPatient(storage, pathway, carePlan, new Date(START.getTime() - HOUR));
    return { clock, engine: running.engine, running, ...admitted };
  }

  describe('scripted patient histories, fed as committed readings', () => {
    it('steady: a week of ordinary readings raises no alert at all', async () => {
      const { clock, engine, patient } = await setUp('heart-failure', HEART_FAILURE_PLAN);
      await feed(storage, engine, clock, patient.id, steadyDays(START, 7));
      await engine.runTimers();
      expect(await alertsOf(storage, patient.id)).toEqual([]);
    });

    it('heart failure decompensating over 5 days: weight gain, then NEWS2, then SpO2 below baseline, each once', async () => {
      const { clock, engine, patient } = await setUp('heart-failure', HEART_FAILURE_PLAN);
      const raised: RulesEngineEvent[] = [];
      const subscription = engine.events$.subscribe((e) => raised.push(e));
      await feed(storage, engine, clock, patient.id, [...steadyDays(START, 7), ...decompensation()]);
      subscription.unsubscribe();
      const alerts = await alertsOf(storage, patient.id);
      // v2: pulse 112 crosses every pathway's pulse limit (111, low-medium) on the last day.
      expect(summary(alerts)).toEqual([
        'weight-gain body_weight:gain medium',
        'news2-band news2 medium',
        'spo2-baseline-drop spo2:baseline-drop medium',
        'vital-threshold heart_rate:at-or-above low-medium',
      ]);
      const [weight, news2, spo2] = alerts;
      expect(weight!.firstMeasuredAt).toEqual(at(216)); // day 9, two days before NEWS2 reaches 5
      expect(weight!.explanation).toMatch(/^Weight 84.4 kg, up /);
      expect(weight!.occurrences).toBe(6); // every later weigh-in repeated the same episode
      expect(weight!.latestValue).toBe(84.4);
      expect(news2!.firstMeasuredAt).toEqual(at(240));
      expect(news2!.explanation).toMatch(/^Partial NEWS2 of at least \d+ \(medium risk\)/);
      expect(spo2!.firstMeasuredAt).toEqual(at(264));
      expect(alerts.every((a) => a.state === 'open')).toBe(true);
      expect(raised.filter((e) => e.type === 'raised')).toHaveLength(4);
    });

    it('overnight desaturation: one episode per rule however many low readings, and it stays open after recovery', async () => {
      const { clock, engine, patient } = await setUp('general', { news2: { windowHours: 12, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } });
      await feed(storage, engine, clock, patient.id, steadyDays(START, 7, { weight: false }));
      // Night 8: oximeter every 30 minutes from 23:00; saturation falls to 88–90 % and recovers by 06:00.
      const night = [96, 94, 92, 90, 89, 88, 88, 89, 90, 91, 93, 95, 96, 97].map((spo2, i) => ({
        at: new Date(at(7 * 24 + 15).getTime() + i * 30 * MINUTE),
        values: { spo2, heart_rate: 70 + (spo2 < 92 ? 12 : 0) },
      }));
      await feed(storage, engine, clock, patient.id, night);
      const alerts = await alertsOf(storage, patient.id);
      // v2: a red SpO2 (≤ 91 %) is top severity at home.
      expect(summary(alerts).sort()).toEqual(['news2-band news2 high', 'spo2-baseline-drop spo2:baseline-drop medium', 'vital-threshold spo2:at-or-below high']);
      const threshold = alerts.find((a) => a.rule === 'vital-threshold')!;
      // v2: the general pathway's below-target limit (≤ 93 %, low) is part of the same episode, raised to high by the red values.
      expect(threshold.occurrences).toBe(9); // 92, 90, 89, 88, 88, 89, 90, 91, 93
      expect(threshold.latestValue).toBe(93);
      // Recovered by morning, but NEWS2 and threshold alerts need a person to close them.
      expect(alerts.every((a) => a.state === 'open')).toBe(true);
    });

    it('chest infection on the acute respiratory infection pathway: oximetry band, then NEWS2, rising to high', async () => {
      const { clock, engine, patient } = await setUp('acute-respiratory-infection', ARI_PLAN);
      await feed(storage, engine, clock, patient.id, [...steadyDays(START, 7, { weight: false }), ...chestInfection()]);
      const alerts = await alertsOf(storage, patient.id);
      // v2: the pathway's limits (oximetry band, fever, breathing rate, pulse) alert early below the
      // urgency bands; high comes from NEWS2, as on any pathway.
      expect(summary(alerts)).toEqual([
        'vital-threshold body_temperature:at-or-above low-medium',
        'vital-threshold spo2:at-or-below low-medium',
        'news2-band news2 high',
        'vital-threshold respiration_rate:at-or-above low-medium',
        'spo2-baseline-drop spo2:baseline-drop medium',
        'vital-threshold heart_rate:at-or-above low-medium',
      ]);
      const events = await storage.alerts.events(alerts.find((a) => a.subject === 'spo2:at-or-below')!.id);
      expect(events.map((e) => [e.kind, e.details['severity']])).toEqual([
        ['raised', 'low'],
        ['repeated', 'low'],
        ['repeated', 'low-medium'],
      ]);
    });

    it('non-adherence: nothing measured past the schedule and its grace while the hub is online is a patient-silent alert, resolved when readings resume', async () => {
      const { clock, engine, patient } = await setUp('heart-failure', HEART_FAILURE_PLAN);
      const hub = await storage.registry.registerDevice({ type: 'hub', serial: `hub-${patient.id}`, patientId: patient.id });
      await feed(storage, engine, clock, patient.id, steadyDays(START, 3).filter((_, i) => i % 2 === 0));
      const last = at(48);
      // The hub keeps calling in; nobody stands on the scale.
      clock.set(new Date(last.getTime() + 25 * HOUR));
      await storage.registry.touchDevice(hub.id, clock.now());
      await engine.runTimers();
      expect(await alertsOf(storage, patient.id)).toEqual([]); // 24 h + 2 h grace not yet passed
      clock.set(new Date(last.getTime() + 26 * HOUR));
      await storage.registry.touchDevice(hub.id, clock.now());
      await engine.runTimers();
      await engine.runTimers(); // a second check changes nothing
      let [overdue] = await alertsOf(storage, patient.id);
      // v2: silence on a high-risk pathway (heart failure) is medium by default.
      expect(overdue).toMatchObject({ rule: 'patient-silent', subject: 'patient-silent', severity: 'medium', state: 'open', occurrences: 1 });
      expect(overdue!.explanation).toMatch(
        /^Patient silent: nothing measured since 2026-03-03 08:00 UTC \(26 hours ago\); expected weight every 24 hours\. The home hub is online \(last heard from 2026-03-04 10:00 UTC \(0 hours ago\)\), so no readings are stuck on the way\. Phone the patient/,
      );
      // Another day missed: the same alert counts it.
      clock.advance(24 * HOUR);
      await storage.registry.touchDevice(hub.id, clock.now());
      await engine.runTimers();
      [overdue] = await alertsOf(storage, patient.id);
      expect(overdue).toMatchObject({ occurrences: 2, state: 'escalated' }); // v2: medium, so unacknowledged it escalated after 60 minutes
      // The weight arrives: the rule resolves its own alert.
      await feed(storage, engine, clock, patient.id, [{ at: clock.now(), values: { body_weight: 80.2 } }]);
      const [resolved] = await alertsOf(storage, patient.id);
      expect(resolved).toMatchObject({ state: 'resolved', outcome: 'reading-received' });
      const events = await storage.alerts.events(resolved!.id);
      expect(events.at(-1)).toMatchObject({ kind: 'resolved', actor: { type: 'system', id: 'rules-engine' }, fromState: 'escalated', toState: 'resolved', note: 'Readings resumed.' });
    });

    it('hub outage: a hub-offline alert (not patient-silent), resolved when it is back, and the backlog it uploads is evaluated where it belongs', async () => {
      const plan = { ...HEART_FAILURE_PLAN, expectedReadings: [...HEART_FAILURE_PLAN.expectedReadings, { vital: 'spo2', everyHours: 12, graceHours: 2 }] };
      const { clock, engine, patient } = await setUp('heart-failure', plan);
      const hub = await storage.registry.registerDevice({ type: 'hub', serial: `hub-${patient.id}`, patientId: patient.id });
      await feed(storage, engine, clock, patient.id, steadyDays(START, 3));
      const lastReading = at(60);
      await storage.registry.touchDevice(hub.id, new Date(lastReading.getTime() + MINUTE));
      // The hub goes silent; 30 hours later both expected readings are overdue, but readings may be waiting on the hub.
      clock.set(new Date(lastReading.getTime() + 30 * HOUR));
      await engine.runTimers();
      const overdue = await alertsOf(storage, patient.id);
      expect(summary(overdue)).toEqual([`hub-offline hub-offline:${hub.id} low`]);
      expect(overdue[0]!.details['technical']).toBe(true);
      expect(overdue[0]!.explanation).toMatch(/^The home hub is offline: it was last heard from 2026-03-03 20:01 UTC \(30 hours ago\)\. Readings taken meanwhile wait on the devices/);
      // The hub comes back and uploads what the devices kept, measured during the outage.
      await storage.registry.touchDevice(hub.id, clock.now());
      const backlog = [12, 24].map((h) => readingsAt(patient.id, new Date(lastReading.getTime() + h * HOUR), { body_weight: 80.1, spo2: 95 }, clock.now()));
      await storage.readings.insertBatch(backlog.flat());
      await settle(storage, engine);
      const after = await alertsOf(storage, patient.id);
      expect(after.map((a) => [a.rule, a.state, a.outcome])).toEqual([
        ['hub-offline', 'resolved', 'reading-received'],
        // The backlog of hour 12 arrived 18 hours late (that of hour 24 six hours late: on the limit, not beyond).
        ['late-delivery', 'open', null],
        ['late-delivery', 'open', null],
      ]);
    });
  });

  describe('episodes, late readings and restarts', () => {
    it('a redelivered or re-evaluated reading updates nothing; a repeat updates the open alert', async () => {
      const { clock, engine, patient } = await setUp('general', ARI_PLAN);
      const low = readingsAt(patient.id, at(1), { spo2: 90 });
      const before = await storage.alerts.readCursor(engine.consumerName);
      await storage.readings.insertBatch(low);
      clock.set(at(1.1));
      await settle(storage, engine);
      // The gateway redelivers the reading: stored once, so nothing new to evaluate.
      const redelivered = await storage.readings.insertBatch(low.map((r) => ({ ...r, receivedAt: at(1.2) })));
      expect(redelivered.duplicates).toHaveLength(1);
      await settle(storage, engine);
      // At least once: the same committed reading evaluated again (as after a crash) counts nothing.
      const after = await storage.alerts.readCursor(engine.consumerName);
      expect(await storage.alerts.advanceCursor(engine.consumerName, after, before)).toBe(true);
      clock.set(at(1.3));
      await settle(storage, engine);
      let alerts = await alertsOf(storage, patient.id);
      expect(alerts.map((a) => [a.rule, a.occurrences])).toEqual([
        ['news2-band', 1],
        ['vital-threshold', 1],
      ]);
      await feed(storage, engine, clock, patient.id, [{ at: at(2), values: { spo2: 89 } }]);
      alerts = await alertsOf(storage, patient.id);
      expect(alerts.map((a) => [a.rule, a.occurrences, a.latestValue])).toEqual([
        ['news2-band', 2, 3],
        ['vital-threshold', 2, 89],
      ]);
      expect(alerts[1]!.readingIds).toHaveLength(2);
    });

    it('a late reading is evaluated at the moment it was measured, and re-evaluates the later moments whose window it falls in', async () => {
      const { clock, engine, patient } = await setUp('heart-failure', HEART_FAILURE_PLAN);
      await feed(storage, engine, clock, patient.id, [
        { at: at(0), values: { spo2: 97 } },
        { at: at(24), values: { spo2: 96, body_weight: 82.5 } },
      ]);
      expect(await alertsOf(storage, patient.id)).toEqual([]);
      // Two late readings from a device that was out of range: low SpO2 at hour 12, and the weight of hour 2.
      clock.set(at(26));
      await storage.readings.insertBatch([...readingsAt(patient.id, at(12), { spo2: 90 }, at(26)), ...readingsAt(patient.id, at(2), { body_weight: 80.0 }, at(26))]);
      await settle(storage, engine);
      const all = await alertsOf(storage, patient.id);
      // Received 14 and 24 hours after they were measured: each device also gets a late-delivery technical alert.
      expect(all.filter((a) => a.rule === 'late-delivery').map((a) => [a.details['technical'], a.details['readings']])).toEqual([
        [true, 1],
        [true, 1],
      ]);
      const alerts = all.filter((a) => a.rule !== 'late-delivery');
      expect(summary(alerts).sort()).toEqual(['news2-band news2 high', 'vital-threshold spo2:at-or-below high', 'weight-gain body_weight:gain medium']);
      const threshold = alerts.find((a) => a.rule === 'vital-threshold')!;
      expect(threshold.latestMeasuredAt).toEqual(at(12)); // placed where it belongs, not at arrival
      const weight = alerts.find((a) => a.rule === 'weight-gain')!;
      // Found at hour 24's moment, which the late hour-2 weight now reaches.
      expect(weight.latestMeasuredAt).toEqual(at(24));
      expect(weight.explanation).toMatch(/^Weight 82.5 kg, up 2.5 kg from 80 kg/);
    });

    it('restarting in the middle of a stream (even crashing before a commit) leaves no reading unevaluated and raises no alert twice', async () => {
      // Reference: the same history evaluated by one engine without interruption.
      const reference = await setUp('acute-respiratory-infection', ARI_PLAN);
      const script = [...steadyDays(START, 7, { weight: false }), ...chestInfection()];
      await feed(storage, reference.engine, reference.clock, reference.patient.id, script);
      const expected = (await alertsOf(storage, reference.patient.id)).map(normalise);
      expect(expected).toHaveLength(6); // v2: with the infection pathway's fever, RR and pulse limits

      const clock = new ManualClock(at(7 * 24 + 60));
      const consumer = `restart-${reference.patient.id}`;
      await fastForward(storage, consumer);
      const admitted = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
      // The whole stream is committed while no engine runs.
      for (const moment of script) await storage.readings.insertBatch(readingsAt(admitted.patient.id, moment.at, moment.values));
      const stream = await storage.readings.inRange(admitted.patient.id, { from: START, to: at(1000) });
      await untilVisible(storage, consumer, stream.length);
      // Engine 1 crashes before committing its 4th batch.
      let batches = 0;
      const crashing = await anEngine(storage, clock, {
        consumer,
        pageSize: 5,
        beforeCommit: () => {
          if (++batches === 4) throw new Error('killed -9');
        },
      });
      await expect(crashing.engine.drain()).rejects.toThrow('killed -9');
      await crashing.close();
      const midway = await storage.alerts.readCursor(consumer);
      expect(Number(midway.id)).toBeGreaterThan(Number(stream[0]!.id));
      expect(Number(midway.id)).toBeLessThan(Number(stream.at(-1)!.id));
      // Engine 2 restarts from the stored cursor and is stopped after two more batches.
      let more = 0;
      const second = await anEngine(storage, clock, {
        consumer,
        pageSize: 5,
        beforeCommit: () => {
          if (++more === 3) throw new Error('stopped');
        },
      });
      await expect(second.engine.drain()).rejects.toThrow('stopped');
      await second.close();
      // Engine 3 finishes the stream.
      const third = await anEngine(storage, clock, { consumer, pageSize: 5 });
      engines.push(third);
      await settle(storage, third.engine);
      expect((await storage.alerts.readCursor(consumer)).id).toBe(stream.at(-1)!.id);
      const actual = (await alertsOf(storage, admitted.patient.id)).map(normalise);
      expect(actual).toEqual(expected);
      for (const alert of await alertsOf(storage, admitted.patient.id)) {
        expect((await storage.alerts.events(alert.id)).filter((e) => e.kind === 'raised')).toHaveLength(1);
      }
    });

    it('a backlog of days committed while no engine ran, evaluated page by page (and stopped part-way), gives the alerts of readings fed one at a time', async () => {
      // Weight gain looks back 3 days: the case where a page's readings fall in the windows of
      // many later moments that are still waiting after the cursor.
      const plan = { news2: HEART_FAILURE_PLAN.news2 };
      const script = [...steadyDays(START, 7), ...decompensation()];
      const reference = await setUp('heart-failure', plan);
      await feed(storage, reference.engine, reference.clock, reference.patient.id, script);
      const expected = (await alertsOf(storage, reference.patient.id)).map(normalise);
      expect(expected.map((a) => a.key)).toEqual([
        'weight-gain body_weight:gain medium',
        'news2-band news2 medium',
        'spo2-baseline-drop spo2:baseline-drop medium',
        'vital-threshold heart_rate:at-or-above low-medium',
      ]);

      const consumer = `backlog-${reference.patient.id}`;
      await fastForward(storage, consumer);
      const admitted = await admitPatient(storage, 'heart-failure', plan, new Date(START.getTime() - HOUR));
      for (const moment of script) await storage.readings.insertBatch(readingsAt(admitted.patient.id, moment.at, moment.values));
      await untilVisible(storage, consumer, (await storage.readings.inRange(admitted.patient.id, { from: START, to: at(1000) })).length);
      const clock = new ManualClock(at(7 * 24 + 120));
      // Stopped while its drain is two pages in: stop() waits for that page, not for the backlog.
      let pages = 0;
      let stopped: Promise<void> | undefined;
      const first = await anEngine(storage, clock, {
        consumer,
        pageSize: 7,
        beforeCommit: () => {
          if (++pages === 2) stopped = first.engine.stop();
        },
      });
      const drained = await first.engine.drain();
      await stopped;
      await first.close();
      expect(pages).toBe(2);
      expect(drained).toBe(14);
      const running = await anEngine(storage, clock, { consumer, pageSize: 7 });
      engines.push(running);
      await settle(storage, running.engine);
      expect((await alertsOf(storage, admitted.patient.id)).map(normalise)).toEqual(expected);
    });

    it('wakes on LISTEN homeward_readings: a committed reading becomes an alert within a second, with polling off', async () => {
      const clock = new ManualClock(at(1));
      const { engine, patient } = await setUp('general', ARI_PLAN, { clock, pollIntervalMs: 3_600_000, timerIntervalMs: 3_600_000 });
      await engine.start();
      await new Promise((resolve) => setTimeout(resolve, 100)); // the first catch-up pass
      const started = Date.now();
      await storage.readings.insertBatch(readingsAt(patient.id, at(1), { spo2: 88 }));
      await storage.readings.notifyNewReadings();
      let alerts = await alertsOf(storage, patient.id);
      while (alerts.length < 2 && Date.now() - started < 1_000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        alerts = await alertsOf(storage, patient.id);
      }
      expect(summary(alerts).sort()).toEqual(['news2-band news2 high', 'vital-threshold spo2:at-or-below high']);
      await engine.stop();
    });
  });

  describe('alert lifecycle', () => {
    it('escalates a high alert nobody acknowledged after 15 minutes, a medium one after 60, and reminds while open', async () => {
      const { clock, engine, patient } = await setUp('acute-respiratory-infection', ARI_PLAN);
      await feed(storage, engine, clock, patient.id, [{ at: at(1), values: { spo2: 91 } }]); // red value: high (v2; 92 % is now low-medium)
      await feed(storage, engine, clock, patient.id, [{ at: at(1), values: { heart_rate: 112 } }]); // pulse 111–130: low-medium (v2; 132 is red, high)
      const raisedAt = clock.now();
      const threshold = async (subject: string) => (await alertsOf(storage, patient.id)).find((a) => a.subject === subject)!;
      expect(await threshold('spo2:at-or-below')).toMatchObject({ severity: 'high', state: 'open' });
      clock.set(new Date(raisedAt.getTime() + 14 * MINUTE));
      await engine.runTimers();
      expect((await threshold('spo2:at-or-below')).state).toBe('open');
      clock.set(new Date(raisedAt.getTime() + 15 * MINUTE));
      await engine.runTimers();
      const escalated = await threshold('spo2:at-or-below');
      expect(escalated).toMatchObject({ state: 'escalated', escalationDueAt: null });
      expect(escalated.escalatedAt).toEqual(clock.now());
      const events = await storage.alerts.events(escalated.id);
      expect(events.find((e) => e.kind === 'escalated')).toMatchObject({
        actor: { type: 'system', id: 'rules-engine' },
        fromState: 'open',
        toState: 'escalated',
        note: 'High-severity alert not acknowledged within 15 minutes of being raised.',
      });
      expect(events.filter((e) => e.kind === 'reminded')).toHaveLength(1); // high reminds every 15 minutes
      expect((await threshold('heart_rate:at-or-above')).state).toBe('open'); // low-medium waits 120 minutes
      clock.set(new Date(raisedAt.getTime() + 120 * MINUTE));
      await engine.runTimers();
      expect((await threshold('heart_rate:at-or-above')).state).toBe('escalated');
    });

    it('does not escalate an acknowledged alert; records who, when and why through to resolution', async () => {
      // v2: the infection pathway's moderate band is low; a clinician's limit makes 93 % medium here.
      const plan = {
        ...ARI_PLAN,
        thresholdOverrides: [
          {
            vital: 'spo2',
            thresholds: [{ direction: 'at-or-below', value: 94, severity: 'medium', action: 'Review within the hour.' }],
            decidedBy: 'clinician-7',
            decidedAt: '2026-02-28T09:00:00.000Z',
            reason: 'Post-COVID, watch closely',
            reviewBy: '2026-03-14T00:00:00.000Z',
          },
        ],
      };
      const { clock, engine, patient } = await setUp('acute-respiratory-infection', plan);
      const user = await storage.registry.createUser({ email: `${patient.id}@nhs.example`, displayName: 'Nurse B', role: 'nurse' });
      await feed(storage, engine, clock, patient.id, [{ at: at(1), values: { spo2: 93 } }]); // clinician's limit: medium
      const [alert] = (await alertsOf(storage, patient.id)).filter((a) => a.rule === 'vital-threshold');
      clock.advance(10 * MINUTE);
      const ack = await storage.alerts.transition(alert!.id, { action: 'acknowledge', by: nurse(user.id), at: clock.now(), reason: 'Phoning the patient' });
      expect(ack.ok).toBe(true);
      clock.advance(2 * HOUR);
      await engine.runTimers();
      clock.advance(5 * MINUTE);
      const done = await storage.alerts.transition(alert!.id, {
        action: 'resolve',
        by: nurse(user.id),
        at: clock.now(),
        outcome: 'visit-arranged',
        reason: 'Breathless on exertion; community team visiting today',
      });
      expect(done.ok && done.value).toMatchObject({ state: 'resolved', ownerId: user.id, outcome: 'visit-arranged' });
      const events = await storage.alerts.events(alert!.id);
      expect(events.map((e) => [e.kind, e.actor.id === user.id ? 'nurse' : e.actor.id, e.fromState, e.toState, e.at.toISOString(), e.note])).toEqual([
        ['raised', 'rules-engine', null, 'open', new Date(at(1).getTime() + MINUTE).toISOString(), expect.stringMatching(/^SpO2 93 % is at or below 94 %/)],
        ['acknowledged', 'nurse', 'open', 'acknowledged', new Date(at(1).getTime() + 11 * MINUTE).toISOString(), 'Phoning the patient'],
        ['reminded', 'rules-engine', 'acknowledged', 'acknowledged', new Date(at(1).getTime() + 131 * MINUTE).toISOString(), expect.stringMatching(/^Still acknowledged/)],
        ['resolved', 'nurse', 'acknowledged', 'resolved', new Date(at(1).getTime() + 136 * MINUTE).toISOString(), 'Breathless on exertion; community team visiting today'],
      ]);
    });

    it('uses a ward\'s own escalation timers', async () => {
      const clock = new ManualClock(START);
      const admitted = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
      const running = await anEngine(storage, clock, { wards: { [admitted.ward.id]: { escalateAfterMinutes: { high: 5 } } } });
      engines.push(running);
      await feed(storage, running.engine, clock, admitted.patient.id, [{ at: at(1), values: { spo2: 91 } }]);
      clock.advance(5 * MINUTE);
      await running.engine.runTimers();
      const [alert] = (await alertsOf(storage, admitted.patient.id)).filter((a) => a.rule === 'vital-threshold');
      expect(alert).toMatchObject({ severity: 'high', state: 'escalated' });
    });

    it('honours a suppression: the suppressed rule stays quiet, the others do not', async () => {
      const { clock, engine, patient } = await setUp('general', ARI_PLAN);
      await storage.alerts.suppress({
        patientId: patient.id,
        rule: 'vital-threshold',
        reason: 'Chronically low saturations; consultant aware',
        startsAt: START,
        expiresAt: at(48),
        createdBy: 'clinician-7',
      });
      await feed(storage, engine, clock, patient.id, [{ at: at(1), values: { spo2: 90 } }]);
      expect(summary(await alertsOf(storage, patient.id))).toEqual(['news2-band news2 high']);
    });
  });
});

function normalise(alert: { rule: string; subject: string; severity: string; state: string; occurrences: number; latestValue: number | null; readingIds: readonly string[]; explanation: string }) {
  return {
    key: `${alert.rule} ${alert.subject} ${alert.severity}`,
    state: alert.state,
    occurrences: alert.occurrences,
    latestValue: alert.latestValue,
    readings: alert.readingIds.length,
    explanation: alert.explanation,
  };
}
