import type { Alert, Patient } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, request, startApi } from './api-app.fixture';

// The registry over REST against a real PostgreSQL: wards, accounts, patients (NHS number
// checked), admissions with care plans, discharge, devices; ward isolation throughout, and every
// read and write of a patient in the audit log.
describe('registry API', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let url: string;
  let storage: Storage;
  let admin: Account;
  let wardA: string;
  let wardB: string;
  let nurseA: Account;
  let nurseB: Account;
  let clinicianA: Account;

  beforeAll(async () => {
    api = await startApi();
    ({ url, storage } = api);
    admin = await account(url, storage, 'admin');
    wardA = (await request<{ id: string }>(url, admin.token, 'POST', '/api/wards', { name: uniqueName('Ward A') })).body.id;
    wardB = (await request<{ id: string }>(url, admin.token, 'POST', '/api/wards', { name: uniqueName('Ward B') })).body.id;
    [nurseA, nurseB, clinicianA] = await Promise.all([
      account(url, storage, 'nurse', { wardIds: [wardA] }),
      account(url, storage, 'nurse', { wardIds: [wardB] }),
      account(url, storage, 'clinician', { wardIds: [wardA] }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  async function aPatient(): Promise<Patient> {
    const created = await request<Patient>(url, nurseA.token, 'POST', '/api/patients', { nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName('Lovelace'), dateOfBirth: '1950-12-10' });
    expect(created.status).toBe(201);
    return created.body;
  }

  it('tells a signed-in user who they are and which wards they see', async () => {
    expect((await request(url, nurseA.token, 'GET', '/api/me')).body).toMatchObject({ id: nurseA.id, role: 'nurse', wardIds: [wardA], patientId: null });
    expect(((await request<Array<{ id: string }>>(url, nurseA.token, 'GET', '/api/wards')).body).map((w) => w.id)).toEqual([wardA]);
    const all = (await request<Array<{ id: string }>>(url, admin.token, 'GET', '/api/wards')).body.map((w) => w.id);
    expect(all).toEqual(expect.arrayContaining([wardA, wardB]));
    const members = (await request<Array<{ id: string; role: string }>>(url, nurseA.token, 'GET', `/api/wards/${wardA}/members`)).body;
    expect(members.map((m) => m.id).sort()).toEqual([nurseA.id, clinicianA.id].sort());
    expect((await request(url, nurseA.token, 'GET', `/api/wards/${wardB}/members`)).status).toBe(404);
  });

  it('checks the NHS number and says which field is wrong, and refuses unknown fields', async () => {
    const bad = await request<{ message: string[] }>(url, nurseA.token, 'POST', '/api/patients', { nhsNumber: '9434765918', givenName: 'A', familyName: 'B', dateOfBirth: '1950-02-30' });
    expect(bad.status).toBe(400);
    expect(bad.body.message.join('\n')).toMatch(/nhsNumber: .*check digit/i);
    expect(bad.body.message.join('\n')).toMatch(/dateOfBirth must be a real date/);
    const extra = await request<{ message: string[] }>(url, admin.token, 'POST', '/api/wards', { name: 'X', beds: 12 });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toEqual(['property beds should not exist']);
    const patient = await aPatient();
    const again = await request(url, nurseA.token, 'POST', '/api/patients', { nhsNumber: patient.nhsNumber, givenName: 'Ada', familyName: 'Again', dateOfBirth: '1950-12-10' });
    expect(again.status).toBe(409);
  });

  it('admits to my ward only, with a care plan the rules engine can read, and discharges', async () => {
    const patient = await aPatient();
    expect((await request(url, nurseB.token, 'POST', `/api/patients/${patient.id}/admissions`, { wardId: wardA, pathway: 'copd' })).status).toBe(404);
    const badPlan = await request<{ message: string[] }>(url, nurseA.token, 'POST', `/api/patients/${patient.id}/admissions`, { wardId: wardA, pathway: 'copd', carePlan: { news2: { spo2Scale: { scale: 2 } } } });
    expect(badPlan.status).toBe(422);
    expect(badPlan.body.message.join(' ')).toMatch(/scale 2 without a recorded clinician decision/);
    const misspelt = await request<{ code: string; message: string[] }>(url, nurseA.token, 'POST', `/api/patients/${patient.id}/admissions`, {
      wardId: wardA,
      pathway: 'copd',
      carePlan: { thresholdOverrides: [{ vitl: 'spo2', vital: 'spo2', thresholds: [], decidedBy: 'c7', decidedAt: '2026-11-01T09:00:00Z', reason: 'r', reviewBy: '2027-02-01T00:00:00Z' }] },
    });
    expect(misspelt.status).toBe(422);
    expect(misspelt.body.code).toBe('care-plan.invalid');
    expect(misspelt.body.message.join(' ')).toContain('carePlan: thresholdOverrides[0].vitl: unknown key');

    const admitted = await request<{ wardId: string; pathway: string }>(url, nurseA.token, 'POST', `/api/patients/${patient.id}/admissions`, { wardId: wardA, pathway: 'copd' });
    expect(admitted.status).toBe(201);
    expect(admitted.body).toMatchObject({ wardId: wardA, pathway: 'copd' });
    expect((await request(url, nurseA.token, 'POST', `/api/patients/${patient.id}/admissions`, { wardId: wardA, pathway: 'copd' })).status).toBe(409);

    // Ward isolation: B's nurse neither lists nor opens A's patient.
    const listA = (await request<Array<{ id: string }>>(url, nurseA.token, 'GET', '/api/patients')).body.map((p) => p.id);
    const listB = (await request<Array<{ id: string }>>(url, nurseB.token, 'GET', '/api/patients')).body.map((p) => p.id);
    expect(listA).toContain(patient.id);
    expect(listB).not.toContain(patient.id);
    expect((await request(url, nurseB.token, 'GET', `/api/patients/${patient.id}`)).status).toBe(404);

    // The care plan is a clinician's decision: scale 2 with who/when/why, and an SpO2 override.
    const carePlan = {
      news2: { spo2Scale: { scale: 2, decidedBy: clinicianA.id, decidedAt: '2026-11-01T09:00:00Z', reason: 'Hypercapnic respiratory failure, target 88-92 %' } },
      thresholdOverrides: [{ vital: 'spo2', thresholds: [{ direction: 'at-or-below', value: 86, severity: 'medium' }], decidedBy: clinicianA.id, decidedAt: '2026-11-01T09:00:00Z', reason: 'Lives at 87-88 %', reviewBy: '2027-02-01T00:00:00Z' }],
    };
    expect((await request(url, nurseA.token, 'PUT', `/api/patients/${patient.id}/care-plan`, { carePlan })).status).toBe(403);
    expect((await request(url, clinicianA.token, 'PUT', `/api/patients/${patient.id}/care-plan`, { carePlan })).status).toBe(200);
    const record = (await request<{ admission: { carePlan: unknown }; thresholds: Array<{ vital: string; value: number; source: string }> }>(url, clinicianA.token, 'GET', `/api/patients/${patient.id}`)).body;
    expect(record.admission.carePlan).toEqual(carePlan);
    expect(record.thresholds.filter((t) => t.vital === 'spo2')).toEqual([expect.objectContaining({ value: 86, source: 'override' })]);
    expect(record.thresholds.find((t) => t.vital === 'heart_rate')).toMatchObject({ value: 40, source: 'pathway' });

    expect((await request(url, nurseB.token, 'POST', `/api/patients/${patient.id}/discharge`, { reason: 'x' })).status).toBe(404);
    const discharged = await request<{ dischargedAt: string }>(url, nurseA.token, 'POST', `/api/patients/${patient.id}/discharge`, { reason: 'Recovered; back to GP care' });
    expect(discharged.status).toBe(200);
    expect((await request(url, nurseA.token, 'GET', `/api/patients/${patient.id}`)).status).toBe(404); // no longer on my ward
    expect((await request(url, admin.token, 'GET', `/api/patients/${patient.id}`)).body).toMatchObject({ admission: null });

    const audit = await storage.audit.forPatient(patient.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['patient.create', 'admission.create', 'care-plan.update', 'patient.read', 'admission.discharge']));
    expect(audit.every((a) => a.ip !== null && a.actorType === 'user')).toBe(true);
  });

  it('registers devices with credentials shown once, and lets a nurse issue and take them back on her ward', async () => {
    const patient = await aPatient();
    await request(url, nurseA.token, 'POST', `/api/patients/${patient.id}/admissions`, { wardId: wardA, pathway: 'heart-failure' });
    const serial = uniqueName('SN').replace(' ', '-');
    const registered = await request<{ device: { id: string }; mqtt: { username: string; password: string } }>(url, admin.token, 'POST', '/api/devices', { type: 'weight-scale', serial });
    expect(registered.status).toBe(201);
    expect(registered.body.mqtt.username).toBe(registered.body.device.id);
    expect(registered.body.mqtt.password).toHaveLength(43);
    expect((await storage.registry.deviceAccess(registered.body.device.id))?.credentialsHash).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/); // a generated 256-bit secret: the fast hash (libs/auth secret-hash)
    expect((await request(url, admin.token, 'POST', '/api/devices', { type: 'weight-scale', serial })).status).toBe(409);
    expect((await request(url, nurseA.token, 'POST', '/api/devices', { type: 'weight-scale', serial: 'x' })).status).toBe(404); // nurses register for a patient

    const id = registered.body.device.id;
    expect((await request(url, nurseB.token, 'POST', `/api/devices/${id}/assign`, { patientId: patient.id })).status).toBe(404);
    expect((await request(url, admin.token, 'POST', `/api/devices/${id}/assign`, { patientId: patient.id })).status).toBe(200);
    await storage.registry.touchDevice(id, new Date(), 15);
    const devices = (await request<Array<{ id: string; status: string; batteryLevel: number }>>(url, nurseA.token, 'GET', `/api/patients/${patient.id}/devices`)).body;
    expect(devices).toEqual([expect.objectContaining({ id, batteryLevel: 15, status: 'battery-low' })]);
    expect((await request(url, nurseB.token, 'POST', `/api/devices/${id}/assign`, { patientId: null })).status).toBe(404);
    expect((await request(url, nurseA.token, 'POST', `/api/devices/${id}/assign`, { patientId: null })).status).toBe(200);
    expect((await request<unknown[]>(url, nurseA.token, 'GET', `/api/patients/${patient.id}/devices`)).body).toEqual([]);
    expect((await request<{ message: string[] }>(url, admin.token, 'POST', `/api/devices/${id}/assign`, { patientId: 'nobody' })).body.message).toEqual(['patientId must be a patient id or null']);
  });

  it('creates accounts (admin only) that can sign in with the password shown once', async () => {
    const email = `${uniqueName('new').replace(' ', '-')}@example.nhs.uk`;
    expect((await request(url, nurseA.token, 'POST', '/api/users', { email, displayName: 'N', role: 'nurse', wardIds: [wardA] })).status).toBe(403);
    expect((await request(url, admin.token, 'POST', '/api/users', { email, displayName: 'N', role: 'nurse' })).status).toBe(400);
    const created = await request<{ user: { id: string }; password: string }>(url, admin.token, 'POST', '/api/users', { email, displayName: 'New Nurse', role: 'nurse', wardIds: [wardA] });
    expect(created.status).toBe(201);
    const signIn = await request<{ token: string }>(url, undefined, 'POST', '/api/auth/sign-in', { email, password: created.body.password });
    expect(signIn.status).toBe(200);
    expect((await request(url, signIn.body.token, 'GET', '/api/me')).body).toMatchObject({ wardIds: [wardA] });
    const users = (await request<Array<{ id: string; wardIds: string[] }>>(url, admin.token, 'GET', '/api/users')).body;
    expect(users.find((u) => u.id === created.body.user.id)?.wardIds).toEqual([wardA]);
  });

  it('gives a patient their own record only', async () => {
    const mine = await aPatient();
    const other = await aPatient();
    await request(url, nurseA.token, 'POST', `/api/patients/${mine.id}/admissions`, { wardId: wardA, pathway: 'general' });
    const patientUser = await account(url, storage, 'patient', { patientId: mine.id });
    expect((await request(url, patientUser.token, 'GET', `/api/patients/${mine.id}`)).status).toBe(200);
    expect((await request(url, patientUser.token, 'GET', `/api/patients/${other.id}`)).status).toBe(403);
    expect((await request(url, patientUser.token, 'GET', '/api/patients')).status).toBe(403);
    expect((await request(url, patientUser.token, 'GET', '/api/worklist')).status).toBe(403);
  });

  it('shows the audit log to admins, filtered, and audits that too', async () => {
    const patient = await aPatient();
    const entries = await request<Array<{ action: string; patientId: string; actorId: string }>>(url, admin.token, 'GET', `/api/audit?patientId=${patient.id}`);
    expect(entries.status).toBe(200);
    expect(entries.body).toEqual([expect.objectContaining({ action: 'patient.create', patientId: patient.id, actorId: nurseA.id })]);
    expect((await request(url, nurseA.token, 'GET', '/api/audit')).status).toBe(403);
    expect((await request(url, admin.token, 'GET', '/api/audit?limit=5000')).status).toBe(400);
    const reads = await request<Array<{ action: string }>>(url, admin.token, 'GET', `/api/audit?actorId=${admin.id}&action=audit`);
    expect(reads.body[0]?.action).toBe('audit.read');
  });

  it('serves an OpenAPI document generated from the controllers and DTOs', async () => {
    const doc = await request<{ paths: Record<string, Record<string, { security?: unknown[] }>>; components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } }>(url, undefined, 'GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    for (const path of ['/api/patients', '/api/patients/{id}', '/api/patients/{id}/news2', '/api/worklist', '/api/stream', '/api/audit', '/api/devices/{id}/assign', '/health']) expect(Object.keys(doc.body.paths)).toContain(path);
    expect(doc.body.components.schemas['CreatePatientDto']?.required).toEqual(expect.arrayContaining(['nhsNumber', 'givenName', 'familyName', 'dateOfBirth']));
    expect(doc.body.paths['/api/worklist']?.['get']?.security).toEqual([{ bearer: [] }]);
    expect(doc.body.paths['/health']?.['get']?.security).toBeUndefined();
    const page = await fetch(`${url}/api/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/swagger/i);
  });

  it('lists a patient\'s alert history for their ward', async () => {
    const patient = await aPatient();
    await request(url, nurseA.token, 'POST', `/api/patients/${patient.id}/admissions`, { wardId: wardA, pathway: 'general' });
    await request(url, nurseA.token, 'POST', `/api/patients/${patient.id}/readings`, { readings: [{ vital: 'heart_rate', value: 140, unit: '/min', measuredAt: new Date(Date.now() - 60_000).toISOString() }] });
    const deadline = Date.now() + 10_000;
    let alerts: Alert[] = [];
    while (alerts.length === 0 && Date.now() < deadline) {
      alerts = (await request<Alert[]>(url, nurseA.token, 'GET', `/api/patients/${patient.id}/alerts`)).body;
      if (alerts.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alerts.some((a) => a.rule === 'vital-threshold' && a.subject.startsWith('heart_rate'))).toBe(true);
    expect((await request(url, nurseB.token, 'GET', `/api/patients/${patient.id}/alerts`)).status).toBe(404);
  });
});
