import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, openStream, request, startApi } from './api-app.fixture';

/**
 * Issue 17: the audit log is written by one interceptor from each route's @Audited rule. What it
 * writes: the signed-in actor and address, the subject from the route (or the handler), one record
 * per patient; nothing for a refused request unless the action had already taken effect.
 */
describe('audit by route metadata', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let nurse: Account;
  let otherNurse: Account;
  let admin: Account;
  let ward: string;
  let patientId: string;

  beforeAll(async () => {
    api = await startApi();
    const { registry } = api.storage;
    ward = (await registry.createWard(uniqueName('Audit ward'))).id;
    const other = (await registry.createWard(uniqueName('Other ward'))).id;
    patientId = (await registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Audit', familyName: uniqueName('Case'), dateOfBirth: '1950-01-01' })).id;
    await registry.admit({ patientId, wardId: ward, pathway: 'copd' });
    [nurse, otherNurse, admin] = await Promise.all([
      account(api.url, api.storage, 'nurse', { wardIds: [ward] }),
      account(api.url, api.storage, 'nurse', { wardIds: [other] }),
      account(api.url, api.storage, 'admin'),
    ]);
  }, 60_000);
  afterAll(async () => api?.close(), 30_000);

  const entries = async (actorId: string, action: string) => (await api.storage.audit.search({ actorId, action, limit: 100 })).filter((e) => e.action === action);

  it('records a read with the actor, the address, the subject from the route and its patient', async () => {
    expect((await request(api.url, nurse.token, 'GET', `/api/patients/${patientId}`)).status).toBe(200);
    expect(await entries(nurse.id, 'patient.read')).toEqual([
      expect.objectContaining({ actorType: 'user', actorId: nurse.id, subjectType: 'patient', subjectId: patientId, patientId, ip: expect.stringMatching(/127\.0\.0\.1/) }),
    ]);
  });

  it('records nothing for a refused request', async () => {
    expect((await request(api.url, otherNurse.token, 'GET', `/api/patients/${patientId}`)).status).toBe(404);
    expect((await request(api.url, otherNurse.token, 'GET', `/api/patients/${patientId}/readings?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`)).status).toBe(404);
    expect(await entries(otherNurse.id, 'patient.read')).toEqual([]);
    expect(await entries(otherNurse.id, 'readings.read')).toEqual([]);
  });

  it('records an action that took effect though the answer is an error (readings stored beside a refused one)', async () => {
    const now = new Date().toISOString();
    const answer = await request<{ code: string; stored: number }>(api.url, nurse.token, 'POST', `/api/patients/${patientId}/readings`, {
      readings: [
        { vital: 'heart_rate', value: 72, unit: '/min', measuredAt: now },
        { vital: 'heart_rate', value: 900, unit: '/min', measuredAt: now },
      ],
    });
    expect(answer.status).toBe(422);
    expect(answer.body.stored).toBe(1);
    expect(await entries(nurse.id, 'reading.create')).toEqual([expect.objectContaining({ patientId, details: { stored: 1, duplicates: 0, rejected: 1 } })]);
  });

  it('writes one record per patient the handler names (a device moving between patients)', async () => {
    const second = (await api.storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Second', familyName: uniqueName('Case'), dateOfBirth: '1951-01-01' })).id;
    await api.storage.registry.admit({ patientId: second, wardId: ward, pathway: 'copd' });
    const device = await api.storage.registry.registerDevice({ type: 'pulse-oximeter', serial: uniqueName('AUD'), patientId });
    expect((await request(api.url, nurse.token, 'POST', `/api/devices/${device.id}/assign`, { patientId: second })).status).toBe(200);
    const records = await entries(nurse.id, 'device.assign');
    expect(records.map((r) => r.patientId).sort()).toEqual([patientId, second].sort());
    expect(records.every((r) => r.subjectId === device.id && r.subjectType === 'device')).toBe(true);
  });

  it('takes the actor from the handler where nobody is signed in yet (sign-in), and records sign-out', async () => {
    const someone = await account(api.url, api.storage, 'clinician', { wardIds: [ward] });
    expect(await entries(someone.id, 'session.create')).toEqual([expect.objectContaining({ subjectType: 'user', subjectId: someone.id })]);
    expect((await request(api.url, someone.token, 'POST', '/api/auth/sign-out')).status).toBe(204);
    expect(await entries(someone.id, 'session.end')).toEqual([expect.objectContaining({ subjectType: 'user', subjectId: someone.id })]);
  });

  it('records the opening of a live stream before its first event', async () => {
    const stream = await openStream(api.url, nurse.token);
    try {
      await stream.next((e) => e.event === 'ready');
      expect(await entries(nurse.id, 'stream.open')).toEqual([expect.objectContaining({ subjectType: 'ward', subjectId: ward })]);
    } finally {
      stream.close();
    }
  });

  it('records the audit viewer reading itself, with the filter it used', async () => {
    expect((await request(api.url, admin.token, 'GET', `/api/audit?patientId=${patientId}&limit=5`)).status).toBe(200);
    expect(await entries(admin.id, 'audit.read')).toEqual([expect.objectContaining({ subjectType: 'audit', subjectId: null, patientId, details: { patientId, limit: '5' } })]);
  });
});
