import type { Alert } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { type AlertChange, AlertStreamService } from '../src/app/stream/alert-stream.service';
import { BACKENDS, HOUR, MINUTE, ManualClock, admitPatient, anEngine, eventually, feed } from './rules-engine.fixture';

jest.setTimeout(60_000);

const START = new Date('2026-03-02T08:00:00.000Z');
const at = (hours: number) => new Date(START.getTime() + hours * HOUR);
const PLAN = { news2: { windowHours: 24, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } };

/**
 * The live stream reads only the alerts of wards someone is watching: a backfill rewriting the
 * alerts of wards with no open stream costs it one small query (issue 18: the live stream's reads
 * competed with a busy database for every ward's alert changes).
 */
describe.each(BACKENDS)('the live stream reads only watched wards\' alerts, on $label', (backend) => {
  let storage: Storage;
  let closeStorage: () => Promise<void>;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    ({ storage, close: closeStorage } = await backend.open());
  }, 60_000);
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await closeStorage?.();
  });

  it('streams and reads the changes of the watched ward only, and nothing of a ward once no stream watches it', async () => {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock);
    closers.push(() => running.close());
    const watchedWard = await admitPatient(storage, 'acute-respiratory-infection', PLAN, new Date(START.getTime() - HOUR));
    const otherWard = await admitPatient(storage, 'acute-respiratory-infection', PLAN, new Date(START.getTime() - HOUR));

    // What the stream read from the alerts table, through the real repository.
    const read: Alert[] = [];
    const getMany = storage.alerts.getMany.bind(storage.alerts);
    storage.alerts.getMany = async (ids, options) => {
      const found = await getMany(ids, options);
      read.push(...found);
      return found;
    };
    closers.push(async () => void (storage.alerts.getMany = getMany));

    const stream = new AlertStreamService(storage, clock);
    await stream.onModuleInit();
    closers.push(() => stream.onModuleDestroy());
    const streamed: AlertChange[] = [];
    const watching = stream.changesFor([watchedWard.ward.id]).subscribe((change) => streamed.push(change));

    // Both patients' SpO2 falls: each ward gets an alert.
    await feed(storage, running.engine, clock, otherWard.patient.id, [{ at: at(1), values: { spo2: 89 } }]);
    await feed(storage, running.engine, clock, watchedWard.patient.id, [{ at: at(1), values: { spo2: 89 } }]);
    const alertOf = async (patientId: string) => (await storage.alerts.forPatient(patientId))[0];
    const watchedAlert = await alertOf(watchedWard.patient.id);
    const otherAlert = await alertOf(otherWard.patient.id);
    expect(watchedAlert?.wardId).toBe(watchedWard.ward.id);
    expect(otherAlert?.wardId).toBe(otherWard.ward.id);

    await eventually(() => streamed.some((c) => c.kind === 'alert' && c.item.alert.id === watchedAlert?.id) || undefined, 'the watched ward\'s alert on the stream', 150);
    // The other ward's alert changed first, yet was never read, let alone streamed.
    expect(streamed.filter((c) => c.kind === 'alert').map((c) => c.kind === 'alert' && c.item.alert.wardId)).toEqual(streamed.filter((c) => c.kind === 'alert').map(() => watchedWard.ward.id));
    expect(read.map((a) => a.wardId)).not.toContain(otherWard.ward.id);
    expect(read.map((a) => a.id)).toContain(watchedAlert?.id);

    // Nobody watching the ward any more: a change to its alert is not read at all.
    watching.unsubscribe();
    read.length = 0;
    clock.advance(10 * MINUTE);
    await feed(storage, running.engine, clock, watchedWard.patient.id, [{ at: at(2), values: { spo2: 87 } }]);
    expect((await alertOf(watchedWard.patient.id))?.occurrences).toBe(2);
    // Notifications are handled in commit order: once a later change of the other ward (watched
    // from now on) is on the stream, the first ward's change has been handled, unread.
    const sentinel: AlertChange[] = [];
    const other = stream.changesFor([otherWard.ward.id]).subscribe((change) => sentinel.push(change));
    closers.push(async () => other.unsubscribe());
    await feed(storage, running.engine, clock, otherWard.patient.id, [{ at: at(2), values: { spo2: 87 } }]);
    await eventually(() => sentinel.some((c) => c.kind === 'alert' && c.item.alert.id === otherAlert?.id && c.item.alert.occurrences === 2) || undefined, 'the other ward\'s change on its stream', 150);
    expect(read.map((a) => a.wardId)).not.toContain(watchedWard.ward.id);
    expect(read.map((a) => a.id)).toContain(otherAlert?.id);
  });
});
