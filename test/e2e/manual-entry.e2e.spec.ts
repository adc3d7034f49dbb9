import { randomUUID } from 'node:crypto';
import { aPatientWithDevice, realDatabase, startHomeward } from './gateway-fixture';
import { call, signIn, signedInAccount } from './api-fixture';
import { killLeftovers } from './homeward-process';

// Manual entry as a person does it: accounts from `homeward user add`, sign-in over HTTP, readings
// posted to the API, through the same ingest pipeline as device readings.
describe('manual entry: POST /api/patients/{id}/readings', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let api: string;
  const accounts: Record<string, { token: string }> = {};

  const post = (patientId: string, token: string | undefined, body: unknown) => call(api, token, 'POST', `/api/patients/${patientId}/readings`, body);

  let patientA: string;
  let patientB: string;
  beforeAll(async () => {
    db = await realDatabase();
    const homeward = await startHomeward(db.url);
    api = `http://127.0.0.1:${homeward.apiPort}`;
    const [wardA, wardB] = [await db.storage.registry.createWard(`A ${randomUUID()}`), await db.storage.registry.createWard(`B ${randomUUID()}`)];
    patientA = (await aPatientWithDevice(db.storage)).patientId;
    patientB = (await aPatientWithDevice(db.storage)).patientId;
    await db.storage.registry.admit({ patientId: patientA, wardId: wardA.id, pathway: 'heart-failure' });
    await db.storage.registry.admit({ patientId: patientB, wardId: wardB.id, pathway: 'copd' });
    for (const [name, args] of [
      ['nurseA', ['--role', 'nurse', '--ward', wardA.id]],
      ['nurseB', ['--role', 'nurse', '--ward', wardB.id]],
      ['patientA', ['--role', 'patient', '--patient', patientA]],
    ] as const) {
      accounts[name] = await signedInAccount(api, db.url, [...args]);
    }
  });
  afterAll(async () => {
    await killLeftovers();
    await db?.dispose();
  });

  it('stores a nurse\'s reading for a patient of her ward (201 after commit), in canonical units, source manual', async () => {
    const response = await post(patientA, accounts['nurseA']!.token, { readings: [{ vital: 'body_weight', value: 11, unit: 'st', measuredAt: '2026-11-21T07:30:00Z' }] });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ stored: 1, duplicates: 0, readings: [{ vital: 'body_weight', value: 69.853, unit: 'kg' }] });
    const [stored] = await db.storage.readings.latestPerVital(patientA, { vitals: ['body_weight'] });
    expect(stored).toMatchObject({ source: 'manual', deviceId: null, value: 69.853 });
    const audit = await db.storage.audit.forPatient(patientA);
    expect(audit.map((a) => a.action)).toContain('reading.create');
  });

  it('lets a patient enter their own readings and no one else\'s', async () => {
    expect((await post(patientA, accounts['patientA']!.token, { readings: [{ vital: 'spo2', value: 95, unit: '%', measuredAt: '2026-11-21T08:00:00Z' }] })).status).toBe(201);
    expect((await post(patientB, accounts['patientA']!.token, { readings: [{ vital: 'spo2', value: 95, unit: '%', measuredAt: '2026-11-21T08:00:00Z' }] })).status).toBe(403);
  });

  it('keeps wards apart: a nurse of ward B cannot enter readings for ward A\'s patient', async () => {
    const response = await post(patientA, accounts['nurseB']!.token, { readings: [{ vital: 'spo2', value: 95, unit: '%', measuredAt: '2026-11-21T08:00:00Z' }] });
    expect(response.status).toBe(404);
  });

  it('refuses the signed-out (401) and wrong passwords', async () => {
    expect((await post(patientA, undefined, { readings: [] })).status).toBe(401);
    expect((await post(patientA, 'not-a-token', { readings: [] })).status).toBe(401);
    expect((await signIn(api, 'nobody@example.nhs.uk', 'x')).status).toBe(401);
  });

  it('rejects bad bodies with field-level messages (400), and implausible values with a coded reason (422) kept in rejected_messages', async () => {
    const bad = await post(patientA, accounts['nurseA']!.token, { readings: [{ vital: 'spo2', value: 'high', unit: '%', measuredAt: 'yesterday' }], extra: 1 });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { message: string[] };
    expect(badBody.message).toEqual(expect.arrayContaining([expect.stringMatching(/property extra should not exist/), expect.stringMatching(/readings\.0\.value must be a number/), expect.stringMatching(/readings\.0\.measuredAt must be an ISO 8601 date-time with a time zone/)]));

    const implausible = await post(patientA, accounts['nurseA']!.token, { readings: [{ vital: 'spo2', value: 101, unit: '%', measuredAt: '2026-11-21T09:00:00Z' }] });
    expect(implausible.status).toBe(422);
    expect(await implausible.json()).toMatchObject({ code: 'reading.implausible', rejected: [{ index: 0, code: 'reading.implausible' }] });
    const kept = await db.storage.rejected.list({ limit: 10 });
    expect(kept.some((k) => k.source === 'manual' && k.reasonCode === 'reading.implausible')).toBe(true);
  });

  it('serves readings, trends and latest values to the patient\'s ward and the patient, not to another ward', async () => {
    const nurse = accounts['nurseA']!.token;
    const entries = [
      { vital: 'body_weight', value: 80.0, unit: 'kg', measuredAt: '2026-11-10T07:00:00Z' },
      { vital: 'body_weight', value: 80.6, unit: 'kg', measuredAt: '2026-11-11T07:00:00Z' },
      { vital: 'body_weight', value: 81.4, unit: 'kg', measuredAt: '2026-11-11T19:00:00Z' },
    ];
    expect((await post(patientA, nurse, { readings: entries })).status).toBe(201);

    const trend = await call(api, nurse, 'GET', `/api/patients/${patientA}/trends?vital=body_weight&bucket=day&from=2026-11-10T00:00:00Z&to=2026-11-12T00:00:00Z`);
    expect(trend.status).toBe(200);
    const body = (await trend.json()) as { buckets: Array<{ start: string; min: number; max: number; mean: number; count: number }> };
    expect(body.buckets.map((b) => [b.start, b.min, b.max, b.count])).toEqual([
      ['2026-11-10T00:00:00.000Z', 80, 80, 1],
      ['2026-11-11T00:00:00.000Z', 80.6, 81.4, 2],
    ]);
    // Newest first, a page at a time: the second page, from the first one's cursor, ends the list.
    const readings = (await (await call(api, nurse, 'GET', `/api/patients/${patientA}/readings?from=2026-11-10T00:00:00Z&to=2026-11-12T00:00:00Z&vital=body_weight&limit=2`)).json()) as { items: Array<{ value: number }>; next: string | null };
    expect(readings.items.map((r) => r.value)).toEqual([81.4, 80.6]);
    const older = (await (await call(api, nurse, 'GET', `/api/patients/${patientA}/readings?from=2026-11-10T00:00:00Z&to=2026-11-12T00:00:00Z&vital=body_weight&limit=2&cursor=${readings.next}`)).json()) as { items: Array<{ value: number }>; next: string | null };
    expect(older).toMatchObject({ items: [{ value: 80 }], next: null });
    const latest = (await (await call(api, accounts['patientA']!.token, 'GET', `/api/patients/${patientA}/latest`)).json()) as Array<{ vital: string; value: number }>;
    expect(latest.find((r) => r.vital === 'spo2')?.value).toBe(95);

    expect((await call(api, accounts['nurseB']!.token, 'GET', `/api/patients/${patientA}/latest`)).status).toBe(404);
    expect((await call(api, nurse, 'GET', `/api/patients/${patientA}/trends?vital=body_weight&bucket=fortnight&from=2026-11-10T00:00:00Z&to=2026-11-12T00:00:00Z`)).status).toBe(400);
    expect((await call(api, nurse, 'GET', `/api/patients/${patientA}/readings?from=2026-11-12T00:00:00Z&to=2026-11-10T00:00:00Z`)).status).toBe(400);
    expect((await call(api, nurse, 'GET', `/api/patients/${patientA}/readings?from=2026-11-10T00:00:00Z&to=2026-11-12T00:00:00Z&sort=desc`)).status).toBe(400);
  });
});
