import { startApi } from './api-app.fixture';

/**
 * Issue 17: the OpenAPI document describes every answer of every operation: its success with the
 * real status, and each error it can give with the problem body (400 for input, 401/403 where a
 * sign-in is needed, 404/409/422 where the route refuses so, 429 where it throttles, 413 where it
 * takes a body, 500 everywhere), and the body of every success as a schema.
 */
interface Response {
  readonly description?: string;
  readonly content?: Record<string, { schema?: { $ref?: string; type?: string } }>;
}
interface Operation {
  readonly security?: unknown[];
  readonly requestBody?: unknown;
  readonly responses: Record<string, Response>;
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
}

describe('the OpenAPI document describes every response', () => {
  let document: Document;
  let operations: Array<{ key: string; op: Operation }>;

  beforeAll(async () => {
    const api = await startApi();
    try {
      document = (await (await fetch(`${api.url}/api/docs-json`)).json()) as Document;
    } finally {
      await api.close();
    }
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );
  }, 60_000);

  const statuses = (key: string) => Object.keys(operations.find((o) => o.key === key)?.op.responses ?? {}).map(Number).sort((a, b) => a - b);

  it('has the problem body as a schema', () => {
    expect(operations.length).toBeGreaterThanOrEqual(45); // every /api and /health route (FHIR is documented by its CapabilityStatement)
    expect(document.components.schemas['Problem']).toMatchObject({ required: ['statusCode', 'code', 'message'] });
  });

  it('gives every operation exactly one success answer, with a description', () => {
    const wrong = operations.filter(({ op }) => Object.entries(op.responses).filter(([s, r]) => /^2/.test(s) && (r.description ?? '') !== '').length !== 1).map((o) => o.key);
    expect(wrong).toEqual([]);
  });

  it('gives every success answer with a body its schema, and 204 none', () => {
    const wrong = operations.flatMap(({ key, op }) =>
      Object.entries(op.responses)
        .filter(([status]) => /^2/.test(status))
        .filter(([status, response]) => {
          const media = Object.entries(response.content ?? {});
          if (status === '204') return media.length > 0;
          return media.length === 0 || media.some(([, { schema }]) => !schema || Object.keys(schema).length === 0);
        })
        .map(([status]) => `${key} ${status}`),
    );
    expect(wrong).toEqual([]);
  });

  it('names every schema a success answer refers to under components.schemas', () => {
    const refs = new Set([...JSON.stringify(document.paths).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1] as string));
    expect([...refs].filter((name) => !document.components.schemas[name])).toEqual([]);
    expect([...refs]).toEqual(expect.arrayContaining(['Alert', 'Patient', 'StoredReading', 'ManualReadingsAnswer', 'SystemAlert']));
  });

  it.each([
    ['GET /api/worklist', 'array'],
    ['GET /api/patients/{id}', 'PatientRecord'],
    ['POST /api/auth/sign-in', 'object'],
    ['GET /api/analytics/wards/{wardId}/alert-burden', 'object'],
  ])('describes the body of %s (%s)', (key, expected) => {
    const schema = operations.find((o) => o.key === key)?.op.responses['200']?.content?.['application/json']?.schema;
    expect(schema?.$ref === `#/components/schemas/${expected}` || schema?.type === expected).toBe(true);
  });

  it('gives every error answer a description and the problem body (the probes\' 503 is their report)', () => {
    const wrong = operations.flatMap(({ key, op }) =>
      Object.entries(op.responses)
        .filter(([status]) => Number(status) >= 400 && !(key.startsWith('GET /health') && status === '503'))
        .filter(([, response]) => !(response.description ?? '').trim() || response.content?.['application/json']?.schema?.$ref !== '#/components/schemas/Problem')
        .map(([status]) => `${key} ${status}`),
    );
    expect(wrong).toEqual([]);
  });

  it('declares the answers every operation shares: 400 and 500; 401 and 403 when signed in; 413 when it takes a body', () => {
    const missing = operations.flatMap(({ key, op }) => {
      const need = [400, 500, ...((op.security ?? []).length > 0 ? [401, 403] : []), ...(op.requestBody ? [413] : [])];
      return need.filter((s) => !op.responses[String(s)]).map((s) => `${key} ${s}`);
    });
    expect(missing).toEqual([]);
  });

  it.each([
    ['POST /api/auth/sign-in', [200, 400, 401, 413, 415, 429, 500, 503]],
    ['POST /api/auth/sign-out', [204, 400, 401, 403, 413, 415, 500]],
    ['GET /api/patients/{id}', [200, 400, 401, 403, 404, 500]],
    ['POST /api/patients/{id}/admissions', [201, 400, 401, 403, 404, 409, 413, 415, 422, 500]],
    ['POST /api/patients/{patientId}/readings', [201, 400, 401, 403, 404, 413, 415, 422, 500]],
    ['POST /api/devices', [201, 400, 401, 403, 404, 409, 413, 415, 500]],
    ['POST /api/alerts/{id}/acknowledge', [200, 400, 401, 403, 404, 409, 413, 415, 500]],
    ['GET /api/patients/{patientId}/readings', [200, 400, 401, 403, 404, 500]],
  ])('%s answers %j', (key, expected) => {
    expect(statuses(key)).toEqual(expected);
  });

  it('names the domain error codes behind a route-specific answer', () => {
    const admit = operations.find((o) => o.key === 'POST /api/patients/{id}/admissions')?.op;
    expect(admit?.responses['409']?.description).toContain('patient.already-admitted');
    expect(admit?.responses['422']?.description).toContain('care-plan.invalid');
  });

  it('describes the probes\' 503 with their own report', () => {
    expect(statuses('GET /health/ready')).toEqual([200, 400, 500, 503]);
    expect(operations.find((o) => o.key === 'GET /health/ready')?.op.responses['503']?.content?.['application/json']?.schema).toMatchObject({ type: 'object' });
  });

  it('describes the live stream as server-sent events', () => {
    const stream = operations.find((o) => o.key === 'GET /api/stream')?.op;
    expect(stream?.responses['200']?.content).toEqual({ 'text/event-stream': { schema: { type: 'string' } } });
  });
});
