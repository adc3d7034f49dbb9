import { randomUUID } from 'node:crypto';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { account, startApi } from './api-app.fixture';

/** Issue 17, "Strict input": what every endpoint refuses before a handler or the database sees it. */
describe('strict input (api)', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let nurse: { token: string };

  beforeAll(async () => {
    api = await startApi();
    nurse = await account(api.url, api.storage, 'nurse');
  }, 60_000);
  afterAll(async () => api?.close());

  async function send(method: string, path: string, body: string | Uint8Array, contentType = 'application/json'): Promise<{ status: number; type: string; json: Record<string, unknown> }> {
    const response = await fetch(`${api.url}${path}`, { method, headers: { 'content-type': contentType, authorization: `Bearer ${nurse.token}` }, body });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', json: JSON.parse(text) as Record<string, unknown> };
  }

  const entry = `/api/patients/${randomUUID()}/readings`;

  it('refuses a NUL character in a body value with its path', async () => {
    const answer = await send('POST', entry, JSON.stringify({ readings: [{ vital: 'pulse_rate', value: 70, unit: '/min\u0000', measuredAt: new Date().toISOString() }] }));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'input.nul-character', field: 'body.readings[0].unit' });
  });

  it('refuses a lone surrogate, escaped or in a key, with its path', async () => {
    const value = await send('POST', entry, '{"readings":[{"vital":"\\ud800x"}]}');
    expect(value.status).toBe(400);
    expect(value.json).toMatchObject({ code: 'input.lone-surrogate', field: 'body.readings[0].vital' });
    const key = await send('POST', entry, '{"\\udc00":1}');
    expect(key.status).toBe(400);
    expect(key.json).toMatchObject({ code: 'input.lone-surrogate', field: 'body["\\udc00"]' });
  });

  it('refuses NUL in the query', async () => {
    const response = await fetch(`${api.url}/api/worklist?ward=%00`, { headers: { authorization: `Bearer ${nurse.token}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'input.nul-character', field: 'query.ward' });
  });

  it('refuses bytes that are not UTF-8 rather than replacing them', async () => {
    const answer = await send('POST', entry, new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'input.not-utf8' });
  });

  it('refuses absurd nesting and bad JSON with a code', async () => {
    const deep = await send('POST', entry, `${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(deep.status).toBe(400);
    expect(deep.json).toMatchObject({ code: 'input.too-deep' });
    const bad = await send('POST', entry, '{"readings": [');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'input.bad-json' });
  });

  it('answers a body over the limit 413 with a coded JSON error, quickly', async () => {
    const started = Date.now();
    const answer = await send('POST', entry, JSON.stringify({ readings: [], padding: 'x'.repeat(200 * 1024) }));
    expect(answer.status).toBe(413);
    expect(answer.type).toContain('application/json');
    expect(answer.json).toMatchObject({ code: 'input.too-large' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('lets a FHIR Bundle be larger than the default limit, and answers FHIR with an OperationOutcome', async () => {
    const bundle = JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [], padding: 'x'.repeat(200 * 1024) });
    const allowed = await send('POST', '/fhir', bundle);
    expect(allowed.status).not.toBe(413);
    const huge = await send('POST', '/fhir', JSON.stringify({ resourceType: 'Bundle', padding: 'x'.repeat(6 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'too-costly' }] });
    const nul = await send('POST', '/fhir', JSON.stringify({ resourceType: 'Bundle\u0000' }));
    expect(nul.status).toBe(400);
    expect(nul.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ expression: ['body.resourceType'] }] });
  });

  it.each(['2026-11-10T00:00:00', '1970-01-01T00:00:00Z', '1900-01-01T00:00:00Z', '9999-01-01T00:00:00Z'])('refuses a manual reading measured at %s, naming the field', async (measuredAt) => {
    const answer = await send('POST', entry, JSON.stringify({ readings: [{ vital: 'pulse_rate', value: 70, unit: '/min', measuredAt }] }));
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.json.message)).toContain('readings.0.measuredAt');
  });

  it('describes zoned times in the OpenAPI document as date-times', async () => {
    const document = (await (await fetch(`${api.url}/api/docs-json`)).json()) as { components: { schemas: Record<string, { properties: Record<string, { format?: string }> }> } };
    expect(document.components.schemas['ManualReadingDto']?.properties['measuredAt']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(document.components.schemas['AuditQueryDto']?.properties['from']).toMatchObject({ format: 'date-time' });
  });

  it('refuses an audit range without a zone', async () => {
    const admin = await account(api.url, api.storage, 'admin');
    const response = await fetch(`${api.url}/api/audit?from=2026-11-10T00:00:00`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('from must be an ISO 8601 date-time with a time zone');
  });

  it('refuses a NEWS2 score typed in (derived) with reading.derived, over REST and FHIR', async () => {
    const ward = await api.storage.registry.createWard(uniqueName('Derived'));
    const patient = await api.storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Dee', familyName: uniqueName('Rived'), dateOfBirth: '1950-01-01' });
    await api.storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'general' });
    nurse = await account(api.url, api.storage, 'nurse', { wardIds: [ward.id] });
    const manual = await send('POST', `/api/patients/${patient.id}/readings`, JSON.stringify({ readings: [{ vital: 'news2_score', value: 3, unit: '{score}', measuredAt: new Date().toISOString() }] }));
    expect(manual.status).toBe(422);
    expect(manual.json).toMatchObject({ code: 'reading.derived' });
    const observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://snomed.info/sct', code: '1104051000000101' }] }, subject: { reference: `Patient/${patient.id}` }, effectiveDateTime: new Date().toISOString(), valueQuantity: { value: 3, unit: 'score', system: 'http://unitsofmeasure.org', code: '{score}' } };
    const fhir = await send('POST', '/fhir/Observation', JSON.stringify(observation), 'application/fhir+json');
    expect(fhir.status).toBe(422);
    expect(JSON.stringify(fhir.json)).toContain('reading.derived');
    expect((await api.storage.readings.inRange(patient.id, { from: new Date(0), to: new Date(Date.now() + 60_000) })).length).toBe(0);
  });

  it('makes the same refusals for an application/fhir+json body, as OperationOutcomes', async () => {
    const nul = await send('POST', '/fhir/Observation', '{"resourceType":"Observation","status":"fin\\u0000al"}', 'application/fhir+json');
    expect(nul.status).toBe(400);
    expect(nul.json).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ expression: ['body.status'], details: { coding: [{ code: 'input.nul-character' }] } }] });
    const surrogate = await send('POST', '/fhir', '{"resourceType":"Bundle","entry":[{"\\ud83d":1}]}', 'application/fhir+json');
    expect(surrogate.status).toBe(400);
    expect(surrogate.json).toMatchObject({ issue: [{ details: { coding: [{ code: 'input.lone-surrogate' }] } }] });
    const bytes = await send('POST', '/fhir/Observation', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'application/fhir+json');
    expect(bytes.status).toBe(400);
    expect(bytes.json).toMatchObject({ issue: [{ details: { coding: [{ code: 'input.not-utf8' }] } }] });
  });

  it('refuses a huge FHIR _offset with 400, not a database error', async () => {
    const response = await fetch(`${api.url}/fhir/Observation?_offset=99999999999999999999999`, { headers: { authorization: `Bearer ${nurse.token}` } });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('_offset');
  });
});
