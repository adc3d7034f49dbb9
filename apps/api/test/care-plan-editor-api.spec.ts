import type { CarePlanEditResult, CarePlanEditorView } from '@homeward/contracts';
import type { Storage } from '@homeward/storage';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, request, startApi } from './api-app.fixture';

// Issue 19: two clinicians editing one care plan at once. Each save names the version it was based
// on; the second save on an old version is refused (409, care-plan.stale) instead of overwriting
// the first clinician's decision, and the change list speaks in a clinician's words. Real
// PostgreSQL, real HTTP.
describe('the care-plan editor API', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let url: string;
  let storage: Storage;
  let first: Account;
  let second: Account;
  let patientId: string;

  beforeAll(async () => {
    api = await startApi();
    ({ url, storage } = api);
    const ward = (await storage.registry.createWard(uniqueName('Care-plan ward'))).id;
    first = await account(url, storage, 'clinician', { wardIds: [ward] });
    second = await account(url, storage, 'clinician', { wardIds: [ward] });
    const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName('Lovelace'), dateOfBirth: '1945-12-10' });
    await storage.registry.admit({ patientId: patient.id, wardId: ward, pathway: 'copd' });
    patientId = patient.id;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  const view = async (who: Account) => {
    const answer = await request<CarePlanEditorView>(url, who.token, 'GET', `/api/patients/${patientId}/care-plan/edit`);
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const save = (who: Account, basedOnVersion: number, spo2Low: number, reason: string) =>
    request<Record<string, unknown>>(url, who.token, 'PUT', `/api/patients/${patientId}/care-plan/edit`, {
      reason,
      reviewBy: '2030-01-31',
      spo2Scale: 1,
      limits: [{ vital: 'spo2', limits: [{ direction: 'at-or-below', value: spo2Low, severity: 'medium' }] }],
      basedOnVersion,
    });

  it('refuses the second of two saves based on the same version with a 409 that says to reload, and keeps the first', async () => {
    const [a, b] = [await view(first), await view(second)];
    expect(a.version).toBe(1);
    expect(b.version).toBe(1);

    const won = await save(first, a.version, 92, 'Usual SpO2 93-94 % at home');
    expect(won.status).toBe(200);
    const result = won.body as unknown as CarePlanEditResult;
    expect(result.editor.version).toBe(2);
    expect(result.changes).toContainEqual({ what: 'SpO2 lower limit', before: "91 % (high), 93 % (low) (pathway's)", after: '92 % (medium)' });

    const refused = await save(second, b.version, 90, 'Usual SpO2 91-92 % at home');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'care-plan.stale', currentVersion: 2 });
    expect(String(refused.body['message'])).toMatch(/Someone else saved this care plan while you were editing it\. Reload the plan/);

    // The first clinician's limit stands; the refused save left no trace in the plan or as an update in the audit log.
    const now = await view(second);
    expect(now.version).toBe(2);
    expect(now.vitals.find((v) => v.vital === 'spo2')?.personalLimits).toEqual([{ direction: 'at-or-below', value: 92, severity: 'medium' }]);
    const saved = (await storage.audit.search({ patientId, action: 'care-plan.update' })).filter((entry) => entry.details?.['changes']);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ actorId: first.id, details: { reason: 'Usual SpO2 93-94 % at home', version: 2 } });

    // Reloaded, the second clinician's save goes through on the new version.
    const retried = await save(second, now.version, 90, 'Usual SpO2 91-92 % at home');
    expect(retried.status).toBe(200);
    expect((retried.body as unknown as CarePlanEditResult).changes).toEqual([{ what: 'SpO2 lower limit', before: '92 %', after: '90 %' }]);
  });

  it('refuses a save that does not say which version it edited', async () => {
    const answer = await request<Record<string, unknown>>(url, first.token, 'PUT', `/api/patients/${patientId}/care-plan/edit`, { reason: 'No version', reviewBy: '2030-01-31', spo2Scale: 1, limits: [] });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(/basedOnVersion must be the version of the plan you edited/);
  });
});
