import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import type { EscalationContactView, EscalationDeliveryView, EscalationStreamNotice, EscalationWebhookBody, SystemAlertView } from '@homeward/contracts';
import type { Alert, Patient } from '@homeward/domain';
import { createLogger } from '@homeward/observability';
import type { EscalationDelivery, Storage } from '@homeward/storage';
import { type RealDatabase, aValidNhsNumber, realDatabase, uniqueName } from '@homeward/testing';
import { type Clock, NotificationDelivererService, RulesEngineService, type NotificationOptions, createApiApp, listenApi, sha256Hex, verifyWebhookSignature } from '../src';
import { type Account, account, openStream, raiseThresholdAlert, request } from './api-app.fixture';

const MINUTE = 60_000;
const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
/** Backoff steps of 60 s doubling, jitter pinned at the middle: 45 s, then 90 s. */
const RETRY = { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 10 * MINUTE };

/** Real time moved on by the test: escalations made "now" by a person and by the engine's timer share one timeline. */
class MovableClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Moves to `at` (never backwards). */
  moveTo(at: Date): void {
    this.offsetMs += Math.max(0, at.getTime() - this.now().getTime());
  }
}

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
}

/** A webhook receiver on 127.0.0.1: records each request's raw body and headers, answers from a script (then 200). */
async function startReceiver(): Promise<{ url: string; received: Received[]; answers: number[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/homeward?token=t0k3n-in-query`,
    received,
    answers,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls real I/O for a bounded time. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every log line of the apps started here (debug level and up), to show no secret reaches a log. */
const logLines: string[] = [];
const logger = createLogger({
  level: 'debug',
  format: 'json',
  destination: new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
});

async function startApp(storage: Storage, clock: Clock, notifications: Partial<NotificationOptions> = {}): Promise<{ app: INestApplication; url: string; deliverer: NotificationDelivererService; engine: RulesEngineService }> {
  const app = await createApiApp({
    storage,
    logger,
    // The engine's timers are run by hand here; its reading loop is not needed.
    rulesEngine: { enabled: false, clock },
    // Polling is left out (an hour): each pass below is either woken by a queued delivery or run by the test.
    notifications: { clock, retry: RETRY, random: () => 0.5, pollIntervalMs: 3_600_000, requestTimeoutMs: 5_000, ...notifications },
  });
  const url = await listenApi(app, '127.0.0.1', 0);
  return { app, url, deliverer: app.get(NotificationDelivererService), engine: app.get(RulesEngineService) };
}

// Escalation reaches the ward's contacts: real PostgreSQL, the api over HTTP, and a real HTTP
// receiver per test on a free port; time is moved on the injected clock, never waited for.
describe('escalation notifications', () => {
  let db: RealDatabase;
  let storage: Storage;
  const clock = new MovableClock();
  let api: Awaited<ReturnType<typeof startApp>>;
  let admin: Account;
  const receivers: Array<Awaited<ReturnType<typeof startReceiver>>> = [];

  beforeAll(async () => {
    db = await realDatabase();
    storage = db.storage;
    api = await startApp(storage, clock);
    admin = await account(api.url, storage, 'admin');
  }, 60_000);
  afterAll(async () => {
    for (const receiver of receivers) await receiver.close();
    await api?.app.close();
    await db?.dispose();
  });

  async function receiver(): Promise<Awaited<ReturnType<typeof startReceiver>>> {
    const started = await startReceiver();
    receivers.push(started);
    return started;
  }

  /** A ward with a nurse and an admitted patient with an open high alert that escalates in 15 minutes. */
  async function wardWithAlert(): Promise<{ wardId: string; wardName: string; nurse: Account; patient: Patient; alert: Alert }> {
    const wardName = uniqueName('Ward');
    const wardId = (await storage.registry.createWard(wardName)).id;
    const nurse = await account(api.url, storage, 'nurse', { wardIds: [wardId] });
    const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName('Lovelace'), dateOfBirth: '1948-02-29' });
    await storage.registry.admit({ patientId: patient.id, wardId, pathway: 'general' });
    const now = clock.now();
    const alert = await raiseThresholdAlert(storage, {
      patientId: patient.id,
      wardId,
      at: now,
      subject: 'spo2:at-or-below',
      explanation: 'SpO2 88 % is at or below the limit of 91 %.',
      latestValue: 88,
      escalationDueAt: new Date(now.getTime() + 15 * MINUTE),
    });
    return { wardId, wardName, nurse, patient, alert };
  }

  /** Another patient with an open high alert on an existing ward. */
  async function wardWithAlertOn(wardId: string): Promise<{ alert: Alert }> {
    const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Alan', familyName: uniqueName('Turing'), dateOfBirth: '1912-06-23' });
    await storage.registry.admit({ patientId: patient.id, wardId, pathway: 'general' });
    const alert = await raiseThresholdAlert(storage, { patientId: patient.id, wardId, at: clock.now(), subject: 'heart_rate:at-or-above', explanation: 'Pulse 135 /min is at or above the limit of 130 /min.', latestValue: 135 });
    return { alert };
  }

  async function addWebhook(wardId: string, url: string, name = 'Dr On Call'): Promise<EscalationContactView> {
    const added = await request<EscalationContactView>(api.url, admin.token, 'POST', `/api/wards/${wardId}/escalation-contacts`, { name, role: 'on-call registrar', channel: 'webhook', url, secret: SECRET });
    expect(added.status).toBe(201);
    return added.body;
  }

  async function onlyDelivery(alertId: string): Promise<EscalationDelivery> {
    const deliveries = await storage.notifications.forAlert(alertId);
    expect(deliveries).toHaveLength(1);
    return deliveries[0] as EscalationDelivery;
  }

  it('escalated by hand: the contact receives a signed POST with no patient identity, and the alert shows it delivered', async () => {
    const hook = await receiver();
    const { wardId, wardName, nurse, patient, alert } = await wardWithAlert();
    await addWebhook(wardId, hook.url);

    const started = Date.now();
    const escalated = await request<Alert>(api.url, nurse.token, 'POST', `/api/alerts/${alert.id}/escalate`, { reason: `Mrs ${patient.familyName} sounds breathless on the phone` });
    expect(escalated.status).toBe(200);
    // Woken by the escalation's commit, not by a poll (polling is an hour here).
    const post = await eventually('the webhook POST', () => hook.received[0]);
    process.stdout.write(`escalation webhook received ${Date.now() - started} ms after the escalate request was sent\n`);

    expect(verifyWebhookSignature(post.raw, SECRET, post.headers['x-homeward-signature'] as string)).toBe(true);
    expect(verifyWebhookSignature(post.raw, 'another-secret-of-enough-length-000000', post.headers['x-homeward-signature'] as string)).toBe(false);
    expect(post.headers['content-type']).toBe('application/json');
    const body = JSON.parse(post.raw) as EscalationWebhookBody;
    expect(body).toMatchObject({
      type: 'alert.escalated',
      escalatedBy: 'person',
      alert: { id: alert.id, severity: 'high', rule: 'threshold', explanation: 'SpO2 88 % is at or below the limit of 91 %.' },
      ward: { id: wardId, name: wardName },
      contact: { name: 'Dr On Call', role: 'on-call registrar' },
      link: `/alerts/${alert.id}`,
    });
    expect(post.headers['x-homeward-delivery']).toBe(body.deliveryId);
    expect(Math.abs(Number(post.headers['x-homeward-timestamp']) * 1000 - clock.now().getTime())).toBeLessThan(10_000);
    // A ward contact gets what it needs to act, not who the patient is (nor the free-text reason, which named her).
    for (const identity of [patient.nhsNumber, patient.givenName, patient.familyName, patient.dateOfBirth, patient.id, 'breathless']) expect(post.raw).not.toContain(identity);

    const delivery = await eventually('the delivery recorded', async () => {
      const found = await onlyDelivery(alert.id);
      return found.status === 'delivered' ? found : undefined;
    });
    expect(delivery).toMatchObject({ attempts: 1, lastStatusCode: 200, lastError: null, payloadHash: sha256Hex(post.raw), contactName: 'Dr On Call' });

    const detail = await request<{ deliveries: EscalationDeliveryView[] }>(api.url, nurse.token, 'GET', `/api/alerts/${alert.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.deliveries).toEqual([
      expect.objectContaining({ id: delivery.id, contactName: 'Dr On Call', contactRole: 'on-call registrar', channel: 'webhook', status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null }),
    ]);
    expect(detail.body.deliveries[0]?.deliveredAt).toEqual(expect.any(String));
    expect(JSON.stringify(detail.body)).not.toContain(SECRET);
    expect(JSON.stringify(detail.body)).not.toContain('t0k3n-in-query');
  });

  it('escalated by the timer (the clock moved past 15 minutes): the contact is told, as escalated by the timer', async () => {
    const hook = await receiver();
    const { wardId, alert } = await wardWithAlert();
    await addWebhook(wardId, hook.url);

    clock.advance(14 * MINUTE);
    await api.engine.runTimers();
    expect((await storage.alerts.get(alert.id))?.state).toBe('open');
    expect(await storage.notifications.forAlert(alert.id)).toEqual([]);

    clock.advance(2 * MINUTE);
    await api.engine.runTimers();
    expect((await storage.alerts.get(alert.id))?.state).toBe('escalated');
    const post = await eventually('the webhook POST', () => hook.received[0]);
    const body = JSON.parse(post.raw) as EscalationWebhookBody;
    expect(body).toMatchObject({ escalatedBy: 'timer', alert: { id: alert.id } });
    expect(verifyWebhookSignature(post.raw, SECRET, post.headers['x-homeward-signature'] as string)).toBe(true);
    // The escalation's time is the engine's clock, 16 minutes on.
    expect(new Date(body.escalatedAt).getTime()).toBeGreaterThan(Date.now() + 15 * MINUTE);
    await eventually('the delivery recorded', async () => ((await onlyDelivery(alert.id)).status === 'delivered' ? true : undefined));
  });

  it('retries a receiver that answers 500 twice, on the backoff decided from the moved clock, and records three attempts', async () => {
    const hook = await receiver();
    hook.answers.push(500, 500);
    const { wardId, nurse, alert } = await wardWithAlert();
    await addWebhook(wardId, hook.url);

    expect((await request(api.url, nurse.token, 'POST', `/api/alerts/${alert.id}/escalate`, { reason: 'no answer at home' })).status).toBe(200);
    const first = await eventually('the first attempt recorded', async () => {
      const found = await onlyDelivery(alert.id);
      return found.attempts === 1 ? found : undefined;
    });
    expect(first).toMatchObject({ status: 'pending', lastStatusCode: 500, lastError: 'HTTP 500 Internal Server Error' });
    // 60 s step, jitter at the middle of its upper half: 45 s after the attempt.
    expect(first.nextAttemptAt?.getTime()).toBe((first.lastAttemptAt as Date).getTime() + 45_000);

    // Not yet due: nothing is sent.
    clock.moveTo(new Date((first.nextAttemptAt as Date).getTime() - 1_000));
    expect(await api.deliverer.runDue()).toEqual({ attempted: 0, delivered: 0, retrying: 0, failed: 0 });
    expect(hook.received).toHaveLength(1);

    clock.moveTo(first.nextAttemptAt as Date);
    expect(await api.deliverer.runDue()).toEqual({ attempted: 1, delivered: 0, retrying: 1, failed: 0 });
    const second = await onlyDelivery(alert.id);
    expect(second).toMatchObject({ status: 'pending', attempts: 2, lastStatusCode: 500 });
    // The step doubled: 120 s, so 90 s.
    expect(second.nextAttemptAt?.getTime()).toBe((second.lastAttemptAt as Date).getTime() + 90_000);

    clock.moveTo(second.nextAttemptAt as Date);
    expect(await api.deliverer.runDue()).toEqual({ attempted: 1, delivered: 1, retrying: 0, failed: 0 });
    const third = await onlyDelivery(alert.id);
    expect(third).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });

    const attempts = await storage.notifications.attempts(third.id);
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'delivered'],
    ]);
    expect((attempts[1]?.at.getTime() ?? 0) - (attempts[0]?.at.getTime() ?? 0)).toBeGreaterThanOrEqual(45_000);
    expect((attempts[2]?.at.getTime() ?? 0) - (attempts[1]?.at.getTime() ?? 0)).toBeGreaterThanOrEqual(90_000);
    // The same body each time, under one delivery id: the receiver can drop repeats.
    expect(new Set(hook.received.map((r) => r.raw)).size).toBe(1);
    expect(new Set(hook.received.map((r) => r.headers['x-homeward-delivery'])).size).toBe(1);
    expect(hook.received.every((r) => verifyWebhookSignature(r.raw, SECRET, r.headers['x-homeward-signature'] as string))).toBe(true);
  });

  it('gives up on a receiver that is down after the last attempt, and records why', async () => {
    const port = await deadPort();
    const { wardId, nurse, alert } = await wardWithAlert();
    await addWebhook(wardId, `http://127.0.0.1:${port}/hooks`);

    expect((await request(api.url, nurse.token, 'POST', `/api/alerts/${alert.id}/escalate`, { reason: 'no answer at home' })).status).toBe(200);
    let delivery = await eventually('the first attempt recorded', async () => {
      const found = await onlyDelivery(alert.id);
      return found.attempts === 1 ? found : undefined;
    });
    expect(delivery).toMatchObject({ status: 'pending', lastStatusCode: null, lastError: 'network error: ECONNREFUSED' });
    for (const attempt of [2, 3]) {
      clock.moveTo(delivery.nextAttemptAt as Date);
      await api.deliverer.runDue();
      delivery = await onlyDelivery(alert.id);
      expect(delivery.attempts).toBe(attempt);
    }
    expect(delivery).toMatchObject({ status: 'failed', nextAttemptAt: null, deliveredAt: null, lastError: 'network error: ECONNREFUSED; gave up after 3 attempts' });
    expect((await storage.notifications.attempts(delivery.id)).map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed']);

    clock.advance(24 * 60 * MINUTE);
    expect((await api.deliverer.runDue()).attempted).toBe(0);
    const detail = await request<{ deliveries: EscalationDeliveryView[] }>(api.url, nurse.token, 'GET', `/api/alerts/${alert.id}`);
    expect(detail.body.deliveries).toEqual([expect.objectContaining({ status: 'failed', attempts: 3, lastError: 'network error: ECONNREFUSED; gave up after 3 attempts' })]);
    // An escalation that reached nobody is visible to monitoring too.
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/^homeward_escalation_delivery_attempts_total\{channel="webhook",outcome="failed"\} [1-9]/m);
    expect(metrics).toMatch(/^homeward_escalation_delivery_attempts_total\{channel="webhook",outcome="retry"\} [1-9]/m);
    // And to staff: a system alert for that contact, on GET /api/system-alerts.
    const system = await request<SystemAlertView[]>(api.url, nurse.token, 'GET', '/api/system-alerts');
    expect(system.body.filter((a) => a.details['alertId'] === alert.id).map((a) => [a.kind, a.state, a.details['attempts']])).toEqual([['escalation-delivery-failing', 'open', 3]]);
  });

  it('a receiver that does not answer in time counts as a failed attempt, retried', async () => {
    const hanging = createServer(() => undefined); // reads the request, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { wardId, nurse, alert } = await wardWithAlert();
    await addWebhook(wardId, `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hooks`);
    await api.deliverer.stop();
    // A second api whose requests time out after 300 ms (a short, bounded wait on real I/O).
    const impatient = await startApp(storage, clock, { enabled: false, requestTimeoutMs: 300 });
    try {
      await request(api.url, nurse.token, 'POST', `/api/alerts/${alert.id}/escalate`, { reason: 'no answer' });
      expect(await impatient.deliverer.runDue()).toEqual({ attempted: 1, delivered: 0, retrying: 1, failed: 0 });
      const delivery = await onlyDelivery(alert.id);
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null, lastError: 'no answer within 300 ms' });
      expect((await storage.notifications.attempts(delivery.id))[0]?.durationMs).toBeGreaterThanOrEqual(250);
    } finally {
      await impatient.app.close();
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
      await api.deliverer.start();
    }
  });

  it('a 4xx other than 408/429 is not retried', async () => {
    const hook = await receiver();
    hook.answers.push(410);
    const { wardId, nurse, alert } = await wardWithAlert();
    await addWebhook(wardId, hook.url);
    await request(api.url, nurse.token, 'POST', `/api/alerts/${alert.id}/escalate`, { reason: 'no answer' });
    const delivery = await eventually('the attempt recorded', async () => {
      const found = await onlyDelivery(alert.id);
      return found.attempts === 1 ? found : undefined;
    });
    expect(delivery).toMatchObject({ status: 'failed', lastStatusCode: 410, lastError: 'HTTP 410 Gone' });
  });

  it('tells a stream contact on /api/stream (an escalation event beside the escalated alert), to its ward only', async () => {
    const { wardId, nurse, alert } = await wardWithAlert();
    const other = await wardWithAlert();
    const added = await request<EscalationContactView>(api.url, admin.token, 'POST', `/api/wards/${wardId}/escalation-contacts`, { name: 'Ward coordinator', role: 'coordinator', channel: 'stream' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ channel: 'stream', url: null });

    const mine = await openStream(api.url, nurse.token);
    const theirs = await openStream(api.url, other.nurse.token);
    try {
      await mine.next((e) => e.event === 'ready');
      await theirs.next((e) => e.event === 'ready');
      expect((await request(api.url, nurse.token, 'POST', `/api/alerts/${alert.id}/escalate`, { reason: 'needs a doctor' })).status).toBe(200);
      await mine.next((e) => e.event === 'alert' && (e.data as { alert: Alert }).alert.id === alert.id && (e.data as { alert: Alert }).alert.state === 'escalated');
      const notice = (await mine.next((e) => e.event === 'escalation')).data as EscalationStreamNotice;
      expect(notice).toMatchObject({ alertId: alert.id, wardId, severity: 'high', escalatedBy: 'person', contact: { name: 'Ward coordinator', role: 'coordinator' } });
      await eventually('the stream delivery recorded', async () => ((await onlyDelivery(alert.id)).status === 'delivered' ? true : undefined));
      expect(theirs.events.filter((e) => e.event === 'escalation')).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  it('a restarted deliverer resumes what was pending: a retry, and a claim its predecessor died holding', async () => {
    const hook = await receiver();
    hook.answers.push(503);
    const retried = await wardWithAlert();
    await addWebhook(retried.wardId, hook.url);
    const claimed = await wardWithAlert();
    await addWebhook(claimed.wardId, hook.url, 'Dr Night');

    await request(api.url, retried.nurse.token, 'POST', `/api/alerts/${retried.alert.id}/escalate`, { reason: 'no answer' });
    const pending = await eventually('the first attempt recorded', async () => {
      const found = await onlyDelivery(retried.alert.id);
      return found.attempts === 1 ? found : undefined;
    });
    expect(pending.status).toBe('pending');

    // The deliverer stops (a restart), and the second escalation is claimed by a deliverer that dies before sending.
    await api.deliverer.stop();
    await request(api.url, claimed.nurse.token, 'POST', `/api/alerts/${claimed.alert.id}/escalate`, { reason: 'no answer' });
    const lost = await storage.notifications.claimDue(clock.now(), { leaseMs: 5 * MINUTE });
    expect(lost.map((d) => d.alertId)).toEqual([claimed.alert.id]);
    expect(hook.received).toHaveLength(1);

    const restarted = await startApp(storage, clock);
    try {
      // (Deliveries of earlier tests still pending may be attempted too: only these two are looked at.)
      // Nothing is due yet: the retry waits for its backoff, the claim for its lease.
      await restarted.deliverer.runDue();
      expect(hook.received).toHaveLength(1);
      expect(await onlyDelivery(retried.alert.id)).toMatchObject({ status: 'pending', attempts: 1 });
      expect(await onlyDelivery(claimed.alert.id)).toMatchObject({ status: 'pending', attempts: 0 });

      clock.moveTo(pending.nextAttemptAt as Date);
      await restarted.deliverer.runDue();
      expect(await onlyDelivery(retried.alert.id)).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(await onlyDelivery(claimed.alert.id)).toMatchObject({ status: 'pending', attempts: 0 });

      clock.advance(5 * MINUTE);
      await restarted.deliverer.runDue();
      expect(await onlyDelivery(claimed.alert.id)).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(hook.received.map((r) => (JSON.parse(r.raw) as EscalationWebhookBody).contact.name)).toEqual(['Dr On Call', 'Dr On Call', 'Dr Night']);
    } finally {
      await restarted.app.close();
      await api.deliverer.start();
    }
  });

  describe('managing contacts', () => {
    it('admins add and remove them; the ward sees them; the secret is never returned, logged in the audit, or shown in the URL', async () => {
      const { wardId, nurse } = await wardWithAlert();
      const outsider = await account(api.url, storage, 'nurse', { wardIds: [(await storage.registry.createWard(uniqueName('Other ward'))).id] });
      const url = 'https://hooks.example.org/homeward/ward-7?token=s3cr3t-token';
      const added = await request<EscalationContactView>(api.url, admin.token, 'POST', `/api/wards/${wardId}/escalation-contacts`, { name: 'Dr Day', role: 'consultant', channel: 'webhook', url, secret: SECRET });
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ id: expect.any(String), wardId, name: 'Dr Day', role: 'consultant', channel: 'webhook', url: 'https://hooks.example.org/homeward/ward-7', createdAt: expect.any(String) });

      const listed = await request<EscalationContactView[]>(api.url, nurse.token, 'GET', `/api/wards/${wardId}/escalation-contacts`);
      expect(listed.status).toBe(200);
      expect(listed.body.map((c) => c.name)).toEqual(['Dr Day']);
      expect((await request(api.url, outsider.token, 'GET', `/api/wards/${wardId}/escalation-contacts`)).status).toBe(404);
      expect((await request<{ code: string }>(api.url, nurse.token, 'POST', `/api/wards/${wardId}/escalation-contacts`, { name: 'x', role: 'y', channel: 'stream' })).body.code).toBe('auth.role');

      const audit = await request<unknown[]>(api.url, admin.token, 'GET', '/api/audit?action=ward.escalation-contact');
      expect(audit.status).toBe(200);
      expect(audit.body.length).toBeGreaterThanOrEqual(1);
      for (const text of [JSON.stringify(added.body), JSON.stringify(listed.body), JSON.stringify(audit.body)]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain('s3cr3t-token');
      }

      const contactId = added.body.id;
      expect((await request(api.url, admin.token, 'DELETE', `/api/wards/${wardId}/escalation-contacts/${contactId}`)).status).toBe(204);
      expect((await request(api.url, admin.token, 'DELETE', `/api/wards/${wardId}/escalation-contacts/${contactId}`)).status).toBe(404);
      expect((await request<EscalationContactView[]>(api.url, nurse.token, 'GET', `/api/wards/${wardId}/escalation-contacts`)).body).toEqual([]);
    });

    it.each([
      ['a webhook without a secret', { channel: 'webhook', url: 'https://hooks.example.org/x' }, 400, undefined],
      ['a short secret', { channel: 'webhook', url: 'https://hooks.example.org/x', secret: 'short' }, 400, undefined],
      ['a webhook without a URL', { channel: 'webhook', secret: SECRET }, 400, undefined],
      ['a URL that is not http(s)', { channel: 'webhook', url: 'ftp://hooks.example.org/x', secret: SECRET }, 400, undefined],
      ['plain http off this machine', { channel: 'webhook', url: 'http://hooks.example.org/x', secret: SECRET }, 400, 'escalation-contact.url-insecure'],
      ['a stream contact with a URL', { channel: 'stream', url: 'https://hooks.example.org/x' }, 400, 'escalation-contact.stream-has-url'],
      ['an unknown channel', { channel: 'pager' }, 400, undefined],
    ])('refuses %s', async (_label, fields, status, code) => {
      const wardId = (await storage.registry.createWard(uniqueName('Ward'))).id;
      const answer = await request<{ code?: string; message: unknown }>(api.url, admin.token, 'POST', `/api/wards/${wardId}/escalation-contacts`, { name: 'Dr X', role: 'registrar', ...fields });
      expect(answer.status).toBe(status);
      if (code) expect(answer.body.code).toBe(code);
      expect(JSON.stringify(answer.body)).not.toContain(SECRET);
      expect(await storage.notifications.contactsOfWard(wardId)).toEqual([]);
    });

    it('a delivery queued to a contact removed before it was sent is given up, not sent', async () => {
      const hook = await receiver();
      const { wardId, nurse, alert } = await wardWithAlert();
      const contact = await addWebhook(wardId, hook.url);
      await api.deliverer.stop();
      try {
        await request(api.url, nurse.token, 'POST', `/api/alerts/${alert.id}/escalate`, { reason: 'no answer' });
        expect((await request(api.url, admin.token, 'DELETE', `/api/wards/${wardId}/escalation-contacts/${contact.id}`)).status).toBe(204);
        expect(await api.deliverer.runDue()).toMatchObject({ attempted: 1, failed: 1 });
      } finally {
        await api.deliverer.start();
      }
      expect(await onlyDelivery(alert.id)).toMatchObject({ status: 'failed', lastError: 'the contact was removed before delivery' });
      expect(hook.received).toEqual([]);
    });
  });

  it('two deliverers claiming at once (two api processes) split the due deliveries: none is sent twice', async () => {
    const wardName = uniqueName('Ward');
    const wardId = (await storage.registry.createWard(wardName)).id;
    for (const name of ['A', 'B', 'C', 'D']) await storage.notifications.addContact({ wardId, name: `Contact ${name}`, role: 'on call', channel: 'stream', at: clock.now(), by: admin.id });
    await api.deliverer.stop();
    try {
      const escalated: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const { alert } = await wardWithAlertOn(wardId);
        const result = await storage.alerts.transition(alert.id, { action: 'escalate', by: { type: 'system', id: 'rules-engine' }, at: clock.now(), reason: 'not acknowledged in time' });
        expect(result.ok).toBe(true);
        escalated.push(alert.id);
      }
      const ours = (ids: readonly { id: string; alertId: string }[]) => ids.filter((d) => escalated.includes(d.alertId)).map((d) => d.id);
      const [first, second] = await Promise.all([
        storage.notifications.claimDue(clock.now(), { leaseMs: MINUTE, limit: 8 }),
        storage.notifications.claimDue(clock.now(), { leaseMs: MINUTE, limit: 8 }),
      ]);
      // (8 each leaves room for deliveries of earlier tests still pending: only ours are counted.)
      const claimed = [...ours(first), ...ours(second)];
      expect(claimed).toHaveLength(12); // 3 escalations × 4 contacts
      expect(new Set(claimed).size).toBe(12);
      // Claimed means leased: nobody else takes them until the lease runs out.
      expect(ours(await storage.notifications.claimDue(clock.now(), { leaseMs: MINUTE }))).toEqual([]);
    } finally {
      await api.deliverer.start();
    }
  });

  it('logged every delivery attempt above (by ids), and no secret, webhook URL token or patient name', () => {
    const text = logLines.join('');
    expect(text).toMatch(/escalation delivery [0-9a-f-]{36} \(alert [0-9a-f-]{36}, contact [0-9a-f-]{36}, webhook\) attempt 3 failed/);
    expect(text).toContain('the contact was removed before delivery'); // runs last: the contacts tests are in
    for (const secret of [SECRET, 't0k3n-in-query', 's3cr3t-token', 'Lovelace']) expect(text).not.toContain(secret);
  });
});
