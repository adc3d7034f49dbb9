import type { Storage } from '@homeward/storage';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, request, startApi } from './api-app.fixture';

// Issue 22: carers as proxies. Staff link a carer to a patient on a recorded basis; the carer
// enters readings for the patient (flagged, audited "carer X for patient Y"), sees the patient's
// advice and never staff wording; the link ends when revoked or at discharge. Real PostgreSQL, HTTP.
describe('carers as proxies', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let url: string;
  let storage: Storage;
  let wardId: string;
  let nurse: Account;
  let clinician: Account;
  const WARD_ADVICE = 'Ring the virtual ward on 01632 960 123 now.';

  beforeAll(async () => {
    api = await startApi();
    ({ url, storage } = api);
    wardId = (await storage.registry.createWard(uniqueName('Carer ward'))).id;
    await storage.registry.setWardPatientAdvice(wardId, WARD_ADVICE);
    nurse = await account(url, storage, 'nurse', { wardIds: [wardId] });
    clinician = await account(url, storage, 'clinician', { wardIds: [wardId] });
  }, 60_000);
  afterAll(async () => api?.close());

  async function aPatient(): Promise<{ id: string; admissionId: string }> {
    const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName('Lovelace'), dateOfBirth: '1936-12-10' });
    const admission = await storage.registry.admit({ patientId: patient.id, wardId, pathway: 'general' });
    return { id: patient.id, admissionId: admission.id };
  }

  /** A carer account (role carer) signed in, and its carer record made by a nurse over HTTP. */
  async function aCarer(): Promise<{ carerId: string; account: Account }> {
    const carerAccount = await account(url, storage, 'carer');
    const created = await request<{ id: string }>(url, nurse.token, 'POST', '/api/carers', { displayName: 'Brenda Carer', userId: carerAccount.id });
    expect(created.status).toBe(201);
    return { carerId: created.body.id, account: carerAccount };
  }

  const link = (token: string, carerId: string, body: Record<string, unknown>) => request<Record<string, unknown>>(url, token, 'POST', `/api/carers/${carerId}/links`, body);
  const enter = (token: string, patientId: string, readings: Array<{ vital: string; value: number; unit: string }>) =>
    request<Record<string, unknown>>(url, token, 'POST', `/api/carer/patients/${patientId}/readings`, { readings: readings.map((r) => ({ ...r, measuredAt: new Date(Date.now() - 60_000).toISOString() })) });

  it('links on consent with date and reason, lets the carer enter readings, flagged and audited as a proxy', async () => {
    const patient = await aPatient();
    const { carerId, account: carer } = await aCarer();
    const linked = await link(nurse.token, carerId, { patientId: patient.id, basis: 'consent', decidedOn: '2026-12-01', reason: 'Ada asked her daughter to help with readings' });
    expect(linked.status).toBe(201);
    expect(linked.body).toMatchObject({ basis: 'consent', decidedOn: '2026-12-01', decidedBy: nurse.id, endedAt: null });

    const list = await request<Array<Record<string, unknown>>>(url, carer.token, 'GET', '/api/carer/patients');
    expect(list.body).toEqual([{ patientId: patient.id, givenName: 'Ada', familyName: expect.any(String), advice: WARD_ADVICE }]);

    const entered = await enter(carer.token, patient.id, [{ vital: 'spo2', value: 88, unit: '%' }]);
    expect(entered.status).toBe(201);
    // The patient's advice, never staff wording (no score, no rule).
    expect(entered.body['advice']).toEqual({ level: 'red', message: WARD_ADVICE });
    expect(JSON.stringify(entered.body)).not.toMatch(/news2|severity|threshold/i);
    const [reading] = await storage.readings.latestPerVital(patient.id);
    expect(reading?.status).toContain('entered-by-carer');
    const audits = await storage.audit.search({ patientId: patient.id, action: 'reading.create' });
    expect(audits[0]).toMatchObject({ actorType: 'carer', actorId: carerId, details: expect.objectContaining({ proxy: `carer Brenda Carer for patient ${patient.id}`, via: 'web' }) });
    expect(await storage.audit.search({ patientId: patient.id, action: 'carer-link.create' })).toHaveLength(1);
  });

  it('takes a best-interest decision from a clinician only', async () => {
    const patient = await aPatient();
    const { carerId } = await aCarer();
    const body = { patientId: patient.id, basis: 'best-interest', decidedOn: '2026-12-02', reason: 'Lacks capacity to manage monitoring; son is main carer' };
    const byNurse = await link(nurse.token, carerId, body);
    expect(byNurse.status).toBe(403);
    expect(byNurse.body).toMatchObject({ code: 'carer.best-interest-needs-clinician' });
    const byClinician = await link(clinician.token, carerId, body);
    expect(byClinician.status).toBe(201);
    expect(byClinician.body).toMatchObject({ basis: 'best-interest', decidedBy: clinician.id });
    expect((await link(clinician.token, carerId, body)).status).toBe(409); // already linked (duplicate)
  });

  it('ends the carer\'s access when the link is revoked, and at discharge', async () => {
    const revokedPatient = await aPatient();
    const dischargedPatient = await aPatient();
    const { carerId, account: carer } = await aCarer();
    const first = await link(nurse.token, carerId, { patientId: revokedPatient.id, basis: 'consent', decidedOn: '2026-12-01', reason: 'Asked by patient' });
    await link(nurse.token, carerId, { patientId: dischargedPatient.id, basis: 'consent', decidedOn: '2026-12-01', reason: 'Asked by patient' });

    const revoked = await request<Record<string, unknown>>(url, nurse.token, 'POST', `/api/carers/${carerId}/links/${String(first.body['id'])}/revoke`);
    expect(revoked).toMatchObject({ status: 200, body: { endReason: 'revoked' } });
    expect((await enter(carer.token, revokedPatient.id, [{ vital: 'heart_rate', value: 70, unit: '/min' }])).status).toBe(404);

    await storage.registry.discharge(dischargedPatient.admissionId, new Date(), 'recovered');
    expect((await enter(carer.token, dischargedPatient.id, [{ vital: 'heart_rate', value: 70, unit: '/min' }])).status).toBe(404);
    expect((await request(url, carer.token, 'GET', '/api/carer/patients')).body).toEqual([]);
  });

  it('keeps staff endpoints from carers and carer endpoints from staff', async () => {
    const patient = await aPatient();
    const { carerId, account: carer } = await aCarer();
    expect((await link(carer.token, carerId, { patientId: patient.id, basis: 'consent', decidedOn: '2026-12-01', reason: 'x' })).status).toBe(403);
    expect((await request(url, carer.token, 'GET', `/api/patients/${patient.id}/readings`)).status).toBe(403);
    expect((await enter(nurse.token, patient.id, [{ vital: 'heart_rate', value: 70, unit: '/min' }])).status).toBe(403);
  });

  it('records verified phone numbers, and never moves one to someone else', async () => {
    const patient = await aPatient();
    const other = await aPatient();
    const { carerId } = await aCarer();
    const number = `+4477009${String(Date.now() % 100000).padStart(5, '0')}`;
    expect((await request(url, nurse.token, 'PUT', `/api/patients/${patient.id}/phone-number`, { number })).status).toBe(200);
    expect(await storage.sms.findSender(number)).toMatchObject({ kind: 'patient', patientId: patient.id });
    expect((await request(url, nurse.token, 'PUT', `/api/patients/${other.id}/phone-number`, { number })).status).toBe(409);
    expect((await request(url, nurse.token, 'PUT', `/api/carers/${carerId}/phone-number`, { number })).status).toBe(409);
    expect((await request(url, nurse.token, 'PUT', `/api/carers/${carerId}/phone-number`, { number: '07700 900123' })).status).toBe(400);
  });
});
