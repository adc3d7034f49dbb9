import type { Patient } from '@homeward/domain';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, request, startApi } from './api-app.fixture';

/**
 * Issue 17, "Ward rules": staff admit only within their own wards and only patients no other ward
 * had last; moving a patient between wards is an admin's audited transfer; and no answer tells a
 * nurse anything about another ward's patients.
 */
describe('admissions respect ward boundaries', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let admin: Account;
  let nurseA: Account;
  let nurseB: Account;
  let wardA: string;
  let wardB: string;
  beforeAll(async () => {
    api = await startApi();
    wardA = (await api.storage.registry.createWard(uniqueName('Ward A'))).id;
    wardB = (await api.storage.registry.createWard(uniqueName('Ward B'))).id;
    [admin, nurseA, nurseB] = await Promise.all([
      account(api.url, api.storage, 'admin'),
      account(api.url, api.storage, 'nurse', { wardIds: [wardA] }),
      account(api.url, api.storage, 'nurse', { wardIds: [wardB] }),
    ]);
  }, 120_000);
  afterAll(async () => api?.close());

  async function aPatientOnWardA(): Promise<Patient> {
    const created = await request<Patient>(api.url, nurseA.token, 'POST', '/api/patients', { nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName('Lovelace'), dateOfBirth: '1950-12-10' });
    expect((await request(api.url, nurseA.token, 'POST', `/api/patients/${created.body.id}/admissions`, { wardId: wardA, pathway: 'heart-failure' })).status).toBe(201);
    return created.body;
  }
  const admitToB = (patientId: string) => request<{ code: string; message: string }>(api.url, nurseB.token, 'POST', `/api/patients/${patientId}/admissions`, { wardId: wardB, pathway: 'copd' });

  it("refuses another ward's patient exactly as it refuses an unknown id, whether on that ward now or discharged from it", async () => {
    const current = await aPatientOnWardA();
    const discharged = await aPatientOnWardA();
    expect((await request(api.url, nurseA.token, 'POST', `/api/patients/${discharged.id}/discharge`, { reason: 'recovered' })).status).toBe(200);
    const unknown = await admitToB('00000000-0000-4000-8000-00000000abcd');
    const answers = [await admitToB(current.id), await admitToB(discharged.id)];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe(unknown.body.code);
      expect(answer.body.message.replace(/[0-9a-f-]{36}/g, 'ID')).toBe(unknown.body.message.replace(/[0-9a-f-]{36}/g, 'ID'));
    }
    // So nurse B never reads their history either.
    expect((await request(api.url, nurseB.token, 'GET', `/api/patients/${discharged.id}`)).status).toBe(404);
  });

  it('lets a nurse re-admit her own ward\'s discharged patient, and says "already on your ward" only of her own', async () => {
    const patient = await aPatientOnWardA();
    const again = await request<{ code: string }>(api.url, nurseA.token, 'POST', `/api/patients/${patient.id}/admissions`, { wardId: wardA, pathway: 'heart-failure' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('patient.already-admitted');
    expect((await request(api.url, nurseA.token, 'POST', `/api/patients/${patient.id}/discharge`, { reason: 'home' })).status).toBe(200);
    expect((await request(api.url, nurseA.token, 'POST', `/api/patients/${patient.id}/admissions`, { wardId: wardA, pathway: 'heart-failure' })).status).toBe(201);
  });

  it('moves a patient between wards by an admin transfer, audited, keeping pathway and care plan', async () => {
    const patient = await aPatientOnWardA();
    expect((await request(api.url, nurseA.token, 'POST', `/api/patients/${patient.id}/transfer`, { wardId: wardB, reason: 'moved house' })).status).toBe(403);
    const moved = await request<{ wardId: string; pathway: string }>(api.url, admin.token, 'POST', `/api/patients/${patient.id}/transfer`, { wardId: wardB, reason: 'moved house' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ wardId: wardB, pathway: 'heart-failure' });
    expect((await request(api.url, nurseB.token, 'GET', `/api/patients/${patient.id}`)).status).toBe(200);
    expect((await request(api.url, nurseA.token, 'GET', `/api/patients/${patient.id}`)).status).toBe(404);
    const audit = await api.storage.audit.forPatient(patient.id);
    expect(audit.find((entry) => entry.action === 'admission.transfer')).toMatchObject({ actorId: admin.id, details: { fromWardId: wardA, toWardId: wardB, reason: 'moved house' } });
    // An admin admitting someone on another ward is told to transfer, not to discharge blindly.
    const direct = await request<{ code: string; message: string }>(api.url, admin.token, 'POST', `/api/patients/${patient.id}/admissions`, { wardId: wardA, pathway: 'heart-failure' });
    expect(direct.status).toBe(409);
    expect(direct.body.message).toMatch(/transfer/);
  });
});
