import fc from 'fast-check';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, startApi } from './api-app.fixture';
import { type CheckedSchema, schemaErrors } from './json-schema-check';

/**
 * Issue 17: every operation of the OpenAPI document, fuzzed with fast-check as an admin and as a
 * nurse: random path ids (real ones, other UUIDs, junk), query values and bodies shaped and
 * misshaped by each body's schema (NUL, lone surrogates, huge numbers, deep nesting, wrong types,
 * bad UTF-8, oversize). Whatever comes in, the API answers, quickly, and never with a 5xx; and
 * every success body it gives matches the schema the document declares for it.
 */

interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
}

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  readonly body?: Schema;
  /** The statuses the document declares for it (none for /fhir, which the document leaves out). */
  readonly declared?: ReadonlySet<number>;
  /** The JSON body schema of each success status the document declares. */
  readonly answers?: ReadonlyMap<number, CheckedSchema>;
}

interface Sent {
  readonly method: string;
  readonly url: string;
  readonly contentType?: string;
  readonly body?: string | Uint8Array;
  /** Every path value is a segment of its own (not empty, not a dot segment), so the URL reaches this operation and no other. */
  readonly routed: boolean;
}

/** Live streams stay open by design; signing out would end the fuzzing accounts' sessions. */
const SKIP = /\/stream\b|sign-out/;
/** Fixed, so `npm test` is repeatable; FUZZ_SEED and FUZZ_RUNS explore further by hand. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 17);
const RUNS_PER_OPERATION_AND_ROLE = Number(process.env['FUZZ_RUNS'] ?? 30);
const REQUEST_TIMEOUT_MS = 10_000;

/** Query names the API's DTOs read, tried on every GET besides what the document declares. */
const QUERY_NAMES = ['from', 'to', 'since', 'before', 'limit', 'ward', 'wardId', 'patientId', 'deviceId', 'actorId', 'action', 'code', 'vital', 'bucket', 'state', 'date', '_count', '_offset', 'patient', 'subject', 'cursor', 'x'];

const nasty = fc.constantFrom(
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '%00',
  '%ff',
  '../../etc/passwd',
  "' OR 1=1 --",
  '1e309',
  '-1',
  '0',
  '99999999999999999999999',
  'NaN',
  'true',
  'null',
  '2026-11-10T00:00:00',
  '2026-11-10T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  'ge2026-11-01',
  'http://loinc.org|59408-5',
  'x'.repeat(5_000),
);
/** Values a handler takes, so that many requests get past validation into the code behind it. */
const plausible = fc.oneof(
  fc.constantFrom('spo2', 'heart_rate', 'body_weight', 'news2_score', 'copd', 'general', 'heart-failure', 'nurse', 'clinician', 'admin', 'patient', 'open', 'low', 'medium', 'high', '%', '/min', 'kg', 'hour', 'day', 'webhook', 'stream', 'reading.implausible', '50', '1'),
  fc.integer({ min: -30 * 24, max: 24 }).map((hours) => new Date(Date.now() + hours * 3_600_000).toISOString()),
);
const text = fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 3, arbitrary: plausible }, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.uuid());
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -0, 0.1, 1e21, 20, 500, 1_000_000_000));
const leaf = fc.oneof(text, number, fc.boolean(), fc.constant(null));
const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.oneof(text, fc.string({ maxLength: 12 })), tie('value'), { maxKeys: 4 })),
})).value;

/** encodeURIComponent, except that a lone surrogate is sent as the (invalid) UTF-8 bytes it would have, rather than throwing. */
function encode(value: string): string {
  return [...value]
    .map((char) => {
      const unit = char.charCodeAt(0);
      if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) return [0xed, 0xa0 | ((unit >> 6) & 0x1f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
      return encodeURIComponent(char);
    })
    .join('');
}

function resolve(schema: Schema, components: Readonly<Record<string, Schema>>): Schema {
  const name = schema.$ref?.split('/').pop();
  return name ? (components[name] ?? {}) : schema;
}

/** A value shaped by the schema, with a fair share of wrong types and unknown keys. */
function shaped(schema: Schema, components: Readonly<Record<string, Schema>>, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, components);
  if (depth > 5) return leaf;
  let right: fc.Arbitrary<unknown>;
  if (s.enum && s.enum.length > 0) right = fc.constantFrom(...s.enum);
  else if (s.oneOf ?? s.anyOf) right = fc.oneof(...(s.oneOf ?? s.anyOf ?? []).map((o) => shaped(o, components, depth + 1)));
  else if (s.type === 'object' || s.properties) {
    const properties = Object.entries(s.properties ?? {});
    right = fc
      .record(Object.fromEntries(properties.map(([key, property]) => [key, shaped(property, components, depth + 1)])), { requiredKeys: [] })
      .chain((value) => fc.oneof({ weight: 4, arbitrary: fc.constant(value) }, fc.dictionary(text, anyJson, { maxKeys: 2 }).map((extra) => ({ ...value, ...extra }))));
  } else if (s.type === 'array') right = fc.array(shaped(s.items ?? {}, components, depth + 1), { maxLength: 4 });
  else if (s.type === 'number' || s.type === 'integer') right = number;
  else if (s.type === 'boolean') right = fc.boolean();
  else if (s.type === 'string' && s.format === 'date-time') right = fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), text);
  else right = text;
  return fc.oneof({ weight: 8, arbitrary: right }, anyJson);
}

/** What goes on the wire: JSON of a shaped or random value, or raw text and bytes no JSON encoder writes. */
function bodyOf(operation: Operation, components: Readonly<Record<string, Schema>>): fc.Arbitrary<{ contentType?: string; body?: string | Uint8Array }> {
  const json = operation.body ? shaped(operation.body, components) : anyJson;
  const preferred = operation.path.startsWith('/fhir') ? fc.constantFrom('application/fhir+json', 'application/json') : fc.constant('application/json');
  const contentType = fc.oneof({ weight: 8, arbitrary: preferred }, fc.constantFrom('application/fhir+json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'));
  return fc.oneof(
    { weight: 10, arbitrary: fc.record({ contentType, body: json.map((v) => JSON.stringify(v) ?? 'null') }) },
    fc.record({
      contentType,
      body: fc.constantFrom<string | Uint8Array>(
        '{',
        '{"a":"\\u0000"}',
        '{"a":"\\ud800"}',
        `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
        `{"readings":${'['.repeat(40)}${']'.repeat(40)}}`,
        JSON.stringify({ padding: 'x'.repeat(70 * 1024) }),
        new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
        '[]',
        '"text"',
        '12',
      ),
    }),
    fc.constant({}),
  );
}

function requestOf(operation: Operation, ids: readonly string[], components: Readonly<Record<string, Schema>>): fc.Arbitrary<Sent> {
  const pathValue = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids) }, fc.uuid(), text.map(encode), fc.constantFrom('%ff', '%E0%A4%A', '%00', '..', 'Patient', '$everything'));
  const params = fc.tuple(...operation.pathParams.map(() => pathValue));
  const names = fc.constantFrom(...new Set([...operation.queryParams, ...QUERY_NAMES]));
  const idValue = fc.constantFrom(...ids);
  const query = fc.array(fc.tuple(names, fc.oneof({ weight: 4, arbitrary: text.map(encode) }, idValue, fc.constantFrom('%ff', '%00', '%D8%00'))), { maxLength: 4 });
  const withBody = operation.method !== 'GET' && operation.method !== 'DELETE';
  return fc.record({ params, query, payload: withBody ? bodyOf(operation, components) : fc.constant({}) }).map(({ params, query, payload }) => {
    let path = operation.path;
    operation.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, params[i] ?? '')));
    const search = query.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
    const routed = params.every((value) => value !== '' && !/^(\.|%2e){1,2}$/i.test(value));
    return { method: operation.method, url: search ? `${path}?${search}` : path, routed, ...payload };
  });
}

/**
 * /fhir is left out of the OpenAPI document (the FHIR specification describes it), so its
 * operations are listed here, with an Observation and a transaction Bundle roughly shaped.
 */
function fhirOperations(patientId: string, deviceId: string): Operation[] {
  const coding: Schema = { type: 'object', properties: { system: { enum: ['http://loinc.org', 'http://snomed.info/sct', 'urn:iso:std:iso:11073:10101', 'x'] }, code: { enum: ['59408-5', '8867-4', '85354-9', '8480-6', '1104051000000101', '29463-7', 'nope'] } } };
  const quantity: Schema = { type: 'object', properties: { value: { type: 'number' }, unit: { type: 'string' }, system: { enum: ['http://unitsofmeasure.org'] }, code: { enum: ['%', '/min', 'mm[Hg]', 'kg', 'Cel', '{score}', 'g'] } } };
  const observation: Schema = {
    type: 'object',
    properties: {
      resourceType: { enum: ['Observation', 'Patient', 'Bundle'] },
      status: { enum: ['final', 'amended', 'entered-in-error'] },
      code: { type: 'object', properties: { coding: { type: 'array', items: coding } } },
      subject: { type: 'object', properties: { reference: { enum: [`Patient/${patientId}`, 'Patient/x', `Patient/${deviceId}`] } } },
      device: { type: 'object', properties: { reference: { enum: [`Device/${deviceId}`, 'Device/x'] } } },
      effectiveDateTime: { type: 'string', format: 'date-time' },
      valueQuantity: quantity,
      component: { type: 'array', items: { type: 'object', properties: { code: { type: 'object', properties: { coding: { type: 'array', items: coding } } }, valueQuantity: quantity } } },
      identifier: { type: 'array', items: { type: 'object', properties: { system: { type: 'string' }, value: { type: 'string' } } } },
    },
  };
  const bundle: Schema = {
    type: 'object',
    properties: {
      resourceType: { enum: ['Bundle'] },
      type: { enum: ['transaction', 'batch', 'collection'] },
      entry: { type: 'array', items: { type: 'object', properties: { resource: observation, request: { type: 'object', properties: { method: { enum: ['POST', 'PUT', 'DELETE'] }, url: { enum: ['Observation', 'Patient'] } } } } } },
    },
  };
  // Endpoints are a closed local port: nothing fuzzed ever reaches another host.
  const subscription: Schema = {
    type: 'object',
    properties: {
      resourceType: { enum: ['Subscription', 'Patient'] },
      status: { enum: ['requested', 'active'] },
      criteria: { enum: [`Observation?patient=${patientId}`, `Flag?patient=${patientId}`, 'Flag?ward=x', 'Observation', 'Encounter?patient=1'] },
      channel: { type: 'object', properties: { type: { enum: ['rest-hook', 'websocket'] }, endpoint: { enum: ['https://127.0.0.1:9/hook', 'http://127.0.0.1:9/hook', 'nope'] }, header: { type: 'array', items: { type: 'string' } }, payload: { enum: ['application/fhir+json', 'text/xml'] } } },
    },
  };
  const get = (path: string, pathParams: string[] = [], queryParams: string[] = []): Operation => ({ method: 'GET', path, pathParams, queryParams });
  return [
    get('/fhir/metadata'),
    get('/fhir/Patient/{id}', ['id']),
    get('/fhir/Patient/{id}/{operation}', ['id', 'operation']),
    get('/fhir/Observation', [], ['patient', 'subject', 'code', 'date', '_count', '_offset', '_format']),
    get('/fhir/Observation/{id}', ['id']),
    get('/fhir/Device/{id}', ['id']),
    { method: 'POST', path: '/fhir/Observation', pathParams: [], queryParams: [], body: observation },
    { method: 'POST', path: '/fhir', pathParams: [], queryParams: [], body: bundle },
    { method: 'POST', path: '/fhir/Subscription', pathParams: [], queryParams: [], body: subscription },
    get('/fhir/Subscription'),
    get('/fhir/Subscription/{id}', ['id']),
    { method: 'DELETE', path: '/fhir/Subscription/{id}', pathParams: ['id'], queryParams: [] },
  ];
}

describe('every endpoint, fuzzed from the OpenAPI document', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let operations: Operation[];
  let components: Record<string, Schema>;
  let accounts: Record<'admin' | 'nurse', Account>;
  let ids: string[];

  beforeAll(async () => {
    api = await startApi();
    const { registry } = api.storage;
    // Real ids among the random ones, so requests reach past "not found" into the handlers.
    const ward = await registry.createWard(uniqueName('Fuzz ward'));
    const patient = await registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Fuzz', familyName: uniqueName('Case'), dateOfBirth: '1950-01-01' });
    await registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'copd' });
    const device = await registry.registerDevice({ type: 'pulse-oximeter', serial: uniqueName('FUZZ'), patientId: patient.id });
    accounts = { admin: await account(api.url, api.storage, 'admin'), nurse: await account(api.url, api.storage, 'nurse', { wardIds: [ward.id] }) };
    ids = [ward.id, patient.id, device.id, accounts.nurse.id];
    const document = (await (await fetch(`${api.url}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: Schema }> }; responses?: Record<string, { content?: Record<string, { schema?: CheckedSchema }> }> }>>;
      components?: { schemas?: Record<string, Schema> };
    };
    components = document.components?.schemas ?? {};
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => {
          const body = Object.values(op.requestBody?.content ?? {})[0]?.schema;
          return {
            method: method.toUpperCase(),
            path,
            pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string),
            queryParams: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
            ...(body ? { body } : {}),
            declared: new Set(Object.keys(op.responses ?? {}).map(Number)),
            answers: new Map(
              Object.entries(op.responses ?? {}).flatMap(([status, response]) => {
                const schema = response.content?.['application/json']?.schema;
                return /^2/.test(status) && schema ? [[Number(status), schema] as const] : [];
              }),
            ),
          };
        })
        .filter((op) => !SKIP.test(op.path)),
    );
    operations.push(...fhirOperations(patient.id, device.id));
  }, 60_000);
  afterAll(async () => api?.close());

  it('answers every generated request in time and never with a 5xx', async () => {
    expect(operations.length).toBeGreaterThan(45); // the whole API: the document's operations and /fhir's
    const failures: string[] = [];
    const undeclared = new Set<string>();
    const misdescribed = new Set<string>();
    let sent = 0;
    let checked = 0;
    const statuses = new Map<number, number>();
    for (const operation of operations) {
      for (const role of ['admin', 'nurse'] as const) {
        const details = await fc.check(
          fc.asyncProperty(requestOf(operation, ids, components), async (request) => {
            sent += 1;
            const response = await fetch(`${api.url}${request.url}`, {
              method: request.method,
              headers: { authorization: `Bearer ${accounts[role].token}`, ...(request.contentType ? { 'content-type': request.contentType } : {}) },
              ...(request.body === undefined ? {} : { body: request.body }),
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
            const answer = await response.text();
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            if (operation.declared && !operation.declared.has(response.status)) undeclared.add(`${operation.method} ${operation.path} answered ${response.status} (${answer.slice(0, 120)})`);
            const schema = operation.answers?.get(response.status);
            if (schema && request.routed && (response.headers.get('content-type') ?? '').startsWith('application/json')) {
              checked += 1;
              const errors = schemaErrors(JSON.parse(answer) as unknown, schema, components as Record<string, CheckedSchema>);
              if (errors.length > 0) misdescribed.add(`${operation.method} ${operation.path} ${response.status}: ${errors.slice(0, 3).join('; ')}`);
            }
            if (response.status >= 500) throw new Error(`${response.status} ${answer.slice(0, 300)}`);
          }),
          { numRuns: RUNS_PER_OPERATION_AND_ROLE, endOnFailure: true, seed: SEED },
        );
        if (details.failed) {
          const [request] = details.counterexample ?? [];
          const body = typeof request?.body === 'string' ? request.body.slice(0, 200) : request?.body ? '<bytes>' : '';
          failures.push(`${role} ${operation.method} ${operation.path}: ${request?.method} ${request?.url.slice(0, 200)} ${request?.contentType ?? ''} ${body} → ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
        }
      }
    }
    const histogram = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    process.stdout.write(`openapi fuzz (seed ${SEED}): ${operations.length} operations, ${sent} requests (${histogram}), ${checked} success bodies checked against their schema\n`);
    expect(failures).toEqual([]);
    // Issue 17: the document describes every answer; what the fuzzing met, it must have declared.
    expect([...undeclared].sort()).toEqual([]);
    // And what it answered on success is what the document says it answers.
    expect(checked).toBeGreaterThan(100);
    expect([...misdescribed].sort()).toEqual([]);
  }, 180_000);
});
