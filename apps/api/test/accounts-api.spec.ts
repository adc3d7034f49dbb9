import type { Patient } from '@homeward/domain';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, request, startApi } from './api-app.fixture';

/** Issue 17, "Accounts": a deny-list of common passwords, and one working account per patient. */
describe('accounts API', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let admin: Account;
  let patient: Patient;
  beforeAll(async () => {
    api = await startApi();
    admin = await account(api.url, api.storage, 'admin');
    patient = await api.storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Ada', familyName: uniqueName('Lovelace'), dateOfBirth: '1950-12-10' });
  }, 120_000);
  afterAll(async () => api?.close());

  const email = () => `${uniqueName('p').replace(' ', '-')}@example.nhs.uk`;

  it.each([
    ['a common password', 'password1234', 'password.common'],
    ['a common password with symbols after it', 'Summer2026!!!', 'password.common'],
    ['a common password repeated', 'qwertyqwerty', 'password.common'],
    ['one character twelve times', 'aaaaaaaaaaaa', 'password.common'],
    ['eleven characters', 'abcdefghijk', null],
  ])('refuses %s for a new account, naming the password field', async (_what, password, code) => {
    const created = await request<{ code: string; message: string[] }>(api.url, admin.token, 'POST', '/api/users', { email: email(), displayName: 'Nurse', role: 'admin', password });
    expect(created.status).toBe(400);
    if (code) expect(created.body.code).toBe(code);
    expect(created.body.message.join(' ')).toMatch(/password/);
  });

  it('accepts a long uncommon passphrase, which then signs in', async () => {
    const address = email();
    const created = await request(api.url, admin.token, 'POST', '/api/users', { email: address, displayName: 'Admin', role: 'admin', password: 'plinth orchard velvet kettle' });
    expect(created.status).toBe(201);
    expect((await request(api.url, undefined, 'POST', '/api/auth/sign-in', { email: address, password: 'plinth orchard velvet kettle' })).status).toBe(200);
  });

  it("refuses a second account for a patient who has one, and keeps the first one working", async () => {
    const first = await request<{ password: string }>(api.url, admin.token, 'POST', '/api/users', { email: email(), displayName: 'Ada', role: 'patient', patientId: patient.id });
    expect(first.status).toBe(201);
    const second = await request<{ code: string }>(api.url, admin.token, 'POST', '/api/users', { email: email(), displayName: 'Ada again', role: 'patient', patientId: patient.id });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('patient.account-exists');
    // The first account still reaches the patient's own record.
    const users = (await request<Array<{ id: string; email: string }>>(api.url, admin.token, 'GET', '/api/users')).body;
    const firstUser = users.find((u) => u.id === (first.body as unknown as { user: { id: string } }).user.id)!;
    const signedIn = await request<{ token: string }>(api.url, undefined, 'POST', '/api/auth/sign-in', { email: firstUser.email, password: first.body.password });
    expect(signedIn.status).toBe(200);
    expect((await request(api.url, signedIn.body.token, 'GET', `/api/patients/${patient.id}`)).status).toBe(200);
  });
});
