import { evaluatePatientRules, readingProblems, readingsAnswer } from '@homeward/rules';
import type { Storage } from '@homeward/storage';
import { BACKENDS, HOUR, MINUTE, ManualClock, admitPatient, alertsOf, anEngine, feed, readingsAt, settle, summary, untilVisible } from './rules-engine.fixture';

jest.setTimeout(60_000);

const START = new Date('2026-03-01T08:00:00.000Z');
const ARI_PLAN = { news2: { windowHours: 24, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } };

/** The open rules-evaluation-failed system alert, and how many patients it counts (0 when none is open). */
async function openSystemAlert(storage: Storage) {
  const open = (await storage.systemAlerts.list()).find((x) => x.kind === 'rules-evaluation-failed' && x.state !== 'resolved');
  return Object.assign(open ?? { details: {} as Record<string, unknown> }, { patients: typeof open?.details['patients'] === 'number' ? open.details['patients'] : 0 });
}

describe.each(BACKENDS)('one patient whose clinical rules fail, on $label', (backend) => {
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

  it('does not hold up the ward: the others are alerted, that patient gets a rules-failed alert naming the unchecked readings, and staff a system alert', async () => {
    const clock = new ManualClock(START);
    const broken = new Set<string>();
    const running = await anEngine(storage, clock, {
      // As a fault in a rule would: an exception for this patient's data, whatever the moment.
      clinicalRules: (readings, carePlan, now, observations) => {
        if (broken.has(carePlan.patientId)) throw new Error(`cannot read the care plan of ${carePlan.patientId}`);
        return evaluatePatientRules(readings, carePlan, now, observations);
      },
    });
    engines.push(running);
    const engine = running.engine;
    const consumerName = engine.consumerName;
    const a = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    const b = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    broken.add(a.patient.id);

    // Both patients desaturate, in one batch: one page of the stream.
    const measured = new Date(START.getTime() + 10 * MINUTE);
    const aReadings = readingsAt(a.patient.id, measured, { spo2: 85, heart_rate: 118 });
    const stored = await storage.readings.insertBatch([...aReadings, ...readingsAt(b.patient.id, measured, { spo2: 85, heart_rate: 118 })]);
    await storage.readings.notifyNewReadings();
    await untilVisible(storage, consumerName, 4);
    clock.set(new Date(measured.getTime() + MINUTE));
    await settle(storage, engine); // every reading passed: the page was not retried forever

    const bAlerts = summary(await alertsOf(storage, b.patient.id));
    expect(bAlerts.some((s) => s.startsWith('vital-threshold spo2') && s.endsWith('high'))).toBe(true);

    const aAlerts = await alertsOf(storage, a.patient.id);
    expect(summary(aAlerts)).toEqual(['rules-failed clinical-rules medium']);
    const failed = aAlerts[0];
    const aIds = stored.stored.filter((r) => r.patientId === a.patient.id).map((r) => r.id);
    expect(aIds).toHaveLength(2);
    expect([...(failed?.readingIds ?? [])].sort()).toEqual([...aIds].sort());
    expect(failed?.state).toBe('open');
    expect(failed?.details).toMatchObject({ technical: true, uncheckedReadings: 2 });
    expect(String(failed?.details['error'])).toContain(`cannot read the care plan of ${a.patient.id}`);
    expect(failed?.explanation).toContain('2 readings from this patient');
    expect(failed?.explanation).toContain('No alert does not mean this patient is well');

    const system = (await storage.systemAlerts.list()).filter((s) => s.kind === 'rules-evaluation-failed');
    expect(system).toHaveLength(1);
    expect(system[0]?.state).toBe('open');
    expect(system[0]?.details).toMatchObject({ patients: 1, patientIds: [a.patient.id] });

    // Mended: the patient's next readings are checked again; the rules-failed alert waits for a person.
    broken.delete(a.patient.id);
    await feed(storage, engine, clock, a.patient.id, [{ at: new Date(measured.getTime() + HOUR), values: { spo2: 84 } }]);
    const after = await alertsOf(storage, a.patient.id);
    expect(after.find((x) => x.rule === 'rules-failed')?.state).toBe('open');
    expect(summary(after).some((s) => s.startsWith('vital-threshold spo2') && s.endsWith('high'))).toBe(true);
  });

  it('a second failure for the same patient repeats the open alert, with the new readings as evidence', async () => {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock, {
      clinicalRules: () => {
        throw new Error('rule fault');
      },
    });
    engines.push(running);
    const engine = running.engine;
    const a = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    const first = await feed(storage, engine, clock, a.patient.id, [{ at: new Date(START.getTime() + MINUTE), values: { spo2: 96 } }]);
    const second = await feed(storage, engine, clock, a.patient.id, [{ at: new Date(START.getTime() + 30 * MINUTE), values: { spo2: 95 } }]);

    const alerts = await alertsOf(storage, a.patient.id);
    expect(summary(alerts)).toEqual(['rules-failed clinical-rules medium']);
    expect(alerts[0]?.occurrences).toBe(2);
    expect([...(alerts[0]?.readingIds ?? [])].sort()).toEqual([...first, ...second].map((r) => r.id).sort());
    const events = await storage.alerts.events(alerts[0]?.id ?? '');
    expect(events.map((e) => e.kind)).toEqual(['raised', 'repeated']);
  });
  it('keeps what the rules found at the moments before the one that failed', async () => {
    const clock = new ManualClock(START);
    const failAt = new Date(START.getTime() + 40 * MINUTE);
    const running = await anEngine(storage, clock, {
      clinicalRules: (readings, carePlan, now, observations) => {
        if (now.getTime() >= failAt.getTime()) throw new Error('fault at the second moment');
        return evaluatePatientRules(readings, carePlan, now, observations);
      },
    });
    engines.push(running);
    const a = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    // Two moments in one page: a red SpO2 first, then the moment the rules fail on.
    await storage.readings.insertBatch([...readingsAt(a.patient.id, new Date(START.getTime() + 10 * MINUTE), { spo2: 85 }), ...readingsAt(a.patient.id, failAt, { spo2: 96 })]);
    await storage.readings.notifyNewReadings();
    await untilVisible(storage, running.engine.consumerName, 2);
    clock.set(new Date(failAt.getTime() + MINUTE));
    await settle(storage, running.engine);
    const alerts = summary(await alertsOf(storage, a.patient.id));
    expect(alerts).toContain('rules-failed clinical-rules medium');
    expect(alerts.some((x) => x.startsWith('vital-threshold spo2') && x.endsWith('high'))).toBe(true);
  });
  it('raises it again for readings that failed after a nurse resolved the last one, however long ago they arrived', async () => {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock, { clinicalRules: () => { throw new Error('rule fault'); } });
    engines.push(running);
    const engine = running.engine;
    const a = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    await feed(storage, engine, clock, a.patient.id, [{ at: new Date(START.getTime() + MINUTE), values: { spo2: 96 } }]);
    const [first] = await alertsOf(storage, a.patient.id);
    const user = await storage.registry.createUser({ email: `${a.patient.id}@nhs.example`, displayName: 'Nurse R', role: 'nurse' });
    clock.set(new Date(START.getTime() + 20 * MINUTE));
    const resolved = await storage.alerts.transition(first?.id ?? '', { action: 'resolve', by: { type: 'user', id: user.id }, at: clock.now(), outcome: 'contacted-patient', reason: 'Reviewed the reading' });
    expect(resolved.ok).toBe(true);
    // Received before that resolve (a backlog, a page retried), evaluated after it: nobody has seen them.
    await storage.readings.insertBatch(readingsAt(a.patient.id, new Date(START.getTime() + 5 * MINUTE), { spo2: 95 }, new Date(START.getTime() + 6 * MINUTE)));
    await storage.readings.notifyNewReadings();
    clock.set(new Date(START.getTime() + 25 * MINUTE));
    await settle(storage, engine);
    const alerts = await alertsOf(storage, a.patient.id);
    expect(alerts.map((x) => `${x.rule} ${x.state}`)).toEqual(['rules-failed resolved', 'rules-failed open']);
  });

  it('keeps every unchecked reading as evidence, not the latest few a technical alert keeps, and the system alert counts every patient', async () => {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock, { clinicalRules: () => { throw new Error('rule fault'); } });
    engines.push(running);
    const engine = running.engine;
    const a = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    const b = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    const before = (await storage.systemAlerts.list()).find((x) => x.kind === 'rules-evaluation-failed' && x.state !== 'resolved');
    const known = typeof before?.details['patients'] === 'number' ? before.details['patients'] : 0;
    // 60 moments of patient A in one page, then one more in the next, then patient B alone.
    const many = Array.from({ length: 60 }, (_, i) => readingsAt(a.patient.id, new Date(START.getTime() + i * MINUTE), { spo2: 96 })).flat();
    const firstPage = await storage.readings.insertBatch(many);
    await storage.readings.notifyNewReadings();
    clock.set(new Date(START.getTime() + 61 * MINUTE));
    await settle(storage, engine);
    const secondPage = await feed(storage, engine, clock, a.patient.id, [{ at: new Date(START.getTime() + 62 * MINUTE), values: { spo2: 96 } }]);
    await feed(storage, engine, clock, b.patient.id, [{ at: new Date(START.getTime() + 64 * MINUTE), values: { spo2: 96 } }]);

    const [failed] = await alertsOf(storage, a.patient.id);
    expect(failed?.occurrences).toBe(2);
    expect(failed?.readingIds).toHaveLength(61);
    expect([...(failed?.readingIds ?? [])].sort()).toEqual([...firstPage.stored, ...secondPage].map((r) => r.id).sort());
    const system = (await storage.systemAlerts.list()).filter((x) => x.kind === 'rules-evaluation-failed' && x.state !== 'resolved');
    expect(system).toHaveLength(1);
    expect(system[0]?.details['patients']).toBe(known + 2);
    expect(system[0]?.details['patientIds']).toEqual(expect.arrayContaining(known + 2 <= 20 ? [a.patient.id, b.patient.id] : []));
  });

  it("a fault in one patient's device and silence checks does not hold up the page: their clinical alerts stand, with a low rules-failed alert about the device checks", async () => {
    const clock = new ManualClock(START);
    const broken = new Set<string>();
    const running = await anEngine(storage, clock, {
      readingProblems: (patientId, fresh, now) => {
        if (broken.has(patientId)) throw new Error(`cannot read the devices of ${patientId}`);
        return readingProblems(patientId, fresh, now);
      },
    });
    engines.push(running);
    const engine = running.engine;
    const a = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    const b = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    broken.add(a.patient.id);
    const before = await openSystemAlert(storage);
    const measured = new Date(START.getTime() + 10 * MINUTE);
    const stored = await storage.readings.insertBatch([...readingsAt(a.patient.id, measured, { spo2: 85 }), ...readingsAt(b.patient.id, measured, { spo2: 85 })]);
    await storage.readings.notifyNewReadings();
    await untilVisible(storage, engine.consumerName, 2);
    clock.set(new Date(measured.getTime() + MINUTE));
    await settle(storage, engine);

    const aAlerts = await alertsOf(storage, a.patient.id);
    expect(summary(aAlerts).some((x) => x.startsWith('vital-threshold spo2') && x.endsWith('high'))).toBe(true);
    const failed = aAlerts.find((x) => x.rule === 'rules-failed');
    expect(failed).toMatchObject({ subject: 'device-checks', severity: 'low', state: 'open', readingIds: stored.stored.filter((r) => r.patientId === a.patient.id).map((r) => r.id) });
    expect(failed?.details).toMatchObject({ technical: true, allEvidence: true, uncheckedReadings: 1, error: `cannot read the devices of ${a.patient.id}` });
    expect(failed?.explanation).toContain('NEWS2, limits and trends were checked');
    const bAlerts = summary(await alertsOf(storage, b.patient.id));
    expect(bAlerts.some((x) => x.startsWith('vital-threshold spo2') && x.endsWith('high'))).toBe(true);
    expect(bAlerts.some((x) => x.startsWith('rules-failed'))).toBe(false);
    const system = await openSystemAlert(storage);
    expect(system?.details['patients']).toBe(before.patients + 1);
    expect(system?.details['errors']).toEqual(expect.arrayContaining([`device and silence checks: cannot read the devices of ${a.patient.id}`]));
  });

  it('when only the answering of open device alerts fails, the device problems found still raise their alerts', async () => {
    const clock = new ManualClock(START);
    const broken = new Set<string>();
    const running = await anEngine(storage, clock, {
      readingsAnswer: (fresh, now, open, rules, silences) => {
        if (fresh.some((r) => broken.has(r.patientId))) throw new Error('cannot match the open alerts');
        return readingsAnswer(fresh, now, open, rules, silences);
      },
    });
    engines.push(running);
    const a = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - 2 * HOUR));
    broken.add(a.patient.id);
    // Two oximeters each deliver a reading 8 hours after measuring it: two late-delivery alerts.
    // The first page has no device alert open, so nothing is answered; the second has one.
    const deliver = (measured: Date) => feed(storage, running.engine, clock, a.patient.id, [{ at: measured, values: { spo2: 96 }, receivedAt: new Date(measured.getTime() + 8 * HOUR) }]);
    await deliver(new Date(START.getTime() - HOUR));
    expect((await alertsOf(storage, a.patient.id)).map((x) => x.rule)).toEqual(['late-delivery']);
    const second = await deliver(new Date(START.getTime() + HOUR));

    const alerts = await alertsOf(storage, a.patient.id);
    const late = alerts.filter((x) => x.rule === 'late-delivery');
    expect(late).toHaveLength(2);
    expect(late.some((x) => second.every((r) => x.readingIds.includes(r.id)))).toBe(true);
    const failed = alerts.find((x) => x.rule === 'rules-failed');
    expect(failed).toMatchObject({ subject: 'device-checks', severity: 'low', readingIds: second.map((r) => r.id) });
    expect(failed?.details).toMatchObject({ error: 'cannot match the open alerts' });
    expect(failed?.explanation).toContain("the device's clock and late delivery were checked");
  });

  it('a patient whose clinical rules and device checks both fail has both alerts and is counted once', async () => {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock, {
      clinicalRules: () => {
        throw new Error('rule fault');
      },
      readingProblems: () => {
        throw new Error('device fault');
      },
    });
    engines.push(running);
    const a = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    const before = await openSystemAlert(storage);
    await feed(storage, running.engine, clock, a.patient.id, [{ at: new Date(START.getTime() + MINUTE), values: { spo2: 96 } }]);
    expect(summary(await alertsOf(storage, a.patient.id)).sort()).toEqual(['rules-failed clinical-rules medium', 'rules-failed device-checks low']);
    expect((await openSystemAlert(storage))?.details['patients']).toBe(before.patients + 1);
  });
});
