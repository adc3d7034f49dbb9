import { alertKind } from '@homeward/rules';
import type { AlertBurdenReport, WardOutcomesReport } from '@homeward/contracts';
import { type Account, account, request, startApi } from './api-app.fixture';
import { HAND_WARD_FROM, HAND_WARD_TO, type HandComputedWard, aValidNhsNumber, seedHandComputedWard, uniqueName } from '@homeward/testing';

// GET /api/analytics/wards/{id}/alert-burden|outcomes over real HTTP on a real PostgreSQL: ward
// access, strict queries, CSV export; and the discharge outcome the outcomes report counts.
describe('ward analytics API', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let ward: HandComputedWard;
  let clinician: Account;
  let otherNurse: Account;
  const range = `from=${HAND_WARD_FROM.toISOString()}&to=${HAND_WARD_TO.toISOString()}`;

  beforeAll(async () => {
    api = await startApi();
    ward = await seedHandComputedWard(api.storage);
    clinician = await account(api.url, api.storage, 'clinician', { wardIds: [ward.wardId] });
    otherNurse = await account(api.url, api.storage, 'nurse', { wardIds: [ward.otherWardId] });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  it("gives a ward's clinician the alert burden and the outcomes as JSON", async () => {
    const burden = await request<AlertBurdenReport>(api.url, clinician.token, 'GET', `/api/analytics/wards/${ward.wardId}/alert-burden?${range}`);
    expect(burden.status).toBe(200);
    expect(burden.body).toMatchObject({ wardId: ward.wardId, patientDays: 53, alerts: { total: 7, perPatientDay: 0.132 } });
    const outcomes = await request<WardOutcomesReport>(api.url, clinician.token, 'GET', `/api/analytics/wards/${ward.wardId}/outcomes?${range}`);
    expect(outcomes.status).toBe(200);
    expect(outcomes.body.months.map((m) => [m.month, m.admissions, m.discharges, m.readmissionsWithin30Days])).toEqual([
      ['2026-10', 4, 3, 1],
      ['2026-11', 2, 2, 1],
    ]);
    const audit = await api.storage.audit.search({ actorId: clinician.id, action: 'analytics.outcomes', limit: 5 });
    expect(audit).toHaveLength(1);
  });

  it('exports CSV as a download', async () => {
    const response = await fetch(`${api.url}/api/analytics/wards/${ward.wardId}/outcomes?${range}&format=csv`, { headers: { authorization: `Bearer ${clinician.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="ward-outcomes-2026-10-01-2026-12-01.csv"');
    expect((await response.text()).split('\r\n')[1]).toBe('2026-10,23.5,4,3,1,0,0,0,1,1,1,0,3,4,1,1');
  });

  it("answers another ward's staff 404, and refuses bad queries with a reason", async () => {
    const other = await request<{ code: string }>(api.url, otherNurse.token, 'GET', `/api/analytics/wards/${ward.wardId}/alert-burden?${range}`);
    expect(other).toMatchObject({ status: 404, body: { code: 'ward.not-found' } });
    const noRange = await request<{ message: string[] }>(api.url, clinician.token, 'GET', `/api/analytics/wards/${ward.wardId}/alert-burden`);
    expect(noRange.status).toBe(400);
    expect(JSON.stringify(noRange.body)).toContain('from');
    const badFormat = await request(api.url, clinician.token, 'GET', `/api/analytics/wards/${ward.wardId}/outcomes?${range}&format=xlsx`);
    expect(badFormat.status).toBe(400);
    const backwards = await request<{ code: string }>(api.url, clinician.token, 'GET', `/api/analytics/wards/${ward.wardId}/outcomes?from=${HAND_WARD_TO.toISOString()}&to=${HAND_WARD_FROM.toISOString()}`);
    expect(backwards).toMatchObject({ status: 400, body: { code: 'analytics.range-invalid' } });
  });

  it('backtests a proposed care plan for a clinician, and not for a nurse', async () => {
    const override = { vital: 'spo2', thresholds: [{ direction: 'at-or-below', value: 96, severity: 'low', action: 'Backtest: call the patient.' }], decidedBy: clinician.id, decidedAt: '2026-12-01T09:00:00Z', reason: 'trying a tighter limit', reviewBy: '2027-01-01T00:00:00Z' };
    const body = { from: HAND_WARD_FROM.toISOString(), to: HAND_WARD_TO.toISOString(), carePlan: { thresholdOverrides: [override] }, pathway: 'copd' };
    const alertsBefore = await api.storage.db.query('SELECT count(*)::int AS n FROM alerts WHERE ward_id = $1', [ward.wardId]);
    const run = await request<{
      current: { findings: number };
      proposed: { findings: number };
      catches: { proposedAt: string | null }[];
      alerts: { current: unknown[]; proposed: { rule: string; subject: string; occurrences: number; readingIds: string[] }[] };
      alertBurden: { current: { alerts: number }; proposed: { alerts: number } };
    }>(api.url, clinician.token, 'POST', `/api/analytics/wards/${ward.wardId}/backtest`, body);
    expect(run.status).toBe(200);
    expect([run.body.current.findings, run.body.proposed.findings]).toEqual([0, 20]);
    // The findings as alerts: no finding, no clinical alert; the tighter limit's 20 findings are episodes of its one rule and subject.
    // Silences (the timer pass replayed) are the same under both plans: the proposal changes no schedule.
    const clinical = <A extends { rule: string }>(alerts: readonly A[]) => alerts.filter((a) => alertKind(a) === 'clinical');
    const timerAlerts = (alerts: readonly unknown[]) => (alerts as { rule: string; subject: string; openedAt: string }[]).filter((a) => alertKind(a) !== 'clinical');
    expect(clinical(run.body.alerts.current as { rule: string }[])).toEqual([]);
    expect(timerAlerts(run.body.alerts.proposed)).toEqual(timerAlerts(run.body.alerts.current));
    expect(run.body.alertBurden.proposed.alerts).toBe(run.body.alerts.proposed.length);
    expect(clinical(run.body.alerts.proposed).length).toBeGreaterThan(0);
    expect(new Set(clinical(run.body.alerts.proposed).map((a) => `${a.rule} ${a.subject}`))).toEqual(new Set(['vital-threshold spo2:at-or-below']));
    expect(clinical(run.body.alerts.proposed).reduce((n, a) => n + a.readingIds.length, 0)).toBeLessThanOrEqual(20);
    expect(run.body.catches.map((c) => c.proposedAt)).toEqual(['2026-10-22T08:00:00.000Z']);
    expect((await api.storage.db.query('SELECT count(*)::int AS n FROM alerts WHERE ward_id = $1', [ward.wardId])).rows).toEqual(alertsBefore.rows);
    const unreadable = await request<{ code: string }>(api.url, clinician.token, 'POST', `/api/analytics/wards/${ward.wardId}/backtest`, { ...body, carePlan: { thresholdOverides: [] } });
    expect(unreadable).toMatchObject({ status: 400, body: { code: 'backtest.care-plan-unreadable' } });
    const nurse = await account(api.url, api.storage, 'nurse', { wardIds: [ward.wardId] });
    expect((await request(api.url, nurse.token, 'POST', `/api/analytics/wards/${ward.wardId}/backtest`, body)).status).toBe(403);
  });

  it('records where a discharged patient went, and refuses an outcome it does not know', async () => {
    const nurse = await account(api.url, api.storage, 'nurse', { wardIds: [ward.wardId] });
    const patient = await api.storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Dee', familyName: uniqueName('Discharged'), dateOfBirth: '1940-02-02' });
    await api.storage.registry.admit({ patientId: patient.id, wardId: ward.wardId, pathway: 'general' });
    const unknown = await request<{ message: string[] }>(api.url, nurse.token, 'POST', `/api/patients/${patient.id}/discharge`, { reason: 'better', outcome: 'holiday' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('outcome must be one of home, hospital-admission, death, other');
    const done = await request(api.url, nurse.token, 'POST', `/api/patients/${patient.id}/discharge`, { reason: 'admitted to the acute medical unit', outcome: 'hospital-admission' });
    expect(done.status).toBe(200);
    const { rows } = await api.storage.db.query<{ discharge_outcome: string }>('SELECT discharge_outcome FROM admissions WHERE patient_id = $1', [patient.id]);
    expect(rows).toEqual([{ discharge_outcome: 'hospital-admission' }]);
  });
});
