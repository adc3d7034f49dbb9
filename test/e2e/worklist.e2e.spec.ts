import { randomUUID } from 'node:crypto';
import type { Alert, AlertEvent } from '@homeward/domain';
import { call, signedInAccount } from './api-fixture';
import { aPatientWithDevice, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers } from './homeward-process';

// The nurse's side: a reading raises an alert, it appears on the worklist of the patient's ward
// only, and a nurse acknowledges, notes, assigns and resolves it, every step recorded.
describe('worklist and alert actions', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let api: string;
  let nurseA: { id: string; token: string };
  let nurseA2: { id: string; token: string };
  let nurseB: { id: string; token: string };
  let patientA: string;

  beforeAll(async () => {
    db = await realDatabase();
    const homeward = await startHomeward(db.url);
    api = `http://127.0.0.1:${homeward.apiPort}`;
    const [wardA, wardB] = [await db.storage.registry.createWard(`A ${randomUUID()}`), await db.storage.registry.createWard(`B ${randomUUID()}`)];
    patientA = (await aPatientWithDevice(db.storage)).patientId;
    await db.storage.registry.admit({ patientId: patientA, wardId: wardA.id, pathway: 'general' });
    nurseA = await signedInAccount(api, db.url, ['--role', 'nurse', '--ward', wardA.id]);
    nurseA2 = await signedInAccount(api, db.url, ['--role', 'nurse', '--ward', wardA.id]);
    nurseB = await signedInAccount(api, db.url, ['--role', 'nurse', '--ward', wardB.id]);
  });
  afterAll(async () => {
    await killLeftovers();
    await db?.dispose();
  });

  it('shows the alert to its ward only and records acknowledge, note, assign and resolve', async () => {
    const entered = await call(api, nurseA.token, 'POST', `/api/patients/${patientA}/readings`, { readings: [{ vital: 'spo2', value: 88, unit: '%', measuredAt: new Date(Date.now() - 60_000).toISOString() }] });
    expect(entered.status).toBe(201);

    const worklist = await eventually(async () => {
      const items = (await (await call(api, nurseA.token, 'GET', '/api/worklist')).json()) as Array<{ alert: Alert; patient: { id: string } | null; waitingMinutes: number }>;
      return items.length >= 2 ? items : undefined;
    });
    expect(worklist.every((item) => item.patient?.id === patientA)).toBe(true);
    const ranks = worklist.map((item) => item.alert.severity);
    expect(ranks).toEqual([...ranks].sort((a, b) => ['high', 'medium', 'low-medium', 'low'].indexOf(a) - ['high', 'medium', 'low-medium', 'low'].indexOf(b)));
    expect(((await (await call(api, nurseB.token, 'GET', '/api/worklist')).json()) as unknown[]).length).toBe(0);

    const alert = worklist.find((item) => item.alert.rule === 'vital-threshold')!.alert;
    const path = (action: string) => `/api/alerts/${alert.id}/${action}`;
    expect((await call(api, nurseB.token, 'POST', path('acknowledge'), {})).status).toBe(404); // another ward: as if absent
    expect((await call(api, undefined, 'POST', path('acknowledge'), {})).status).toBe(401);

    const acknowledged = (await (await call(api, nurseA.token, 'POST', path('acknowledge'), { note: 'calling the patient' })).json()) as Alert;
    expect(acknowledged).toMatchObject({ state: 'acknowledged', ownerId: nurseA.id });
    expect((await call(api, nurseA.token, 'POST', path('notes'), { note: 'Patient says the probe slipped; re-measuring.' })).status).toBe(201);
    expect((await call(api, nurseA.token, 'POST', path('assign'), { userId: nurseB.id })).status).toBe(400); // not on the ward
    expect(((await (await call(api, nurseA.token, 'POST', path('assign'), { userId: nurseA2.id })).json()) as Alert).ownerId).toBe(nurseA2.id);

    // A person cannot claim the system's outcome; a resolve needs a valid outcome.
    const badOutcome = await call(api, nurseA2.token, 'POST', path('resolve'), { outcome: 'reading-received' });
    expect(badOutcome.status).toBe(400);
    expect(((await badOutcome.json()) as { message: string[] }).message.join(' ')).toMatch(/outcome must be one of/);
    const resolved = (await (await call(api, nurseA2.token, 'POST', path('resolve'), { outcome: 'contacted-patient', note: 'SpO2 96 % on re-measure' })).json()) as Alert;
    expect(resolved).toMatchObject({ state: 'resolved', outcome: 'contacted-patient' });
    expect((await call(api, nurseA2.token, 'POST', path('acknowledge'), {})).status).toBe(409); // resolved is final

    const events = (await (await call(api, nurseA.token, 'GET', path('events'))).json()) as AlertEvent[];
    expect(events.map((e) => [e.kind, e.actor.id])).toEqual([
      ['raised', 'rules-engine'],
      ['acknowledged', nurseA.id],
      ['noted', nurseA.id],
      ['assigned', nurseA.id],
      ['resolved', nurseA2.id],
    ]);
    const audit = await db.storage.audit.forPatient(patientA, 50);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['alert.acknowledge', 'alert.note', 'alert.assign', 'alert.resolve', 'alert.read']));
  });
});
