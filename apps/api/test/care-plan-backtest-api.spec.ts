import type { BacktestReport, StoredReading } from '@homeward/contracts';
import { aReading, aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, request, startApi } from './api-app.fixture';

const DAY = 86_400_000;

// POST /api/patients/{id}/care-plan/backtest (the editor's "Try this change on past data") and
// GET /api/patients/{id}/readings/by-id (where each difference links) over real HTTP on PostgreSQL.
describe('trying a care-plan edit on past readings, and the readings behind a finding', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let clinician: Account;
  let patientId: string;
  let otherPatientId: string;
  let wardId: string;
  const now = Date.now();
  const from = new Date(now - 20 * DAY).toISOString();
  const to = new Date(now).toISOString();
  const storedPlan = { expectedReadings: [], spo2Baseline: { enabled: false } };
  const storedIds: string[] = [];

  beforeAll(async () => {
    api = await startApi();
    wardId = (await api.storage.registry.createWard(uniqueName('Backtest ward'))).id;
    const patient = async () => (await api.storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Bee', familyName: uniqueName('Backtest'), dateOfBirth: '1944-04-04' })).id;
    patientId = await patient();
    otherPatientId = await patient();
    await api.storage.registry.admit({ patientId, wardId, pathway: 'copd', carePlan: storedPlan, admittedAt: new Date(now - 15 * DAY) });
    await api.storage.registry.admit({ patientId: otherPatientId, wardId, pathway: 'copd', carePlan: storedPlan, admittedAt: new Date(now - 15 * DAY) });
    // SpO2 once a day: 96 %, then 94 % twice (above the COPD pathway's 93 % limit).
    const values = [96, 96, 96, 94, 94, 96];
    const inserted = await api.storage.readings.insertBatch(values.map((value, i) => aReading({ patientId, value, measuredAt: new Date(now - (values.length - i) * DAY) })));
    storedIds.push(...inserted.stored.map((r) => r.id));
    await api.storage.readings.insertBatch([aReading({ patientId: otherPatientId, value: 97, measuredAt: new Date(now - DAY) })]);
    clinician = await account(api.url, api.storage, 'clinician', { wardIds: [wardId] });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  const edit = (spo2Low: number) => ({ from, to, spo2Scale: 1, limits: [{ vital: 'spo2', limits: [{ direction: 'at-or-below', value: spo2Low, severity: 'low-medium' }] }], schedule: [] });

  it("replays the editor's proposal beside the stored plan for a clinician, saves nothing, and audits the try", async () => {
    const run = await request<BacktestReport>(api.url, clinician.token, 'POST', `/api/patients/${patientId}/care-plan/backtest`, edit(94));
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ wardId, from, to });
    expect([run.body.current.findings, run.body.proposed.findings]).toEqual([0, 2]);
    expect(run.body.differences).toHaveLength(1);
    const [difference] = run.body.differences;
    expect(difference?.patientId).toBe(patientId);
    expect(difference?.appear.map((f) => [f.rule, f.subject, f.severity])).toEqual([
      ['vital-threshold', 'spo2:at-or-below', 'low-medium'],
      ['vital-threshold', 'spo2:at-or-below', 'low-medium'],
    ]);
    // Only this patient's plan was tried: the other patient on the ward is not in the replay.
    expect(run.body.patientDays).toBeGreaterThan(14);
    expect(run.body.patientDays).toBeLessThan(16);
    const admission = await api.storage.registry.activeAdmissionWithCarePlan(patientId);
    expect(admission?.carePlan).toEqual(storedPlan);
    const [audit] = await api.storage.audit.search({ patientId, action: 'care-plan.backtest' });
    expect(audit).toMatchObject({ actorId: clinician.id, subjectId: admission?.id });

    // Each difference names readings the by-id route gives back (and nothing of another patient).
    const ids = difference?.appear.flatMap((f) => f.readingIds) ?? [];
    const readings = await request<StoredReading[]>(api.url, clinician.token, 'GET', `/api/patients/${patientId}/readings/by-id?ids=${ids.join(',')}`);
    expect(readings.status).toBe(200);
    expect(readings.body.map((r) => r.value)).toEqual([94, 94]);
    const elsewhere = await request<StoredReading[]>(api.url, clinician.token, 'GET', `/api/patients/${otherPatientId}/readings/by-id?ids=${ids.join(',')}`);
    expect(elsewhere).toMatchObject({ status: 200, body: [] });
  });

  it('refuses what the editor would refuse at its field, a bad period with a reason, a nurse, and another ward', async () => {
    const crossed = await request<{ code: string; fields: Record<string, string> }>(api.url, clinician.token, 'POST', `/api/patients/${patientId}/care-plan/backtest`, {
      ...edit(94),
      limits: [{ vital: 'spo2', limits: [{ direction: 'at-or-below', value: 94, severity: 'low' }, { direction: 'at-or-above', value: 90, severity: 'low' }] }],
    });
    expect(crossed).toMatchObject({ status: 422, body: { code: 'care-plan.invalid', fields: { 'limits.spo2': expect.stringContaining('below its high limit') } } });
    const tooLong = await request<{ code: string }>(api.url, clinician.token, 'POST', `/api/patients/${patientId}/care-plan/backtest`, { ...edit(94), from: new Date(now - 100 * DAY).toISOString() });
    expect(tooLong).toMatchObject({ status: 400, body: { code: 'analytics.range-too-long' } });
    const noPeriod = await request(api.url, clinician.token, 'POST', `/api/patients/${patientId}/care-plan/backtest`, { spo2Scale: 1, limits: [] });
    expect(noPeriod.status).toBe(400);
    const badIds = await request(api.url, clinician.token, 'GET', `/api/patients/${patientId}/readings/by-id?ids=1;2`);
    expect(badIds.status).toBe(400);
    const nurse = await account(api.url, api.storage, 'nurse', { wardIds: [wardId] });
    expect((await request(api.url, nurse.token, 'POST', `/api/patients/${patientId}/care-plan/backtest`, edit(94))).status).toBe(403);
    const otherWard = (await api.storage.registry.createWard(uniqueName('Other ward'))).id;
    const stranger = await account(api.url, api.storage, 'clinician', { wardIds: [otherWard] });
    expect(await request(api.url, stranger.token, 'POST', `/api/patients/${patientId}/care-plan/backtest`, edit(94))).toMatchObject({ status: 404, body: { code: 'patient.not-on-a-ward' } });
    expect((await request(api.url, stranger.token, 'GET', `/api/patients/${patientId}/readings/by-id?ids=${storedIds[0]}`)).status).toBe(404);
  });
});
