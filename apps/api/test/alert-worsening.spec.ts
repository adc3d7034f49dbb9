import type { Alert } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { DEFAULT_ESCALATE_AFTER_MINUTES, type RulesEngineEvent } from '../src';
import { type AlertChange, AlertStreamService } from '../src/app/stream/alert-stream.service';
import { BACKENDS, HOUR, MINUTE, ManualClock, admitPatient, alertsOf, anEngine, eventually, feed, settle } from './rules-engine.fixture';

jest.setTimeout(60_000);

const START = new Date('2026-03-01T08:00:00.000Z');
const at = (hours: number) => new Date(START.getTime() + hours * HOUR);
const ARI_PLAN = { news2: { windowHours: 24, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } };

/**
 * Issue 15, "nothing swallowed": an acknowledged alert does not absorb a later, worse finding for
 * the same episode. The engine re-opens it at the higher severity, marked worsened, publishes it,
 * and its escalation timer runs from the worsening.
 */
describe.each(BACKENDS)('a worse finding re-opens an acknowledged alert, on $label', (backend) => {
  let storage: Storage;
  let closeStorage: () => Promise<void>;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    ({ storage, close: closeStorage } = await backend.open());
  }, 60_000);
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await closeStorage?.();
  });

  async function setUp() {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock);
    closers.push(() => running.close());
    const admitted = await admitPatient(storage, 'acute-respiratory-infection', ARI_PLAN, new Date(START.getTime() - HOUR));
    const engineEvents: RulesEngineEvent[] = [];
    const subscription = running.engine.events$.subscribe((event) => engineEvents.push(event));
    closers.push(async () => subscription.unsubscribe());
    // The live stream as the api runs it: LISTEN homeward_alerts, then the changed alerts as worklist items.
    const stream = new AlertStreamService(storage, clock);
    await stream.onModuleInit();
    const streamed: AlertChange[] = [];
    const streaming = stream.changesFor([admitted.ward.id]).subscribe((change) => streamed.push(change));
    closers.push(async () => {
      streaming.unsubscribe();
      await stream.onModuleDestroy();
    });
    const nurse = await storage.registry.createUser({ email: `${admitted.patient.id}@nhs.example`, displayName: 'Nurse W', role: 'nurse' });
    return { clock, engine: running.engine, engineEvents, streamed, nurse, ...admitted };
  }

  const spo2Alert = async (patientId: string): Promise<Alert> => {
    const found = (await alertsOf(storage, patientId)).filter((a) => a.rule === 'vital-threshold' && a.subject === 'spo2:at-or-below');
    expect(found).toHaveLength(1); // one episode throughout: re-opened, never raised twice
    return found[0]!;
  };

  it('an acknowledged SpO2 alert re-opens as worsened when SpO2 falls into the red, is streamed, and escalates on the red timer from then', async () => {
    const { clock, engine, engineEvents, streamed, nurse, patient } = await setUp();
    await feed(storage, engine, clock, patient.id, [{ at: at(1), values: { spo2: 93 } }]);
    const first = await spo2Alert(patient.id);
    expect(first).toMatchObject({ state: 'open', worsenedAt: null, worsenedFrom: null });
    expect(first.severity).not.toBe('high');

    clock.advance(10 * MINUTE);
    const ack = await storage.alerts.transition(first.id, { action: 'acknowledge', by: { type: 'user', id: nurse.id }, at: clock.now(), reason: 'Phoning the patient' });
    expect(ack.ok && ack.value.state).toBe('acknowledged');
    streamed.length = 0;

    // An hour later SpO2 88 %: a red value, top severity whatever the pathway (NEWS2 floor).
    await feed(storage, engine, clock, patient.id, [{ at: at(2), values: { spo2: 88 } }]);
    const worsenedAt = clock.now();
    const worsened = await spo2Alert(patient.id);
    const dueAt = new Date(worsenedAt.getTime() + DEFAULT_ESCALATE_AFTER_MINUTES.high! * MINUTE);
    expect(worsened).toMatchObject({
      id: first.id,
      state: 'open',
      severity: 'high',
      worsenedFrom: first.severity,
      worsenedAt,
      escalationDueAt: dueAt,
      ownerId: nurse.id,
      latestValue: 88,
      occurrences: 2,
    });
    expect(engineEvents.filter((e) => e.alert.id === first.id).map((e) => [e.type, e.alert.state, e.alert.severity])).toEqual([
      ['raised', 'open', first.severity],
      ['worsened', 'open', 'high'],
    ]);
    const history = await storage.alerts.events(first.id);
    expect(history.map((e) => [e.kind, e.fromState, e.toState])).toEqual([
      ['raised', null, 'open'],
      ['acknowledged', 'open', 'acknowledged'],
      ['worsened', 'acknowledged', 'open'],
    ]);

    // The live stream carries the re-opened alert with its new severity and the worsened marker.
    const item = await eventually(
      () => streamed.flatMap((c) => (c.kind === 'alert' && c.item.alert.id === first.id ? [c.item] : [])).find((i) => i.alert.worsenedAt !== null),
      'the worsened alert on the live stream',
    );
    expect(item.alert).toMatchObject({ state: 'open', severity: 'high', worsenedFrom: first.severity });
    expect(item.patient?.id).toBe(patient.id);

    // The escalation timer runs from the worsening, on the red severity's timer (moved by the clock, not slept).
    clock.set(new Date(dueAt.getTime() - MINUTE));
    await engine.runTimers();
    expect((await spo2Alert(patient.id)).state).toBe('open');
    clock.set(dueAt);
    await engine.runTimers();
    expect(await spo2Alert(patient.id)).toMatchObject({ state: 'escalated', severity: 'high', escalatedAt: dueAt });
  });

  it('a redelivered or re-evaluated worse reading does not re-open the alert again once the worsening is acknowledged', async () => {
    const { clock, engine, engineEvents, nurse, patient } = await setUp();
    await feed(storage, engine, clock, patient.id, [{ at: at(1), values: { spo2: 93 } }]);
    const first = await spo2Alert(patient.id);
    await storage.alerts.transition(first.id, { action: 'acknowledge', by: { type: 'user', id: nurse.id }, at: clock.now() });
    const before = await storage.alerts.readCursor(engine.consumerName);
    await feed(storage, engine, clock, patient.id, [{ at: at(2), values: { spo2: 88 } }]);
    expect((await spo2Alert(patient.id)).state).toBe('open');
    clock.advance(5 * MINUTE);
    await storage.alerts.transition(first.id, { action: 'acknowledge', by: { type: 'user', id: nurse.id }, at: clock.now(), reason: 'Ambulance called' });

    // At least once: the same committed readings evaluated again (as after a crash).
    const after = await storage.alerts.readCursor(engine.consumerName);
    expect(await storage.alerts.advanceCursor(engine.consumerName, after, before)).toBe(true);
    clock.advance(MINUTE);
    await settle(storage, engine);
    expect(await spo2Alert(patient.id)).toMatchObject({ state: 'acknowledged', severity: 'high', occurrences: 2 });
    expect(engineEvents.filter((e) => e.alert.id === first.id && e.type === 'worsened')).toHaveLength(1);
    expect((await storage.alerts.events(first.id)).map((e) => e.kind)).toEqual(['raised', 'acknowledged', 'worsened', 'acknowledged']);
  });
});
