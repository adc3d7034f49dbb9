import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { account, openStream, request, startApi } from './api-app.fixture';
import { type CheckedSchema, schemaErrors } from './json-schema-check';

/**
 * Issue 17: the success bodies the document describes are the ones the API sends. The fuzz test
 * checks what random requests reach; this one walks a ward's day (an admission, readings, an alert
 * acted on, the care plan edited, the reports) so that every answer with rich content is met, and
 * checks each body against the schema of its operation and status.
 */
interface Document {
  readonly paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: CheckedSchema }> }> }>>;
  readonly components: { readonly schemas: Record<string, CheckedSchema> };
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('the success bodies match the OpenAPI document', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let document: Document;

  beforeAll(async () => {
    api = await startApi();
    document = (await (await fetch(`${api.url}/api/docs-json`)).json()) as Document;
  }, 60_000);
  afterAll(async () => api?.close());

  /** Sends the request, expects the status, and answers the schema errors of its body (path is the document's, with values filled in). */
  async function call(token: string, method: string, documented: string, values: Record<string, string>, expected: number, body?: unknown): Promise<{ body: unknown; errors: string[] }> {
    const path = documented.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
    const answer = await request(api.url, token, method, path, body);
    expect({ call: `${method} ${path}`, status: answer.status, ...(answer.status === expected ? {} : { body: answer.body }) }).toEqual({ call: `${method} ${path}`, status: expected });
    const schema = document.paths[documented.split('?')[0] as string]?.[method.toLowerCase()]?.responses[String(expected)]?.content?.['application/json']?.schema;
    if (!schema) return { body: answer.body, errors: [`${method} ${documented} ${expected}: no schema`] };
    return { body: answer.body, errors: schemaErrors(answer.body, schema, document.components.schemas).map((e) => `${method} ${documented}: ${e}`) };
  }

  it('for a ward, a patient, readings, an alert, the care plan and the reports', async () => {
    const { url, storage } = api;
    const ward = (await storage.registry.createWard(uniqueName('Answers ward'))).id;
    const nurse = await account(url, storage, 'nurse', { wardIds: [ward] });
    const clinician = await account(url, storage, 'clinician', { wardIds: [ward] });
    const admin = await account(url, storage, 'admin');
    const errors: string[] = [];
    const check = async (...args: Parameters<typeof call>) => {
      const answer = await call(...args);
      errors.push(...answer.errors);
      return answer.body as Record<string, unknown>;
    };

    const patient = await check(admin.token, 'POST', '/api/patients', {}, 201, { nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName('Answers'), dateOfBirth: '1944-02-03' });
    const id = String(patient['id']);
    await check(nurse.token, 'POST', '/api/patients/{id}/admissions', { id }, 201, { wardId: ward, pathway: 'copd' });
    const device = await check(admin.token, 'POST', '/api/devices', {}, 201, { type: 'pulse-oximeter', serial: uniqueName('ANS') });
    await check(admin.token, 'POST', '/api/devices/{id}/assign', { id: String((device['device'] as Record<string, unknown>)['id']) }, 200, { patientId: id });

    const stream = await openStream(url, nurse.token);
    let alertId: string;
    try {
      await stream.next((e) => e.event === 'ready');
      await check(nurse.token, 'POST', '/api/patients/{patientId}/readings', { patientId: id }, 201, { readings: [{ vital: 'spo2', value: 84, unit: '%', measuredAt: minutesAgo(2) }, { vital: 'heart_rate', value: 88, unit: '/min', measuredAt: minutesAgo(2) }] });
      alertId = ((await stream.next((e) => e.event === 'alert')).data as { alert: { id: string } }).alert.id;
    } finally {
      await stream.close();
    }

    const range = `from=${encodeURIComponent(minutesAgo(24 * 60))}&to=${encodeURIComponent(minutesAgo(-60))}`;
    for (const [token, path, values] of [
      [nurse.token, '/api/me', {}],
      [nurse.token, '/api/wards', {}],
      [nurse.token, '/api/wards/{id}/members', { id: ward }],
      [nurse.token, '/api/wards/{id}/patient-advice', { id: ward }],
      [admin.token, '/api/users', {}],
      [nurse.token, '/api/patients', {}],
      [nurse.token, '/api/patients/{id}', { id }],
      [nurse.token, '/api/patients/{id}/devices', { id }],
      [nurse.token, '/api/patients/{id}/alerts', { id }],
      [nurse.token, `/api/patients/{id}/news2?${range}`, { id }],
      [nurse.token, `/api/patients/{patientId}/readings?${range}`, { patientId: id }],
      [nurse.token, `/api/patients/{patientId}/trends?${range}&vital=spo2&bucket=hour`, { patientId: id }],
      [nurse.token, '/api/patients/{patientId}/latest', { patientId: id }],
      [nurse.token, '/api/patients/{id}/care-plan/edit', { id }],
      [nurse.token, '/api/worklist', {}],
      [nurse.token, '/api/worklist/patients', {}],
      [nurse.token, '/api/worklist/overview', {}],
      [nurse.token, '/api/alerts/{id}', { id: alertId }],
      [nurse.token, '/api/alerts/{id}/events', { id: alertId }],
      [clinician.token, `/api/analytics/wards/{wardId}/alert-burden?${range}`, { wardId: ward }],
      [clinician.token, `/api/analytics/wards/{wardId}/outcomes?${range}`, { wardId: ward }],
      [admin.token, '/api/audit', {}],
      [admin.token, '/api/admin/rejected-messages', {}],
      [admin.token, '/api/system-alerts', {}],
    ] as const) {
      await check(token, 'GET', path, values, 200);
    }

    await check(nurse.token, 'POST', '/api/alerts/{id}/notes', { id: alertId }, 201, { note: 'Phoned the patient.' });
    await check(nurse.token, 'POST', '/api/alerts/{id}/acknowledge', { id: alertId }, 200, {});
    await check(clinician.token, 'POST', '/api/analytics/wards/{wardId}/backtest', { wardId: ward }, 200, { from: minutesAgo(24 * 60), to: minutesAgo(-60), carePlan: {} });
    await check(nurse.token, 'POST', '/api/patients/{id}/discharge', { id }, 200, { reason: 'Recovered at home.' });

    expect(errors).toEqual([]);
  }, 120_000);

  it('refuses a body that differs from its schema (the check itself)', () => {
    const alert = { $ref: '#/components/schemas/Alert' };
    const { schemas } = document.components;
    expect(schemaErrors({ id: 'x', state: 'closed', readingIds: [1], ownerId: null }, alert, schemas)).toEqual(
      expect.arrayContaining(['$.patientId: missing', '$.id: "x" is not a uuid', '$.state: "closed" is not one of ["open","acknowledged","escalated","resolved"]', '$.readingIds[0]: expected string, got integer']),
    );
    expect(schemaErrors([{ admission: 'no' }], { type: 'array', items: { $ref: '#/components/schemas/PatientSummary' } }, schemas)).toEqual(expect.arrayContaining(['$[0].admission: expected object, got string']));
    expect(schemaErrors(null, alert, schemas)).toEqual(['$: expected object, got null']);
  });
});
