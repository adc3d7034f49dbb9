import { DEFAULT_PATIENT_ADVICE } from '@homeward/contracts';
import type { Storage } from '@homeward/storage';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, request, startApi } from './api-app.fixture';

// Issue 15 item 7: a patient whose own reading is in the red band is told what to do, in their
// ward's words (or a safe default), never in staff wording. Real PostgreSQL, real HTTP.
describe('advice to the patient on a red reading', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let url: string;
  let storage: Storage;
  let admin: Account;
  let nurse: Account;
  let wardWithAdvice: string;
  let wardWithout: string;
  const WARD_ADVICE = 'Call the virtual ward on 01632 960 123 now; if you feel very unwell call 999.';

  beforeAll(async () => {
    api = await startApi();
    ({ url, storage } = api);
    admin = await account(url, storage, 'admin');
    wardWithAdvice = (await storage.registry.createWard(uniqueName('Advice ward'))).id;
    wardWithout = (await storage.registry.createWard(uniqueName('Plain ward'))).id;
    nurse = await account(url, storage, 'nurse', { wardIds: [wardWithAdvice] });
    expect((await request(url, admin.token, 'PUT', `/api/wards/${wardWithAdvice}/patient-advice`, { message: WARD_ADVICE })).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  /** A patient admitted to `wardId` (or to none), with their own signed-in account. */
  async function aPatient(wardId: string | null, carePlan: Record<string, unknown> = {}, pathway: 'general' | 'copd' = 'general'): Promise<{ id: string; account: Account }> {
    const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Grace', familyName: uniqueName('Hopper'), dateOfBirth: '1946-12-09' });
    if (wardId) await storage.registry.admit({ patientId: patient.id, wardId, pathway, carePlan });
    return { id: patient.id, account: await account(url, storage, 'patient', { patientId: patient.id }) };
  }

  const enter = (patientId: string, token: string, readings: Array<{ vital: string; value: number; unit: string }>, measuredAt = new Date(Date.now() - 60_000).toISOString()) =>
    request<Record<string, unknown>>(url, token, 'POST', `/api/patients/${patientId}/readings`, { readings: readings.map((r) => ({ ...r, measuredAt })) });

  it("gives the ward's advice to a patient who enters SpO2 88 and pulse 112, and nothing of the staff's wording", async () => {
    const patient = await aPatient(wardWithAdvice);
    const answer = await enter(patient.id, patient.account.token, [
      { vital: 'spo2', value: 88, unit: '%' },
      { vital: 'heart_rate', value: 112, unit: '/min' },
    ]);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ stored: 2, duplicates: 0 });
    expect(answer.body['advice']).toEqual({ level: 'red', message: WARD_ADVICE });
    // Only the two readings and the advice: no rule ids, scores, bands or thresholds.
    expect(JSON.stringify(answer.body)).not.toMatch(/news2|score|severity|threshold|rule|low-medium/i);
  });

  it('gives no advice for a normal reading, or for values that score 1 or 2', async () => {
    const patient = await aPatient(wardWithAdvice);
    const normal = await enter(patient.id, patient.account.token, [{ vital: 'spo2', value: 97, unit: '%' }]);
    expect(normal.status).toBe(201);
    expect(normal.body).not.toHaveProperty('advice');
    const amber = await enter(patient.id, patient.account.token, [
      { vital: 'spo2', value: 92, unit: '%' },
      { vital: 'heart_rate', value: 130, unit: '/min' },
    ]);
    expect(amber.status).toBe(201);
    expect(amber.body).not.toHaveProperty('advice');
  });

  it('uses the safe default on a ward that set no advice, and for a patient on no ward', async () => {
    const onPlainWard = await aPatient(wardWithout);
    const answer = await enter(onPlainWard.id, onPlainWard.account.token, [{ vital: 'heart_rate', value: 131, unit: '/min' }]);
    expect(answer.status).toBe(201);
    expect(answer.body['advice']).toEqual({ level: 'red', message: DEFAULT_PATIENT_ADVICE });

    const onNoWard = await aPatient(null);
    const alone = await enter(onNoWard.id, onNoWard.account.token, [{ vital: 'body_temperature', value: 35.0, unit: 'Cel' }]);
    expect(alone.status).toBe(201);
    expect(alone.body['advice']).toEqual({ level: 'red', message: DEFAULT_PATIENT_ADVICE });
  });

  it('gives the advice to a nurse entering for the patient too, and again when the same reading is resent', async () => {
    const patient = await aPatient(wardWithAdvice);
    const reading = [{ vital: 'systolic_bp', value: 90, unit: 'mm[Hg]' }];
    const at = new Date(Date.now() - 120_000).toISOString();
    const first = await enter(patient.id, nurse.token, reading, at);
    expect(first.status).toBe(201);
    expect(first.body['advice']).toEqual({ level: 'red', message: WARD_ADVICE });
    // The first answer was lost on the way, say: the resend is a duplicate and still says what to do.
    const again = await enter(patient.id, patient.account.token, reading, at);
    expect(again.body).toMatchObject({ stored: 0, duplicates: 1, advice: { level: 'red', message: WARD_ADVICE } });
  });

  it("respects the clinician's scale-2 decision in the care plan", async () => {
    const scale2 = { news2: { spo2Scale: { scale: 2, decidedBy: 'dr-okafor', decidedAt: '2026-11-01T09:00:00Z', reason: 'Hypercapnic respiratory failure, target 88-92 %' } } };
    const patient = await aPatient(wardWithAdvice, scale2, 'copd');
    const on84 = await enter(patient.id, patient.account.token, [{ vital: 'spo2', value: 84, unit: '%' }]);
    expect(on84.status).toBe(201);
    expect(on84.body).not.toHaveProperty('advice');
    const on83 = await enter(patient.id, patient.account.token, [{ vital: 'spo2', value: 83, unit: '%' }]);
    expect(on83.body['advice']).toEqual({ level: 'red', message: WARD_ADVICE });
  });

  it('still gives the advice when another item of the submission is refused (422), since the red one was stored', async () => {
    const patient = await aPatient(wardWithAdvice);
    const answer = await enter(patient.id, patient.account.token, [
      { vital: 'spo2', value: 89, unit: '%' },
      { vital: 'heart_rate', value: 400, unit: '/min' },
    ]);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 'reading.implausible', stored: 1, advice: { level: 'red', message: WARD_ADVICE } });
  });

  it('lets an admin set, read and clear a ward’s advice, audited; staff of the ward read it; no one else sets it', async () => {
    const ward = (await storage.registry.createWard(uniqueName('Settable ward'))).id;
    const wardNurse = await account(url, storage, 'nurse', { wardIds: [ward] });
    expect((await request(url, wardNurse.token, 'GET', `/api/wards/${ward}/patient-advice`)).body).toEqual({ wardId: ward, configured: null, message: DEFAULT_PATIENT_ADVICE });

    const text = '  Ring Riverside virtual ward on 0300 123 4567 now. If you feel very unwell, call 999.  ';
    const set = await request(url, admin.token, 'PUT', `/api/wards/${ward}/patient-advice`, { message: text });
    expect(set).toEqual({ status: 200, body: { wardId: ward, configured: text.trim(), message: text.trim() } });
    expect((await request(url, wardNurse.token, 'GET', `/api/wards/${ward}/patient-advice`)).body).toMatchObject({ configured: text.trim() });
    const audit = await storage.audit.search({ actorId: admin.id, action: 'ward.patient-advice.set' });
    expect(audit.find((a) => a.subjectId === ward)).toMatchObject({ subjectType: 'ward', details: { advice: text.trim() } });

    const patient = await aPatient(ward);
    expect((await enter(patient.id, patient.account.token, [{ vital: 'respiration_rate', value: 25, unit: '/min' }])).body['advice']).toEqual({ level: 'red', message: text.trim() });

    expect((await request(url, admin.token, 'PUT', `/api/wards/${ward}/patient-advice`, { message: null })).body).toEqual({ wardId: ward, configured: null, message: DEFAULT_PATIENT_ADVICE });
    expect((await enter(patient.id, patient.account.token, [{ vital: 'respiration_rate', value: 8, unit: '/min' }])).body['advice']).toEqual({ level: 'red', message: DEFAULT_PATIENT_ADVICE });

    expect((await request(url, wardNurse.token, 'PUT', `/api/wards/${ward}/patient-advice`, { message: 'x' })).status).toBe(403);
    expect((await request(url, patient.account.token, 'GET', `/api/wards/${ward}/patient-advice`)).status).toBe(403);
    expect((await request(url, nurse.token, 'GET', `/api/wards/${ward}/patient-advice`)).status).toBe(404); // not her ward
    expect((await request(url, admin.token, 'PUT', `/api/wards/00000000-0000-4000-8000-000000000000/patient-advice`, { message: 'x' })).status).toBe(404);
  });

  it.each([
    ['too long', { message: 'a'.repeat(501) }, /message must be shorter than or equal to 500 characters/],
    ['a line break', { message: 'Call the ward.\nCall 999.' }, /no control characters/],
    ['a tab', { message: 'Call\tthe ward.' }, /no control characters/],
    ['a direction override', { message: 'Call the ward on \u202e321 069 23610' }, /direction overrides/],
    ['blank', { message: '   ' }, /must not be blank/],
    ['not text', { message: 999 }, /message must be a string/],
    ['missing', {}, /message must be a string/],
    ['an unknown field', { message: 'Call the ward.', phone: '999' }, /property phone should not exist/],
  ])('refuses advice that is %s (400, field message) and keeps the old text', async (_what, body, expected) => {
    const answer = await request<{ message: string[] }>(url, admin.token, 'PUT', `/api/wards/${wardWithAdvice}/patient-advice`, body);
    expect(answer.status).toBe(400);
    expect(answer.body.message.join('\n')).toMatch(expected);
    expect((await storage.registry.wardPatientAdvice(wardWithAdvice))?.configured).toBe(WARD_ADVICE);
  });

  it('documents the advice endpoints and their limit in the OpenAPI document', async () => {
    const doc = await request<{ paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, { maxLength?: number }> }> } }>(url, undefined, 'GET', '/api/docs-json');
    expect(Object.keys(doc.body.paths['/api/wards/{id}/patient-advice'] ?? {}).sort()).toEqual(['get', 'put']);
    expect(doc.body.components.schemas['WardPatientAdviceDto']?.properties?.['message']?.maxLength).toBe(500);
  });

  it('takes 500 characters exactly', async () => {
    const ward = (await storage.registry.createWard(uniqueName('Long ward'))).id;
    expect((await request(url, admin.token, 'PUT', `/api/wards/${ward}/patient-advice`, { message: 'a'.repeat(500) })).status).toBe(200);
  });
});
