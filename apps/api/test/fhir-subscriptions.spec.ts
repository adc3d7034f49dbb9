import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { Bundle, CapabilityStatement, Observation, OperationOutcome, Resource, Subscription } from '@medplum/fhirtypes';
import type { Patient } from '@homeward/domain';
import { IngestPipeline } from '@homeward/ingest';
import { SUBSCRIPTION_CONSUMER } from '../src/app/fhir/fhir-subscription.deliverer';
import type { ReadingCursor, Storage } from '@homeward/storage';
import { type FhirValidator, type RealDatabase, aValidNhsNumber, describeIssues, fhirValidator, realDatabase, uniqueName } from '@homeward/testing';
import { FhirSubscriptionDeliverer, createApiApp, listenApi } from '../src';
import { type Account, account } from './api-app.fixture';
import { MINUTE, ManualClock } from './rules-engine.fixture';

const FHIR = 'application/fhir+json';
/** Backoff 60 s doubling, capped at 4 min, jitter pinned at the middle: 45 s, then 90 s, … */
/** One reading per page of the readings stream: every BP pair is split across pages. */
const PAGE_SIZE = 1;
const RETRY = { maxAttempts: 4, baseDelayMs: MINUTE, maxDelayMs: 4 * MINUTE };

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly answered: number;
}

/** The EPR's rest-hook receiver, on 127.0.0.1: records every request; answers from a script (then 200). */
async function startReceiver(): Promise<{ url: string; received: Received[]; answers: number[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answered = answers.shift() ?? 200;
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.statusCode = answered;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/epr/hook`, received, answers, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

async function fhir<T = Resource>(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; location: string | null; body: T }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { accept: FHIR, authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': FHIR }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, location: response.headers.get('location'), body: (text ? JSON.parse(text) : undefined) as T };
}

// R4 rest-hook Subscriptions against a real HTTP receiver: delivery, payload or id only, the
// receiver's outage (retried on the clock's schedule, status error then active again), ward
// isolation, audit. Time is a ManualClock: the test moves it and runs the deliverer's passes.
describe('FHIR rest-hook Subscriptions', () => {
  let db: RealDatabase;
  let app: INestApplication;
  let url: string;
  let storage: Storage;
  let clock: ManualClock;
  let deliverer: FhirSubscriptionDeliverer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let wardA: string;
  let nurseA: Account;
  let nurseB: Account;
  let patient: Patient;
  let otherWardPatient: Patient;
  let validator: FhirValidator;
  let history: string[];
  /** Readings the deliverer has read from the stream (storage.readings.afterCursor, counted). */
  let readingsRead: number;

  /** `count` readings of a patient straight through the ingest pipeline, received over the past `minutes`; their ids. */
  async function storeReadings(who: Patient, minutes: number, count: number): Promise<string[]> {
    const ingest = new IngestPipeline(storage, { maxClockSkewMs: 300_000 });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const at = new Date(clock.now().getTime() - minutes * MINUTE + (i * minutes * MINUTE) / count);
      const { stored } = await ingest.submit({ source: 'manual', patientId: who.id, deviceId: null, receivedAt: at, deviceClockAt: null, readings: [{ vital: 'heart_rate', value: 60 + (i % 30), unit: '/min', deviceTime: at }] });
      ids.push(...stored.map((r) => r.id));
    }
    return ids;
  }

  const cursor = (): Promise<ReadingCursor> => storage.alerts.readCursor(SUBSCRIPTION_CONSUMER);

  async function aPatientOn(ward: string): Promise<Patient> {
    const p = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName('Lovelace'), dateOfBirth: '1948-02-29' });
    await storage.registry.admit({ patientId: p.id, wardId: ward, pathway: 'general' });
    return p;
  }

  const spo2 = (value: number, minutesAgo: number, who = patient): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '59408-5' }] },
    subject: { reference: `Patient/${who.id}` },
    effectiveDateTime: new Date(clock.now().getTime() - minutesAgo * MINUTE).toISOString(),
    valueQuantity: { value, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
  });

  const subscription = (criteria: string, channel: Record<string, unknown>) => ({ resourceType: 'Subscription', status: 'requested', reason: 'EPR feed', criteria, channel: { type: 'rest-hook', endpoint: receiver.url, ...channel } });

  /**
   * Passes until `probe` holds: a reading is queued once its transaction is older than every one in
   * flight, on the whole server (another database's open transaction on a shared server holds it
   * back a moment), so the passes go on for a bounded while.
   */
  async function passesUntil(probe: () => boolean): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!probe() && Date.now() < deadline) {
      await deliverer.runDue();
      if (!probe()) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(probe()).toBe(true);
  }

  beforeAll(async () => {
    [db, validator] = await Promise.all([realDatabase(), fhirValidator()]);
    storage = db.storage;
    clock = new ManualClock(new Date());
    // No rules engine: the only reader of the readings stream is the deliverer, whose reads are counted.
    app = await createApiApp({ storage, logLevel: 'error', rulesEngine: { enabled: false }, fhir: { clock, subscriptions: { enabled: false, allowHttp: true, retry: RETRY, random: () => 0.5, requestTimeoutMs: 5_000, pageSize: PAGE_SIZE } } });
    url = await listenApi(app, '127.0.0.1', 0);
    deliverer = app.get(FhirSubscriptionDeliverer);
    receiver = await startReceiver();
    wardA = (await storage.registry.createWard(uniqueName('Ward A'))).id;
    const wardB = (await storage.registry.createWard(uniqueName('Ward B'))).id;
    nurseA = await account(url, storage, 'nurse', { wardIds: [wardA] });
    nurseB = await account(url, storage, 'nurse', { wardIds: [wardB] });
    patient = await aPatientOn(wardA);
    otherWardPatient = await aPatientOn(wardB);
    // An existing install: readings stored before the deliverer's first pass (a week of history).
    history = await storeReadings(patient, 7 * 24 * 60, 60);
    readingsRead = 0;
    const afterCursor = storage.readings.afterCursor.bind(storage.readings);
    jest.spyOn(storage.readings, 'afterCursor').mockImplementation(async (...args) => {
      const page = await afterCursor(...args);
      readingsRead += page.readings.length;
      return page;
    });
  }, 90_000);
  afterAll(async () => {
    await receiver?.close();
    await app?.close();
    await db?.dispose();
  });

  it('advertises Subscription in the CapabilityStatement', async () => {
    const metadata = (await (await fetch(`${url}/fhir/metadata`)).json()) as CapabilityStatement;
    const resource = metadata.rest?.[0]?.resource?.find((r) => r.type === 'Subscription');
    expect(resource?.interaction?.map((i) => i.code)).toEqual(['create', 'read', 'search-type', 'delete']);
  });

  it('starts at the end of the readings stream on a database with history, and never reads it', async () => {
    const created = await fhir<Subscription>(url, nurseA.token, 'POST', '/fhir/Subscription', subscription(`Observation?patient=${patient.id}`, { payload: FHIR }));
    expect(created.status).toBe(201);
    await deliverer.runDue();
    // Not one of the 60 stored readings was read, and the cursor stands past them all.
    expect(readingsRead).toBe(0);
    const start = await cursor();
    const historyTx = await storage.db.query<{ txid: string }>(`SELECT max(txid)::text AS txid FROM readings WHERE id = ANY ($1::bigint[])`, [history]);
    expect(BigInt(start.txid)).toBeGreaterThan(BigInt(historyTx.rows[0]?.txid ?? '0'));
    // What arrives now is read and sent, and only that.
    const fresh = await fhir<Observation>(url, nurseA.token, 'POST', '/fhir/Observation', spo2(95, 2));
    await passesUntil(() => receiver.received.some((r) => r.path === `/epr/hook/Observation/${fresh.body.id}`));
    expect(readingsRead).toBe(1);
    expect((await storage.fhirSubscriptions.deliveriesOf(created.body.id as string)).map((d) => d.resourceId)).toEqual([fresh.body.id]);
    await fhir(url, nurseA.token, 'DELETE', `/fhir/Subscription/${created.body.id}`);
  });

  it('queues a blood-pressure panel once, whole, although its readings fall on two pages of the stream', async () => {
    const created = await fhir<Subscription>(url, nurseA.token, 'POST', '/fhir/Subscription', subscription(`Observation?patient=${patient.id}`, { payload: FHIR }));
    await deliverer.runDue();
    const panel = await fhir<Observation>(url, nurseA.token, 'POST', '/fhir/Observation', {
      ...spo2(0, 1),
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      valueQuantity: undefined,
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 128, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 79, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      ],
    });
    expect([panel.status, panel.body.id]).toEqual([201, expect.stringMatching(/^bp-\d+-\d+$/)]);
    const before = readingsRead;
    await passesUntil(() => receiver.received.some((r) => r.path === `/epr/hook/Observation/${panel.body.id}`));
    expect(readingsRead - before).toBe(2); // read as two pages of one reading each
    expect((await storage.fhirSubscriptions.deliveriesOf(created.body.id as string)).map((d) => [d.resourceId, d.status])).toEqual([[panel.body.id, 'delivered']]);
    const pushed = receiver.received.filter((r) => r.path.startsWith('/epr/hook/Observation/bp-'));
    expect(pushed).toHaveLength(1);
    const sent = JSON.parse(pushed[0]?.body ?? '{}') as Observation;
    expect(sent.component?.map((c) => c.valueQuantity?.value)).toEqual([128, 79]);
    expect(describeIssues(validator.errors(sent))).toBe(describeIssues([]));
    await fhir(url, nurseA.token, 'DELETE', `/fhir/Subscription/${created.body.id}`);
  });

  it('refuses what it cannot honour with an OperationOutcome, and another ward with 404', async () => {
    const cases: Array<[unknown, number, string]> = [
      [subscription(`Observation?code=59408-5`, {}), 422, 'fhir.subscription-criteria'],
      [subscription(`Encounter?patient=${patient.id}`, {}), 422, 'fhir.subscription-criteria'],
      [{ ...subscription(`Observation?patient=${patient.id}`, {}), channel: { type: 'email', endpoint: 'mailto:a@b' } }, 422, 'fhir.channel-type'],
      [subscription(`Observation?patient=${patient.id}`, { payload: 'application/xml' }), 422, 'fhir.channel-payload'],
      [subscription(`Observation?patient=${patient.id}`, { header: ['no colon'] }), 422, 'fhir.channel-header'],
      [{ resourceType: 'Patient' }, 400, 'fhir.not-a-subscription'],
      [subscription(`Observation?patient=${otherWardPatient.id}`, {}), 404, 'patient.not-on-a-ward'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await fhir<OperationOutcome>(url, nurseA.token, 'POST', '/fhir/Subscription', body);
      expect([status, code, answer.status, answer.body.issue.map((i) => i.details?.coding?.[0]?.code)]).toEqual([status, code, status, expect.arrayContaining([code])]);
    }
  });

  it('pushes each new Observation once as PUT <endpoint>/Observation/<id>, through an outage of the receiver', async () => {
    const created = await fhir<Subscription>(url, nurseA.token, 'POST', '/fhir/Subscription', subscription(`Observation?patient=${patient.id}`, { payload: FHIR, header: ['Authorization: Bearer epr-secret'] }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ resourceType: 'Subscription', status: 'requested', criteria: `Observation?patient=${patient.id}`, channel: { header: ['Authorization: ***'] } });
    expect(created.location).toBe(`${url}/fhir/Subscription/${created.body.id}`);
    expect(describeIssues(validator.errors(created.body))).toBe(describeIssues([]));
    const id = created.body.id as string;
    await deliverer.runDue();
    expect((await fhir<Subscription>(url, nurseA.token, 'GET', `/fhir/Subscription/${id}`)).body.status).toBe('active');

    // Delivered at once.
    const first = await fhir<Observation>(url, nurseA.token, 'POST', '/fhir/Observation', spo2(96, 5));
    expect(first.status).toBe(201);
    await passesUntil(() => receiver.received.some((r) => r.path === `/epr/hook/Observation/${first.body.id}`));
    const pushed = receiver.received.find((r) => r.path === `/epr/hook/Observation/${first.body.id}`)!;
    expect([pushed.method, pushed.headers['authorization'], pushed.headers['content-type']]).toEqual(['PUT', 'Bearer epr-secret', `${FHIR}; charset=utf-8`]);
    expect(JSON.parse(pushed.body)).toMatchObject({ resourceType: 'Observation', id: first.body.id, valueQuantity: { value: 96 }, subject: { reference: `Patient/${patient.id}` } });

    // The receiver is down (503): error kept on the Subscription, retried on the schedule, then active again.
    receiver.answers.push(503, 503);
    const second = await fhir<Observation>(url, nurseA.token, 'POST', '/fhir/Observation', spo2(93, 4));
    const path = `/epr/hook/Observation/${second.body.id}`;
    const hits = () => receiver.received.filter((r) => r.path === path);
    await passesUntil(() => hits().length === 1);
    expect(hits()[0]?.answered).toBe(503);
    const failing = (await fhir<Subscription>(url, nurseA.token, 'GET', `/fhir/Subscription/${id}`)).body;
    expect([failing.status, failing.error]).toEqual(['error', 'the endpoint answered 503']);
    // Not due before its backoff (45 s): no attempt.
    clock.advance(30_000);
    expect((await deliverer.runDue()).attempted).toBe(0);
    clock.advance(15_000);
    expect(await deliverer.runDue()).toMatchObject({ attempted: 1, retrying: 1 });
    expect(hits().map((h) => h.answered)).toEqual([503, 503]);
    // The next step is 90 s.
    clock.advance(89_000);
    expect((await deliverer.runDue()).attempted).toBe(0);
    clock.advance(1_000);
    expect(await deliverer.runDue()).toMatchObject({ attempted: 1, delivered: 1 });
    expect(hits().map((h) => h.answered)).toEqual([503, 503, 200]);
    const recovered = (await fhir<Subscription>(url, nurseA.token, 'GET', `/fhir/Subscription/${id}`)).body;
    expect([recovered.status, recovered.error]).toEqual(['active', undefined]);
    expect((await storage.fhirSubscriptions.deliveriesOf(id)).find((d) => d.resourceId === second.body.id)).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    // Nothing more to send: each Observation went out once.
    clock.advance(10 * MINUTE);
    expect((await deliverer.runDue()).attempted).toBe(0);
    expect(receiver.received.filter((r) => r.answered === 200 && r.path.includes(first.body.id as string))).toHaveLength(1);

    // Audited, as the patient's.
    expect((await storage.audit.forPatient(patient.id)).some((a) => a.action === 'fhir.subscription.create' && a.actorId === nurseA.id)).toBe(true);
    // Ended: its readings stop (the next test's subscription is the only one on this patient).
    expect((await fhir<Subscription>(url, nurseA.token, 'DELETE', `/fhir/Subscription/${id}`)).body.status).toBe('off');
  });

  it('gives up after the last attempt and keeps the error on the Subscription', async () => {
    const created = await fhir<Subscription>(url, nurseA.token, 'POST', '/fhir/Subscription', subscription(`Observation?patient=${patient.id}`, { payload: FHIR }));
    await deliverer.runDue();
    receiver.answers.push(500, 500, 500, 500);
    const reading = await fhir<Observation>(url, nurseA.token, 'POST', '/fhir/Observation', spo2(94, 3));
    const hits = () => receiver.received.filter((r) => r.path === `/epr/hook/Observation/${reading.body.id}` && r.answered === 500);
    await passesUntil(() => hits().length >= 1);
    for (let i = 0; i < 4; i++) {
      clock.advance(4 * MINUTE);
      await deliverer.runDue();
    }
    const deliveries = await storage.fhirSubscriptions.deliveriesOf(created.body.id as string);
    expect(deliveries.find((d) => d.resourceId === reading.body.id)).toMatchObject({ status: 'failed', attempts: 4, lastStatusCode: 500 });
    const failed = (await fhir<Subscription>(url, nurseA.token, 'GET', `/fhir/Subscription/${created.body.id}`)).body;
    expect([failed.status, failed.error]).toEqual(['error', 'the endpoint answered 500; gave up after 4 attempts']);
    await fhir(url, nurseA.token, 'DELETE', `/fhir/Subscription/${created.body.id}`);
  });

  it("sends a ward's new alerts as Flags, id only (POST <endpoint>, no body), and nothing after DELETE", async () => {
    const created = await fhir<Subscription>(url, nurseA.token, 'POST', '/fhir/Subscription', subscription(`Flag?ward=${wardA}`, {}));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const raise = (subject: string) =>
      storage.alerts.raise({
        patientId: patient.id,
        wardId: wardA,
        rule: 'spo2',
        subject,
        severity: 'medium',
        explanation: 'SpO2 low',
        details: {},
        latestValue: 91,
        measuredAt: clock.now(),
        readingIds: [],
        evidenceReceivedAt: clock.now(),
        at: clock.now(),
        escalationDueAt: null,
        nextReminderAt: null,
        by: { type: 'system', id: 'test' },
      });
    const raised = await raise('spo2:at-or-below');
    if (raised.kind !== 'raised') throw new Error(raised.kind);
    await deliverer.runDue();
    const pushed = receiver.received.filter((r) => r.headers['x-subscription-resource'] === `Flag/${raised.alert.id}`);
    expect(pushed.map((r) => [r.method, r.path, r.body])).toEqual([['POST', '/epr/hook', '']]);

    // Ward isolation: another ward's nurse sees no such subscription.
    expect((await fhir<OperationOutcome>(url, nurseB.token, 'GET', `/fhir/Subscription/${id}`)).status).toBe(404);
    expect((await fhir<OperationOutcome>(url, nurseB.token, 'DELETE', `/fhir/Subscription/${id}`)).status).toBe(404);
    expect((await fhir<Bundle>(url, nurseB.token, 'GET', '/fhir/Subscription')).body.entry ?? []).toEqual([]);
    expect((await fhir<Bundle>(url, nurseA.token, 'GET', '/fhir/Subscription')).body.entry?.map((e) => e.resource?.id)).toContain(id);

    const ended = await fhir<Subscription>(url, nurseA.token, 'DELETE', `/fhir/Subscription/${id}`);
    expect([ended.status, ended.body.status]).toEqual([200, 'off']);
    clock.advance(MINUTE);
    const later = await raise('spo2:trend');
    if (later.kind !== 'raised') throw new Error(later.kind);
    await deliverer.runDue();
    expect(receiver.received.some((r) => r.headers['x-subscription-resource'] === `Flag/${later.alert.id}`)).toBe(false);
  });

  it('while no Observation subscription is live, moves its cursor past new readings without reading them', async () => {
    // Every Observation subscription of the tests above has ended (the Flag one does not need readings).
    const before = readingsRead;
    const passed = await storeReadings(otherWardPatient, 30, 5);
    await deliverer.runDue();
    expect(readingsRead - before).toBe(0);
    const now = await cursor();
    const newest = await storage.db.query<{ txid: string }>(`SELECT max(txid)::text AS txid FROM readings WHERE id = ANY ($1::bigint[])`, [passed]);
    expect(BigInt(now.txid)).toBeGreaterThan(BigInt(newest.rows[0]?.txid ?? '0'));
  });

  it('while no Observation subscription is live, reads none of the readings committed during its pass either', async () => {
    // Under load readings are committed all the time: here, right after the pass moved its cursors
    // to the end. A pass that then drained from the end read every reading as it arrived.
    const before = readingsRead;
    const skip = storage.fhirSubscriptions.skipStreamWhileUnwatched.bind(storage.fhirSubscriptions);
    let during: string[] = [];
    const spy = jest.spyOn(storage.fhirSubscriptions, 'skipStreamWhileUnwatched').mockImplementation(async (...args) => {
      const watched = await skip(...args);
      during = await storeReadings(otherWardPatient, 10, 3);
      return watched;
    });
    try {
      await deliverer.runDue();
    } finally {
      spy.mockRestore();
    }
    expect(during).toHaveLength(3);
    expect(readingsRead - before).toBe(0);
    // The next pass moves past them, still without reading them.
    await deliverer.runDue();
    expect(readingsRead - before).toBe(0);
    const newest = await storage.db.query<{ txid: string }>(`SELECT max(txid)::text AS txid FROM readings WHERE id = ANY ($1::bigint[])`, [during]);
    expect(BigInt((await cursor()).txid)).toBeGreaterThan(BigInt(newest.rows[0]?.txid ?? '0'));
  });
});
