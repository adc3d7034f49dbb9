import { randomUUID } from 'node:crypto';
import type { Alert } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { BACKENDS, HOUR, MINUTE, ManualClock, admitPatient, alertsOf, anEngine, feed, readingsAt, settle } from './rules-engine.fixture';

jest.setTimeout(60_000);

const START = new Date('2026-03-01T08:00:00.000Z');
const at = (hours: number) => new Date(START.getTime() + hours * HOUR);
/** Weight, BP and pulse daily (the heart-failure pathway's schedule): 24 h plus 4 h grace. */
const HEART_FAILURE = { news2: { windowHours: 24, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } };
const DAILY = (values: Record<string, number>) => ({ body_weight: 80.2, systolic_bp: 126, heart_rate: 72, ...values });

const open = (alerts: readonly Alert[]) => alerts.filter((a) => a.state !== 'resolved');
const rules = (alerts: readonly Alert[]) => alerts.map((a) => a.rule).sort();

describe.each(BACKENDS)('silence and technical alerts in the rules engine on $label', (backend) => {
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

  async function setUp(options: Parameters<typeof anEngine>[2] = {}) {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock, options);
    engines.push(running);
    const admitted = await admitPatient(storage, 'heart-failure', HEART_FAILURE, new Date(START.getTime() - HOUR));
    return { clock, engine: running.engine, ...admitted };
  }

  const device = (patientId: string, type: 'hub' | 'patient-app' | 'weight-scale' | 'pulse-oximeter' | 'blood-pressure-monitor') =>
    storage.registry.registerDevice({ type, serial: `${type}-${randomUUID()}`, patientId });

  describe('hub or app offline (technical, one definition of offline)', () => {
    it('a last will saying offline is offline at once, though the status arrived just now; back online resolves it', async () => {
      const { clock, engine, patient } = await setUp();
      const hub = await device(patient.id, 'hub');
      await storage.registry.recordDeviceConnection(hub.id, 'online', at(0));
      await feed(storage, engine, clock, patient.id, [{ at: at(0.5), values: DAILY({}) }]);
      await storage.registry.touchDevice(hub.id, at(0.95));
      clock.set(at(1));
      await engine.runTimers();
      expect(await alertsOf(storage, patient.id)).toEqual([]);

      // The broker publishes the hub's last will three minutes after its last message: offline, not "seen".
      await storage.registry.recordDeviceConnection(hub.id, 'offline', at(1));
      clock.set(at(1 + 1 / 60));
      await engine.runTimers();
      const [offline] = await alertsOf(storage, patient.id);
      expect(offline).toMatchObject({ rule: 'hub-offline', subject: `hub-offline:${hub.id}`, severity: 'low', state: 'open', firstMeasuredAt: at(1) });
      expect(offline!.details).toMatchObject({ technical: true, connectionState: 'offline' });
      expect(offline!.explanation).toMatch(/^The home hub is offline: it dropped its connection \(offline status\) and was last heard from 2026-03-01 08:57 UTC/);
      const devices = await storage.deviceState.contactsOf(patient.id);
      expect(devices[0]).toMatchObject({ lastSeenAt: at(0.95), connection: { state: 'offline', at: at(1) } });

      // A stale online status (older than the will) changes nothing; the hub reconnecting does.
      await storage.registry.recordDeviceConnection(hub.id, 'online', at(0.9));
      await engine.runTimers();
      expect(open(await alertsOf(storage, patient.id))).toHaveLength(1);
      clock.set(at(2));
      await storage.registry.recordDeviceConnection(hub.id, 'online', at(2));
      await storage.registry.touchDevice(hub.id, at(2));
      await engine.runTimers();
      const [back] = await alertsOf(storage, patient.id);
      expect(back).toMatchObject({ rule: 'hub-offline', state: 'resolved', outcome: 'reading-received' });
      expect((await storage.alerts.events(back!.id)).at(-1)).toMatchObject({ kind: 'resolved', actor: { id: 'rules-engine' }, note: 'The hub or app is back online.' });
    });

    it('no heartbeat for longer than the configured time is offline; within it, not', async () => {
      const { clock, engine, patient } = await setUp({ hubOfflineAfterMinutes: 45 });
      const app = await device(patient.id, 'patient-app');
      await storage.registry.recordDeviceConnection(app.id, 'online', at(0));
      await storage.registry.touchDevice(app.id, at(0));
      clock.set(new Date(at(0).getTime() + 45 * MINUTE));
      await engine.runTimers();
      expect(await alertsOf(storage, patient.id)).toEqual([]);
      clock.advance(MINUTE);
      await engine.runTimers();
      const [offline] = await alertsOf(storage, patient.id);
      expect(offline).toMatchObject({ rule: 'hub-offline', subject: `hub-offline:${app.id}`, firstMeasuredAt: new Date(at(0).getTime() + 45 * MINUTE) });
      expect(offline!.explanation).toMatch(/^The patient app is offline: it was last heard from .*\(phone charged, app open, data on\)/);
      expect(offline!.details['offlineAfterMinutes']).toBe(45);
    });
  });

  describe('patient silent and device unused', () => {
    it('patient silent past schedule plus grace with the app online, each further day a further occurrence; a reading resolves it', async () => {
      const { clock, engine, patient } = await setUp();
      const app = await device(patient.id, 'patient-app');
      await feed(storage, engine, clock, patient.id, [{ at: at(0), values: DAILY({}) }]);
      const heartbeat = async (time: Date) => {
        clock.set(time);
        await storage.registry.touchDevice(app.id, time);
        await engine.runTimers();
      };
      await heartbeat(at(27.9)); // 24 h + 4 h grace not yet passed
      expect(await alertsOf(storage, patient.id)).toEqual([]);
      await heartbeat(at(28.1));
      let [silent] = await alertsOf(storage, patient.id);
      expect(silent).toMatchObject({ rule: 'patient-silent', subject: 'patient-silent', severity: 'medium', occurrences: 1, firstMeasuredAt: at(28) });
      expect(silent!.explanation).toMatch(/^Patient silent: nothing measured since 2026-03-01 08:00 UTC \(28 hours ago\); expected weight every 24 hours, blood pressure every 24 hours, pulse every 24 hours\. The patient app is online/);
      await heartbeat(at(52.1));
      [silent] = await alertsOf(storage, patient.id);
      expect(silent).toMatchObject({ occurrences: 2, latestMeasuredAt: at(52) });
      await feed(storage, engine, clock, patient.id, [{ at: at(53), values: DAILY({ body_weight: 80.6 }) }]);
      [silent] = await alertsOf(storage, patient.id);
      expect(silent).toMatchObject({ state: 'resolved', outcome: 'reading-received' });
    });

    it('one device unused while another reports: its own alert, not patient-silent; resolved when it is used again', async () => {
      const { clock, engine, patient } = await setUp();
      const hub = await device(patient.id, 'hub');
      const scale = await device(patient.id, 'weight-scale');
      const cuff = await device(patient.id, 'blood-pressure-monitor');
      await storage.registry.touchDevice(scale.id, at(0));
      await feed(storage, engine, clock, patient.id, [{ at: at(0), values: DAILY({}) }]);
      // Days 2 and 3: blood pressure and pulse every morning, no weight.
      for (const day of [1, 2]) {
        await feed(storage, engine, clock, patient.id, [{ at: at(day * 24), values: { systolic_bp: 124, heart_rate: 70 } }]);
        await storage.registry.touchDevice(cuff.id, at(day * 24));
        await storage.registry.touchDevice(hub.id, at(day * 24 + 2));
      }
      clock.set(at(48 + 2));
      await engine.runTimers();
      const alerts = await alertsOf(storage, patient.id);
      expect(rules(alerts)).toEqual(['device-unused']);
      expect(alerts[0]).toMatchObject({ subject: `device-unused:${scale.id}`, severity: 'medium' });
      expect(alerts[0]!.explanation).toMatch(/^Weight scale unused: no weight since 2026-03-01 08:00 UTC .*, last in contact 2026-03-01 08:00 UTC .*, while the patient is measuring \((blood pressure|pulse) 2026-03-03 08:00 UTC/);
      await storage.registry.touchDevice(scale.id, at(50.5));
      await feed(storage, engine, clock, patient.id, [{ at: at(50.5), values: { body_weight: 80.4 } }]);
      expect((await alertsOf(storage, patient.id))[0]).toMatchObject({ rule: 'device-unused', state: 'resolved' });
    });

    it('one expected reading missing while the others arrive from the same app: reading-missing, resolved when it comes', async () => {
      const { clock, engine, patient } = await setUp();
      const app = await device(patient.id, 'patient-app');
      await feed(storage, engine, clock, patient.id, [{ at: at(0), values: DAILY({}) }]);
      // Days 2 and 3: blood pressure and pulse typed into the app every morning, no weight.
      for (const day of [1, 2]) {
        await feed(storage, engine, clock, patient.id, [{ at: at(day * 24), values: { systolic_bp: 124, heart_rate: 70 } }]);
        await storage.registry.touchDevice(app.id, at(day * 24 + 2));
      }
      clock.set(at(48 + 2));
      await engine.runTimers();
      const alerts = await alertsOf(storage, patient.id);
      expect(rules(alerts)).toEqual(['reading-missing']);
      expect(alerts[0]).toMatchObject({ subject: 'reading-missing', severity: 'medium' });
      expect(alerts[0]!.explanation).toMatch(/^Reading missing: no weight \(weight last 2026-03-01 08:00 UTC/);
      await feed(storage, engine, clock, patient.id, [{ at: at(50.5), values: { body_weight: 80.4 } }]);
      expect((await alertsOf(storage, patient.id))[0]).toMatchObject({ rule: 'reading-missing', state: 'resolved', outcome: 'reading-received' });
    });

    it('silence across a restart: the engine stops, two days pass, and the first pass after start raises what fell due meanwhile', async () => {
      const { clock, engine, patient } = await setUp();
      const hub = await device(patient.id, 'hub');
      await storage.registry.touchDevice(hub.id, at(0));
      await storage.registry.recordDeviceConnection(hub.id, 'online', at(0));
      await feed(storage, engine, clock, patient.id, [{ at: at(0), values: DAILY({}) }]);
      await engine.runTimers();
      const consumer = engine.consumerName;
      await engines.pop()!.close();

      // Down for two days: the hub kept calling in (it talks to the gateway), nobody measured.
      clock.set(at(48));
      await storage.registry.touchDevice(hub.id, at(47.9));
      const restarted = await anEngine(storage, clock, { consumer, timerIntervalMs: 3_600_000, pollIntervalMs: 3_600_000 });
      engines.push(restarted);
      await restarted.engine.start(); // the first timer pass runs at once, not a timer started now
      const silent = await waitFor(async () => (await alertsOf(storage, patient.id)).find((a) => a.rule === 'patient-silent'));
      expect(silent).toMatchObject({ state: 'open', occurrences: 1, firstMeasuredAt: at(24 + 4) });
      expect(silent.details['missing']).toEqual(expect.arrayContaining([expect.objectContaining({ vital: 'body_weight', missedIntervals: 1 })]));
    });
  });

  describe('technical problems: their own alerts, marked technical, never clinical', () => {
    it("a device clock 2 h off, a reading 7 h late, malformed frames and a low battery each raise one; each clears", async () => {
      const { clock, engine, patient } = await setUp();
      const scale = await device(patient.id, 'weight-scale');
      const cuff = await device(patient.id, 'blood-pressure-monitor');
      const oximeter = await device(patient.id, 'pulse-oximeter');
      const fromDevice = (deviceId: string, measured: Date, values: Record<string, number>, receivedAt: Date, deviceTime = measured) =>
        readingsAt(patient.id, measured, values, receivedAt).map((r) => ({ ...r, deviceId, deviceTime }));

      clock.set(at(8));
      await storage.readings.insertBatch([
        // The scale's clock says 10:00 for a weight the gateway placed at 08:00 (corrected).
        ...fromDevice(scale.id, at(7.9), { body_weight: 80.1 }, at(7.9), at(9.9)),
        // The cuff's reading of 01:00 arrives at 08:00.
        ...fromDevice(cuff.id, at(1), { systolic_bp: 128 }, at(8)),
      ]);
      await settle(storage, engine);
      await storage.rejected.record({ source: 'mqtt', deviceId: oximeter.id, topic: 't', payload: Buffer.from('{}'), error: { code: 'gatt.truncated', message: 'cut short' }, receivedAt: at(7) });
      // A frame refused among good items: the message's code is a summary, the items keep theirs.
      await storage.rejected.record({
        source: 'mqtt',
        deviceId: cuff.id,
        topic: 't',
        payload: Buffer.from('{}'),
        error: { code: 'payload.items-rejected', message: '1 of 2', details: { items: [{ index: 1, code: 'gatt.reserved-value', message: 'x' }] } },
        receivedAt: at(7.5),
      });
      await storage.rejected.record({ source: 'mqtt', deviceId: scale.id, topic: 't', payload: Buffer.from('{}'), error: { code: 'payload.invalid-json', message: 'not json' }, receivedAt: at(7.5) });
      await storage.registry.touchDevice(oximeter.id, at(7.5), 15);
      await engine.runTimers();

      const alerts = await alertsOf(storage, patient.id);
      expect(alerts.map((a) => [a.rule, a.subject.split(':')[1]]).sort()).toEqual(
        [
          ['device-clock-off', scale.id],
          ['late-delivery', cuff.id],
          ['low-battery', oximeter.id],
          ['malformed-frames', cuff.id],
          ['malformed-frames', oximeter.id],
        ].sort(),
      );
      expect(alerts.every((a) => a.details['technical'] === true && a.severity === 'low')).toBe(true);
      const byRule = (rule: string) => alerts.find((a) => a.rule === rule)!;
      expect(byRule('device-clock-off').explanation).toMatch(/^Technical: a device's clock is ahead by about 2 hours\./);
      expect(byRule('late-delivery').explanation).toMatch(/^Technical: 1 reading arrived up to 7 hours after it was measured/);
      expect(byRule('low-battery').explanation).toMatch(/battery was at 15 %/);
      expect(alerts.find((a) => a.subject === `malformed-frames:${oximeter.id}`)!.explanation).toMatch(/1 message from the pulse oximeter .* \(gatt\.truncated\)/);

      // Clock set, on time, battery changed; frames decode for a day.
      clock.set(at(9));
      await storage.readings.insertBatch([...fromDevice(scale.id, at(8.9), { body_weight: 80.2 }, at(8.9)), ...fromDevice(cuff.id, at(8.9), { systolic_bp: 126 }, at(8.95))]);
      await settle(storage, engine);
      await storage.registry.touchDevice(oximeter.id, at(9), 95);
      await engine.runTimers();
      expect(open(await alertsOf(storage, patient.id)).map((a) => a.rule).sort()).toEqual(['malformed-frames', 'malformed-frames']);
      clock.set(at(7.5 + 24.1));
      await storage.registry.touchDevice(oximeter.id, clock.now());
      await feed(storage, engine, clock, patient.id, [{ at: at(31.5), values: DAILY({}) }]);
      await engine.runTimers();
      expect(open(await alertsOf(storage, patient.id))).toEqual([]);
    });

    it('a late-delivery alert a nurse closed comes back with the next outage, though its backlog was measured before she closed it', async () => {
      const { clock, engine, patient } = await setUp();
      const hub = await device(patient.id, 'hub');
      const fromHub = (measured: number, received: number) => readingsAt(patient.id, at(measured), { body_weight: 80.3 }, at(received)).map((r) => ({ ...r, deviceId: hub.id }));
      clock.set(at(20));
      await storage.readings.insertBatch(fromHub(2, 20));
      await settle(storage, engine);
      const [first] = await alertsOf(storage, patient.id);
      expect(first).toMatchObject({ rule: 'late-delivery', state: 'open' });
      clock.set(at(21));
      expect((await storage.alerts.transition(first!.id, { action: 'resolve', by: { type: 'user', id: randomUUID() }, at: clock.now(), outcome: 'device-problem' })).ok).toBe(true);
      // The hub held a reading of hour 10 and delivers it at hour 30: measured before the nurse closed the alert, received after.
      clock.set(at(30));
      await storage.readings.insertBatch(fromHub(10, 30));
      await settle(storage, engine);
      const alerts = await alertsOf(storage, patient.id);
      expect(alerts.map((a) => [a.rule, a.state])).toEqual([
        ['late-delivery', 'resolved'],
        ['late-delivery', 'open'],
      ]);
    });
  });

  describe('one failing check does not hold up the rest of the ward', () => {
    it("a patient whose checks fail (a lock timeout on their devices) is named in a system alert while the others' silence is still raised; the next clean pass checks them and resolves it", async () => {
      const { clock, engine, patient: stuck, admission } = await setUp();
      const other = await admitPatient(storage, 'heart-failure', HEART_FAILURE, new Date(START.getTime() - HOUR));
      const apps = [await device(stuck.id, 'patient-app'), await device(other.patient.id, 'patient-app')];
      await feed(storage, engine, clock, stuck.id, [{ at: at(0), values: DAILY({}) }]);
      await feed(storage, engine, clock, other.patient.id, [{ at: at(0), values: DAILY({}) }]);
      const contactsOf = storage.deviceState.contactsOf.bind(storage.deviceState);
      const spy = jest.spyOn(storage.deviceState, 'contactsOf').mockImplementation(async (patientId) => {
        if (patientId === stuck.id) throw new Error('canceling statement due to lock timeout');
        return contactsOf(patientId);
      });
      try {
        clock.set(at(28.1)); // both past the daily schedule plus grace, apps online
        for (const app of apps) await storage.registry.touchDevice(app.id, at(28.1));
        await engine.runTimers();
      } finally {
        spy.mockRestore();
      }
      expect(rules(await alertsOf(storage, other.patient.id))).toEqual(['patient-silent']);
      expect(await alertsOf(storage, stuck.id)).toEqual([]);
      const failing = (await storage.systemAlerts.list()).find((a) => a.kind === 'timed-checks-failing');
      expect(failing).toMatchObject({ state: 'open', source: 'rules-timers' });
      expect(failing!.summary).toMatch(/^Homeward's timed checks \(escalations, reminders, silence and device checks\) failed for 1 patient: /);
      expect(failing!.details).toEqual({
        failed: 1,
        failures: [{ check: 'silence-and-devices', admissionId: admission.id, patientId: stuck.id, error: 'canceling statement due to lock timeout' }],
      });

      clock.set(at(28.2));
      await engine.runTimers();
      expect(rules(await alertsOf(storage, stuck.id))).toEqual(['patient-silent']);
      expect((await storage.systemAlerts.list({ includeResolved: true })).find((a) => a.id === failing!.id)).toMatchObject({ state: 'resolved' });
    });

    it('an escalation that fails leaves the other due escalations and the silence checks to run', async () => {
      const { clock, engine, patient } = await setUp();
      const other = await admitPatient(storage, 'heart-failure', HEART_FAILURE, new Date(START.getTime() - HOUR));
      const app = await device(patient.id, 'patient-app');
      // A red SpO2 for each (high severity: escalates when not acknowledged in time), then the patient falls silent.
      await feed(storage, engine, clock, patient.id, [{ at: at(0), values: DAILY({ spo2: 88 }) }]);
      await feed(storage, engine, clock, other.patient.id, [{ at: at(0), values: DAILY({ spo2: 88 }) }]);
      const [stuck] = open(await alertsOf(storage, other.patient.id)).filter((a) => a.severity === 'high');
      expect(stuck).toBeDefined();
      const transition = storage.alerts.transition.bind(storage.alerts);
      const spy = jest.spyOn(storage.alerts, 'transition').mockImplementation(async (id, change) => {
        if (id === stuck!.id) throw new Error('canceling statement due to lock timeout');
        return transition(id, change);
      });
      try {
        clock.set(at(28.1));
        await storage.registry.touchDevice(app.id, at(28.1));
        await engine.runTimers();
      } finally {
        spy.mockRestore();
      }
      const mine = await alertsOf(storage, patient.id);
      const high = mine.filter((a) => a.severity === 'high');
      expect(high.length).toBeGreaterThan(0);
      expect(high.every((a) => a.state === 'escalated')).toBe(true);
      expect(mine.map((a) => a.rule)).toContain('patient-silent');
      expect((await storage.alerts.get(stuck!.id))?.state).toBe('open');
      const failing = (await storage.systemAlerts.list()).find((a) => a.kind === 'timed-checks-failing');
      expect(failing?.details['failures']).toEqual([{ check: 'escalation', alertId: stuck!.id, patientId: other.patient.id, error: 'canceling statement due to lock timeout' }]);

      clock.set(at(28.2));
      await engine.runTimers();
      expect((await storage.alerts.get(stuck!.id))?.state).toBe('escalated');
      expect((await storage.systemAlerts.list()).find((a) => a.kind === 'timed-checks-failing')).toBeUndefined();
    });
  });
});

/** Polls the store until the engine (running on its own timers) has written what the test waits for. */
async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting for the engine');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
