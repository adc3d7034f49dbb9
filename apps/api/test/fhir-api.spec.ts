import type { Bundle, Observation, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Patient, VitalKey } from '@homeward/domain';
import { IngestPipeline } from '@homeward/ingest';
import type { Storage } from '@homeward/storage';
import { type FhirValidator, aValidNhsNumber, describeIssues, fhirValidator, uniqueName } from '@homeward/testing';
import { type Account, account, startApi } from './api-app.fixture';

const FHIR = 'application/fhir+json';

interface FhirAnswer<T> {
  readonly status: number;
  readonly contentType: string;
  readonly location: string | null;
  readonly body: T;
}

/** A FHIR request as an EPR makes it: application/fhir+json both ways. */
async function fhir<T = Resource>(url: string, token: string | undefined, method: string, path: string, body?: unknown, contentType = FHIR): Promise<FhirAnswer<T>> {
  const response = await fetch(path.startsWith('http') ? path : `${url}${path}`, {
    method,
    headers: { accept: FHIR, ...(body === undefined ? {} : { 'content-type': contentType }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', location: response.headers.get('location'), body: (text ? JSON.parse(text) : undefined) as T };
}

const paths = (outcome: OperationOutcome) => outcome.issue.map((i) => i.expression?.[0]);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

// FHIR R4 at /fhir against a real PostgreSQL with the rules engine running: sign-in, ward
// isolation, audit, paging, conditional create, transactions, OperationOutcomes, and a simulated
// cohort that exports as valid FHIR and re-imports without a single duplicate.
describe('FHIR API', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let url: string;
  let storage: Storage;
  let validator: FhirValidator;
  let wardA: string;
  let nurseA: Account;
  let nurseB: Account;
  let patient: Patient;
  let patientAccount: Account;
  let otherWardPatient: Patient;
  let cuff: string;

  async function aPatientOn(ward: string, family = 'Lovelace'): Promise<Patient> {
    const p = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName(family), dateOfBirth: '1948-02-29' });
    await storage.registry.admit({ patientId: p.id, wardId: ward, pathway: 'general' });
    return p;
  }

  function expectValid(resource: Resource): void {
    const errors = validator.errors(resource);
    if (errors.length > 0) throw new Error(`${resource.resourceType}/${resource.id ?? ''}:\n${describeIssues(errors)}`);
  }

  beforeAll(async () => {
    [api, validator] = await Promise.all([startApi(), fhirValidator()]);
    ({ url, storage } = api);
    wardA = (await storage.registry.createWard(uniqueName('Ward A'))).id;
    const wardB = (await storage.registry.createWard(uniqueName('Ward B'))).id;
    nurseA = await account(url, storage, 'nurse', { wardIds: [wardA] });
    nurseB = await account(url, storage, 'nurse', { wardIds: [wardB] });
    patient = await aPatientOn(wardA);
    otherWardPatient = await aPatientOn(wardB, 'Babbage');
    patientAccount = await account(url, storage, 'patient', { patientId: patient.id });
    cuff = (await storage.registry.registerDevice({ type: 'blood-pressure-monitor', serial: uniqueName('CUFF'), model: 'UA-651', patientId: patient.id })).id;
  }, 90_000);
  afterAll(async () => {
    await api?.close();
  });

  it('serves the CapabilityStatement to anyone, as valid application/fhir+json', async () => {
    const answer = await fhir(url, undefined, 'GET', '/fhir/metadata');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/fhir\+json/);
    expect(answer.body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance' });
    expectValid(answer.body);
  });

  it('reads a Patient with the NHS number identifier; signed-out, other ward and other patient are refused as OperationOutcomes', async () => {
    const read = await fhir(url, nurseA.token, 'GET', `/fhir/Patient/${patient.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ resourceType: 'Patient', id: patient.id, identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: patient.nhsNumber }] });
    expectValid(read.body);
    expect((await fhir(url, patientAccount.token, 'GET', `/fhir/Patient/${patient.id}`)).status).toBe(200);

    const otherWard = await fhir<OperationOutcome>(url, nurseB.token, 'GET', `/fhir/Patient/${patient.id}`);
    expect(otherWard.status).toBe(404);
    expect(otherWard.contentType).toMatch(/^application\/fhir\+json/);
    expect(otherWard.body.issue[0]).toMatchObject({ severity: 'error', code: 'not-found' });
    expectValid(otherWard.body);
    expect((await fhir<OperationOutcome>(url, nurseA.token, 'GET', `/fhir/Observation?patient=${otherWardPatient.id}`)).status).toBe(404);
    expect((await fhir<OperationOutcome>(url, patientAccount.token, 'GET', `/fhir/Patient/${otherWardPatient.id}`)).status).toBe(403);
    const signedOut = await fhir<OperationOutcome>(url, undefined, 'GET', `/fhir/Patient/${patient.id}`);
    expect(signedOut.status).toBe(401);
    expect(signedOut.body.issue[0]?.code).toBe('login');
    const badId = await fhir<OperationOutcome>(url, nurseA.token, 'GET', '/fhir/Patient/not-a-uuid');
    expect([badId.status, badId.body.resourceType, badId.body.issue[0]?.code]).toEqual([400, 'OperationOutcome', 'invalid']);
    expect((await fhir<OperationOutcome>(url, nurseA.token, 'GET', `/fhir/Patient/${patient.id}/$summary`)).status).toBe(404);

    const audit = await storage.audit.forPatient(patient.id);
    expect(audit.filter((a) => a.action === 'fhir.patient.read').map((a) => a.actorId)).toEqual(expect.arrayContaining([nurseA.id, patientAccount.id]));
  });

  it('gates every FHIR endpoint like /api: 401 signed out, 403 for a role it does not serve (admin), as OperationOutcomes', async () => {
    const admin = await account(url, storage, 'admin');
    const routes: Array<[string, string]> = [
      ['GET', `/fhir/Patient/${patient.id}`],
      ['GET', `/fhir/Patient/${patient.id}/$everything`],
      ['GET', `/fhir/Observation?patient=${patient.id}`],
      ['GET', '/fhir/Observation/1'],
      ['GET', `/fhir/Device/${cuff}`],
      ['POST', '/fhir/Observation'],
      ['POST', '/fhir'],
    ];
    for (const [method, path] of routes) {
      const body = method === 'POST' ? {} : undefined;
      const signedOut = await fhir<OperationOutcome>(url, undefined, method, path, body);
      expect([path, signedOut.status, signedOut.body.issue[0]?.code]).toEqual([path, 401, 'login']);
      const refused = await fhir<OperationOutcome>(url, admin.token, method, path, body);
      expect([path, refused.status, refused.body.issue[0]?.details?.coding?.[0]?.code]).toEqual([path, 403, 'auth.role']);
    }
  });

  const spo2Observation = (value: number, at: Date, extra: Partial<Observation> = {}): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '59408-5' }] },
    subject: { reference: `Patient/${patient.id}` },
    effectiveDateTime: at.toISOString(),
    valueQuantity: { value, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
    ...extra,
  });

  it('creates an Observation once: the same Observation posted twice is stored once (conditional create on its identifier)', async () => {
    const at = minutesAgo(30);
    const first = await fhir<Observation>(url, patientAccount.token, 'POST', '/fhir/Observation', spo2Observation(97, at));
    expect(first.status).toBe(201);
    expect(first.location).toBe(`${url}/fhir/Observation/${first.body.id}`);
    expect(first.body).toMatchObject({ resourceType: 'Observation', effectiveDateTime: at.toISOString(), valueQuantity: { value: 97, code: '%' }, identifier: [{ system: 'urn:homeward:reading-key' }] });
    expectValid(first.body);
    const read = await fhir<Observation>(url, nurseA.token, 'GET', first.location as string);
    expect([read.status, read.body]).toEqual([200, first.body]);
    expect((await fhir(url, nurseB.token, 'GET', first.location as string)).status).toBe(404);
    // A duplicate answers 200 with the stored Observation and where it is (Location on every create answer).
    const again = await fhir<Observation>(url, nurseA.token, 'POST', '/fhir/Observation', spo2Observation(97, at));
    expect([again.status, again.location, again.body.id]).toEqual([200, first.location, first.body.id]);
    const outcome = await fetch(`${url}/fhir/Observation`, { method: 'POST', headers: { 'content-type': FHIR, prefer: 'return=OperationOutcome', authorization: `Bearer ${nurseA.token}` }, body: JSON.stringify(spo2Observation(97, at)) });
    expect(((await outcome.json()) as OperationOutcome).issue[0]).toMatchObject({ severity: 'information', code: 'duplicate' });
    // The Observation as exported (with its Homeward identifier) is a duplicate too.
    expect((await fhir(url, nurseA.token, 'POST', '/fhir/Observation', first.body)).status).toBe(200);
    const stored = await storage.readings.inRange(patient.id, { from: new Date(at.getTime() - 1), to: new Date(at.getTime() + 1), vitals: ['spo2'] });
    expect(stored.map((r) => [r.value, r.source])).toEqual([[97, 'fhir']]);
    const actions = (await storage.audit.forPatient(patient.id)).filter((a) => a.action === 'fhir.observation.create');
    expect(actions.map((a) => a.details)).toEqual(expect.arrayContaining([{ stored: 1, duplicates: 0 }, { stored: 0, duplicates: 1 }]));
    // The same reading sent again with its device named is the same reading: one, not two.
    const oximeter = (await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: uniqueName('OX'), patientId: patient.id })).id;
    const withDevice = await fhir<Observation>(url, nurseA.token, 'POST', '/fhir/Observation', spo2Observation(97, at, { device: { reference: `Device/${oximeter}` } }));
    expect([withDevice.status, withDevice.location]).toEqual([200, first.location]);
    expect(await storage.readings.inRange(patient.id, { from: new Date(at.getTime() - 1), to: new Date(at.getTime() + 1), vitals: ['spo2'] })).toHaveLength(1);
  });

  it('takes a BP panel from a registered device, also as application/json', async () => {
    const at = minutesAgo(25);
    const panel: Observation = {
      ...spo2Observation(0, at),
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      device: { reference: `Device/${cuff}` },
      valueQuantity: undefined,
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 16, system: 'http://unitsofmeasure.org', code: 'kPa' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 82, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      ],
    };
    const created = await fhir<Observation>(url, nurseA.token, 'POST', '/fhir/Observation', panel, 'application/json');
    expect(created.status).toBe(201);
    expect(created.body.component?.map((c) => [c.code.coding?.[0]?.code, c.valueQuantity?.value, c.valueQuantity?.code])).toEqual([
      ['8480-6', 120, 'mm[Hg]'],
      ['8462-4', 82, 'mm[Hg]'],
    ]);
    expect(created.body.device).toEqual({ reference: `Device/${cuff}` });
    expectValid(created.body);
    expect(created.body.id).toMatch(/^bp-\d+-\d+$/);
    expect((await fhir<Observation>(url, patientAccount.token, 'GET', created.location as string)).body).toEqual(created.body);
    const device = await fhir(url, nurseA.token, 'GET', `/fhir/Device/${cuff}`);
    expect(device.body).toMatchObject({ resourceType: 'Device', id: cuff, modelNumber: 'UA-651', patient: { reference: `Patient/${patient.id}` } });
    expectValid(device.body);
    expect((await fhir(url, nurseB.token, 'GET', `/fhir/Device/${cuff}`)).status).toBe(404);
    expect((await fhir(url, nurseA.token, 'GET', '/fhir/Observation/bp-1-x')).status).toBe(404);
  });

  it('refuses bad FHIR with an OperationOutcome naming each path, and keeps it in rejected_messages', async () => {
    const bad = { ...spo2Observation(101, minutesAgo(5)), status: 'registered', effectiveDateTime: '2026-11', device: { reference: `Device/${cuff}` }, code: { coding: [{ system: 'http://loinc.org', code: '59408-5' }] } };
    const body = JSON.stringify(bad);
    const answer = await fhir<OperationOutcome>(url, nurseA.token, 'POST', '/fhir/Observation', body);
    expect(answer.status).toBe(422);
    expect(paths(answer.body)).toEqual(['Observation.status', 'Observation.effectiveDateTime', 'Observation.valueQuantity.value']);
    expect(answer.body.issue.map((i) => i.details?.coding?.[0]?.code)).toEqual(['fhir.status-not-accepted', 'fhir.effective-required', 'reading.implausible']);
    expectValid(answer.body);
    const kept = (await storage.rejected.list({ limit: 20 })).find((r) => r.source === 'fhir' && new TextDecoder().decode(r.payload) === body);
    expect(kept).toMatchObject({ reasonCode: 'fhir.invalid', topic: 'api:POST /fhir/Observation' });

    const notJson = await fhir<OperationOutcome>(url, nurseA.token, 'POST', '/fhir/Observation', '{"resourceType": "Observation",');
    expect(notJson.status).toBe(400);
    expect(notJson.body.issue[0]?.details?.coding?.[0]?.code).toBe('fhir.invalid-json');
    expect((await storage.rejected.list({ limit: 20 })).some((r) => r.reasonCode === 'fhir.invalid-json')).toBe(true);
    expect((await fhir(url, nurseA.token, 'POST', '/fhir/Observation', body, 'text/plain')).status).toBe(415);

    const othersDevice = (await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: uniqueName('OX'), patientId: otherWardPatient.id })).id;
    const wrongDevice = await fhir<OperationOutcome>(url, nurseA.token, 'POST', '/fhir/Observation', spo2Observation(96, minutesAgo(4), { device: { reference: `Device/${othersDevice}` } }));
    expect(wrongDevice.status).toBe(422);
    expect(paths(wrongDevice.body)).toEqual(['Observation.device.reference']);
    // Another ward's patient: as if absent, and nothing stored.
    const otherWard = await fhir(url, nurseA.token, 'POST', '/fhir/Observation', { ...spo2Observation(96, minutesAgo(4)), subject: { reference: `Patient/${otherWardPatient.id}` } });
    expect(otherWard.status).toBe(404);
    expect(await storage.readings.inRange(otherWardPatient.id, { from: minutesAgo(60), to: new Date() })).toEqual([]);
  });

  it('imports a transaction Bundle: new entries 201, duplicates 200; one bad entry stores nothing', async () => {
    const at = minutesAgo(20);
    const entry = (resource: Observation) => ({ resource, request: { method: 'POST' as const, url: 'Observation' } });
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [entry(spo2Observation(95, at)), entry(spo2Observation(94, minutesAgo(19))), entry(spo2Observation(95, at))] };
    const bad = { ...bundle, entry: [entry(spo2Observation(93, minutesAgo(18))), entry({ ...spo2Observation(93, minutesAgo(18)), valueQuantity: { value: 93, system: 'http://unitsofmeasure.org', code: 'kg' } })] };
    const refused = await fhir<OperationOutcome>(url, nurseA.token, 'POST', '/fhir', bad);
    expect(refused.status).toBe(422);
    expect(paths(refused.body)).toEqual(['Bundle.entry[1].resource.valueQuantity.code']);
    expect(await storage.readings.inRange(patient.id, { from: minutesAgo(18.1), to: minutesAgo(17.9) })).toEqual([]);

    const answer = await fhir<Bundle>(url, nurseA.token, 'POST', '/fhir', bundle);
    expect(answer.status).toBe(200);
    expect(answer.body.type).toBe('transaction-response');
    expect(answer.body.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created', '200 OK']);
    expectValid(answer.body);
    expect((await fhir<Bundle>(url, nurseA.token, 'POST', '/fhir', bundle)).body.entry?.map((e) => e.response?.status)).toEqual(['200 OK', '200 OK', '200 OK']);
    expect((await storage.audit.forPatient(patient.id)).some((a) => a.action === 'fhir.transaction')).toBe(true);
  });

  it('pages an Observation search with total and self/next links, filtered by code and date', async () => {
    const someone = await aPatientOn(wardA, 'Paging');
    const ingest = new IngestPipeline(storage, { maxClockSkewMs: 300_000 });
    const base = minutesAgo(600);
    await ingest.submit({
      source: 'manual',
      patientId: someone.id,
      deviceId: null,
      receivedAt: new Date(),
      deviceClockAt: null,
      readings: Array.from({ length: 7 }, (_, i) => ({ vital: i % 2 === 0 ? 'heart_rate' : 'body_weight', value: 70 + i, unit: i % 2 === 0 ? '/min' : 'kg', deviceTime: new Date(base.getTime() + i * 60_000) })),
    });
    const seen: string[] = [];
    let next: string | undefined = `/fhir/Observation?patient=${someone.id}&_count=3`;
    let pages = 0;
    while (next && pages < 10) {
      const page: FhirAnswer<Bundle> = await fhir<Bundle>(url, nurseA.token, 'GET', next);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 7 });
      expectValid(page.body);
      seen.push(...(page.body.entry ?? []).map((e) => e.resource?.id ?? ''));
      next = page.body.link?.find((l) => l.relation === 'next')?.url;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    const skipped = await fhir<Bundle>(url, nurseA.token, 'GET', `/fhir/Observation?patient=${someone.id}&_count=3&_offset=3`);
    expect(skipped.body.entry?.map((e) => e.resource?.id)).toEqual(seen.slice(3, 6));

    const weights = await fhir<Bundle>(url, nurseA.token, 'GET', `/fhir/Observation?patient=Patient/${someone.id}&code=http://loinc.org|29463-7&date=ge${new Date(base.getTime() + 60_000).toISOString()}&date=le${new Date(base.getTime() + 3 * 60_000).toISOString()}`);
    expect(weights.body.total).toBe(2);
    expect(weights.body.entry?.map((e) => (e.resource as Observation).valueQuantity?.value)).toEqual([71, 73]);

    const badSearch = await fhir<OperationOutcome>(url, nurseA.token, 'GET', `/fhir/Observation?patient=${someone.id}&code=1234-5&date=yesterday&_count=-1&colour=red`);
    expect(badSearch.status).toBe(400);
    expect(paths(badSearch.body).sort()).toEqual(['_count', 'date']);
    expect((await fhir<Bundle>(url, nurseA.token, 'GET', `/fhir/Observation?patient=${someone.id}&code=1234-5`)).body.total).toBe(0); // an unknown code matches nothing
    expect((await storage.audit.forPatient(someone.id)).filter((a) => a.action === 'fhir.observation.search').length).toBeGreaterThanOrEqual(5);
  });

  it('round-trips a simulated cohort: readings and alerts of several patients export as valid FHIR and re-import without duplicates', async () => {
    const ingest = new IngestPipeline(storage, { maxClockSkewMs: 300_000 });
    const cohort = await Promise.all([1, 2, 3].map((n) => aPatientOn(wardA, `Cohort${n}`)));
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const VITALS: Array<[VitalKey, string, number, number]> = [
      ['heart_rate', '/min', 55, 110],
      ['spo2', '%', 89, 99],
      ['respiration_rate', '/min', 12, 24],
      ['body_temperature', 'Cel', 36, 38.6],
      ['body_weight', 'kg', 60, 90],
      ['blood_glucose', 'mmol/L', 4, 11],
      // No news2_score: it is derived, and refused as input (reading.derived).
    ];
    for (const member of cohort) {
      const cuffId = (await storage.registry.registerDevice({ type: 'blood-pressure-monitor', serial: uniqueName('CUFF'), patientId: member.id })).id;
      const oximeter = (await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: uniqueName('OX'), patientId: member.id })).id;
      await storage.registry.registerDevice({ type: 'hub', serial: uniqueName('HUB'), patientId: member.id });
      for (let hour = 36; hour >= 1; hour -= 3) {
        const at = minutesAgo(hour * 60);
        // The cuff's clock runs 7 minutes slow: the coincident timestamp corrects it (keys keep the device time).
        await ingest.submit({
          source: 'mqtt',
          patientId: member.id,
          deviceId: cuffId,
          receivedAt: at,
          deviceClockAt: new Date(at.getTime() - 7 * 60_000),
          readings: [
            { vital: 'systolic_bp', value: Math.round(100 + random() * 60), unit: 'mm[Hg]', deviceTime: new Date(at.getTime() - 7 * 60_000 - 1_000) },
            { vital: 'diastolic_bp', value: Math.round(60 + random() * 30), unit: 'mm[Hg]', deviceTime: new Date(at.getTime() - 7 * 60_000 - 1_000) },
            { vital: 'mean_arterial_pressure', value: Math.round(75 + random() * 30), unit: 'mm[Hg]', deviceTime: new Date(at.getTime() - 7 * 60_000 - 1_000) },
            { vital: 'heart_rate', value: Math.round(55 + random() * 50), unit: '/min', deviceTime: new Date(at.getTime() - 7 * 60_000 - 1_000), status: random() < 0.3 ? ['irregular-pulse'] : [] },
          ],
        });
        await ingest.submit({ source: 'mqtt', patientId: member.id, deviceId: oximeter, receivedAt: at, deviceClockAt: null, readings: [{ vital: 'spo2', value: Math.round(89 + random() * 10), unit: '%', deviceTime: new Date(at.getTime() - 2_000), status: random() < 0.2 ? ['low-perfusion'] : [] }] });
        await ingest.submit({
          source: 'manual',
          patientId: member.id,
          deviceId: null,
          receivedAt: at,
          deviceClockAt: null,
          readings: VITALS.filter(([vital]) => vital !== 'heart_rate' && vital !== 'spo2').map(([vital, unit, min, max]) => ({ vital, value: Math.round((min + random() * (max - min)) * 10) / 10, unit, deviceTime: new Date(at.getTime() + 60_000) })),
        });
      }
      // A low SpO2 now, so the rules engine raises an alert to export as a Flag.
      await ingest.submit({ source: 'mqtt', patientId: member.id, deviceId: oximeter, receivedAt: new Date(), deviceClockAt: null, readings: [{ vital: 'spo2', value: 86, unit: '%', deviceTime: minutesAgo(1) }] });
    }
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await Promise.all(cohort.map((m) => storage.alerts.forPatient(m.id)))).some((alerts) => alerts.length === 0)) await new Promise((r) => setTimeout(r, 200));

    let resources = 0;
    let observationsExported = 0;
    for (const member of cohort) {
      const stored = await storage.readings.inRange(member.id, { from: new Date(0), to: new Date(Date.now() + 60_000) });
      expect(stored.length).toBe(12 * 9 + 1);
      // Everything about the patient: valid, with a Flag per alert.
      const everything = await fhir<Bundle>(url, nurseA.token, 'GET', `/fhir/Patient/${member.id}/$everything`);
      expect(everything.status).toBe(200);
      expectValid(everything.body);
      const kinds = (everything.body.entry ?? []).map((e) => e.resource?.resourceType);
      expect(kinds.filter((k) => k === 'Patient')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'Device')).toHaveLength(3);
      expect(kinds.filter((k) => k === 'Flag').length).toBeGreaterThanOrEqual(1);
      const news2 = (everything.body.entry ?? []).map((e) => e.resource as Observation).filter((o) => o.resourceType === 'Observation' && o.code.coding?.some((c) => c.code === '1104051000000101') && o.component);
      expect(news2.length).toBeGreaterThan(0); // NEWS2 as scored, with its parameter components
      const news2Entry = (everything.body.entry ?? []).find((e) => e.resource?.id === news2[0]?.id);
      expect((await fhir(url, nurseA.token, 'GET', news2Entry?.fullUrl as string)).body).toEqual(news2[0]); // its fullUrl resolves
      for (const entry of everything.body.entry ?? []) {
        if (!entry.resource) continue;
        expectValid(entry.resource);
        resources += 1;
        // Validation is synchronous and long: let timers run, so fetch retires idle keep-alive
        // sockets before the server (same process) closes them under it (ECONNRESET).
        if (resources % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const flag = (everything.body.entry ?? []).find((e) => e.resource?.resourceType === 'Flag')?.resource;
      expect(flag).toMatchObject({ status: 'active', subject: { reference: `Patient/${member.id}` } });

      // Page through the search, then send every Observation back as transactions.
      const exported: Observation[] = [];
      let next: string | undefined = `/fhir/Observation?patient=${member.id}&_count=40`;
      for (let guard = 0; next && guard < 20; guard++) {
        const page: FhirAnswer<Bundle> = await fhir<Bundle>(url, nurseA.token, 'GET', next);
        exported.push(...(page.body.entry ?? []).map((e) => e.resource as Observation));
        next = page.body.link?.find((l) => l.relation === 'next')?.url;
      }
      for (const [i, observation] of exported.entries()) {
        expectValid(observation);
        if (i % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      observationsExported += exported.length;
      // 12 cuff measurements → 12 panels and 12 pulses; 13 SpO2; 12 × 4 typed in.
      expect(exported).toHaveLength(12 + 12 + 13 + 48);
      expect(exported.flatMap((o) => o.identifier ?? []).length).toBe(stored.length);
      const gateways = exported.filter((o) => o.extension?.some((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice'));
      expect(gateways).toHaveLength(12 + 12 + 13); // every reading that came over MQTT from a Bluetooth device names the hub
      for (let i = 0; i < exported.length; i += 50) {
        const answer = await fhir<Bundle>(url, nurseA.token, 'POST', '/fhir', {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: exported.slice(i, i + 50).map((resource) => ({ resource, request: { method: 'POST', url: 'Observation' } })),
        });
        expect([answer.status, answer.status === 200 ? '' : JSON.stringify(answer.body).slice(0, 600)]).toEqual([200, '']);
        expect(new Set(answer.body.entry?.map((e) => e.response?.status))).toEqual(new Set(['200 OK']));
      }
      const after = await storage.readings.inRange(member.id, { from: new Date(0), to: new Date(Date.now() + 60_000) });
      expect(after.map((r) => r.id).sort()).toEqual(stored.map((r) => r.id).sort());
    }
    process.stdout.write(`fhir cohort round trip: ${cohort.length} patients, ${observationsExported} Observations exported and re-imported as duplicates, ${resources} $everything resources valid\n`);
  }, 120_000);
});
