import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, request, startApi } from './api-app.fixture';

/**
 * Issue 17: one answer shape for every error, decided by the error table, whether the error comes
 * from the framework (an unknown route, validation), the access guard, a handler's domain error or
 * storage (a duplicate device); and under /fhir the same domain errors keep their status, as
 * OperationOutcomes.
 */
describe('errors answered from the error table', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let nurse: Account;
  let admin: Account;
  let otherPatient: string;

  beforeAll(async () => {
    api = await startApi();
    const ward = (await api.storage.registry.createWard(uniqueName('Problem ward'))).id;
    const other = (await api.storage.registry.createWard(uniqueName('Other ward'))).id;
    otherPatient = (await api.storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Other', familyName: uniqueName('Case'), dateOfBirth: '1950-01-01' })).id;
    await api.storage.registry.admit({ patientId: otherPatient, wardId: other, pathway: 'copd' });
    [nurse, admin] = await Promise.all([account(api.url, api.storage, 'nurse', { wardIds: [ward] }), account(api.url, api.storage, 'admin')]);
  }, 60_000);
  afterAll(async () => api?.close(), 30_000);

  it('an unknown route: 404 route.not-found', async () => {
    const answer = await request(api.url, nurse.token, 'GET', '/api/no-such-thing');
    expect(answer).toEqual({ status: 404, body: { statusCode: 404, code: 'route.not-found', message: 'Cannot GET /api/no-such-thing' } });
  });

  it('a body that does not validate: 400 input.invalid, one message per field', async () => {
    const answer = await request<{ code: string; message: string[] }>(api.url, admin.token, 'POST', '/api/wards', { name: 'W', beds: 3 });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ statusCode: 400, code: 'input.invalid', message: ['property beds should not exist'] });
  });

  it('the guard: 401 auth.signed-out, 403 auth.role', async () => {
    expect(await request(api.url, undefined, 'GET', '/api/worklist')).toEqual({ status: 401, body: { statusCode: 401, code: 'auth.signed-out', message: 'Sign in first (Authorization: Bearer <token>).' } });
    expect((await request<{ code: string }>(api.url, nurse.token, 'GET', '/api/audit')).body).toMatchObject({ statusCode: 403, code: 'auth.role' });
  });

  it("a handler's domain error: another ward's patient is 404 patient.not-on-a-ward", async () => {
    expect(await request(api.url, nurse.token, 'GET', `/api/patients/${otherPatient}/latest`)).toEqual({
      status: 404,
      body: { statusCode: 404, code: 'patient.not-on-a-ward', message: 'No patient with this id is on your wards.' },
    });
  });

  it('a duplicate refused by storage: 409 device.exists, with no database detail', async () => {
    const device = { type: 'thermometer', serial: uniqueName('DUP') };
    expect((await request(api.url, admin.token, 'POST', '/api/devices', device)).status).toBe(201);
    expect(await request(api.url, admin.token, 'POST', '/api/devices', device)).toEqual({
      status: 409,
      body: { statusCode: 409, code: 'device.exists', message: 'A device of this type with this serial (or this Bluetooth address) is already registered.' },
    });
  });

  it('under /fhir the same domain error keeps its status, as an OperationOutcome', async () => {
    const response = await fetch(`${api.url}/fhir/Observation?patient=${otherPatient}`, { headers: { authorization: `Bearer ${nurse.token}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    const outcome = (await response.json()) as { resourceType: string; issue: Array<{ code: string; details: { coding: Array<{ code: string }> } }> };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]?.code).toBe('not-found');
    expect(outcome.issue[0]?.details.coding[0]?.code).toBe('patient.not-on-a-ward');
  });
});
