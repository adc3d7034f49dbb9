import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics } from '@homeward/contracts';
import { parseNhsNumber } from '@homeward/domain';
import { generateDeviceSecret, hashDeviceSecret } from '@homeward/gateway';
import { type Storage, freePort, startScratchEmbeddedPostgres } from '@homeward/storage';
import { aValidNhsNumber } from '@homeward/testing';
import { call, signedInAccount } from './api-fixture';
import { connectDevice, endDeviceClients, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { ROOT, killLeftovers, runHomeward, waitForHttp } from './homeward-process';

afterEach(() => endDeviceClients());
afterAll(() => killLeftovers());

type Samples = Map<string, number>;

/**
 * A strict reading of the Prometheus text exposition (format 0.0.4): every line is a HELP or TYPE
 * comment or one sample `name{label="value",…} number`; anything else fails the test. Returns the
 * samples by their series (name and labels as written).
 */
function parseExposition(text: string): Samples {
  const samples: Samples = new Map();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(comment[3]);
        typed.add(comment[2] ?? '');
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? ([-+]?(?:[0-9.]+(?:e[-+]?[0-9]+)?|NaN|Inf))$/.exec(line);
    if (!sample) throw new Error(`not a Prometheus exposition line: ${line}`);
    const name = sample[1] ?? '';
    expect([...typed].some((family) => name === family || name.startsWith(`${family}_`))).toBe(true);
    samples.set(`${name}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return samples;
}

async function scrape(url: string): Promise<Samples> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/** Something accepts TCP connections on 127.0.0.1:port. */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const delta = (before: Samples, after: Samples, series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);

/** A patient with a distinctive name and NHS number (so a log line quoting them cannot go unnoticed) and one device. */
async function aNamedPatientWithDevice(storage: Storage) {
  const nhsNumber = aValidNhsNumber({ testRange: true });
  const nhs = parseNhsNumber(nhsNumber);
  if (!nhs.ok) throw new Error('builder made a bad NHS number');
  const suffix = randomUUID().slice(0, 8);
  const patient = { givenName: `Zephyrine${suffix}`, familyName: `Quillfeather${suffix}`, dateOfBirth: '1931-07-14' };
  const created = await storage.registry.createPatient({ nhsNumber: nhs.value, ...patient });
  const secret = generateDeviceSecret();
  const device = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: randomUUID(), patientId: created.id, credentialsHash: await hashDeviceSecret(secret) });
  return { patientId: created.id, nhsNumber: nhsNumber.replace(/\s/g, ''), ...patient, deviceId: device.id, secret };
}

describe('logs and metrics of a running `homeward start`', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  beforeAll(async () => {
    db = await realDatabase();
  });
  afterAll(async () => {
    await killLeftovers();
    await db?.dispose();
  });

  it('counts readings, duplicates and rejections by reason on /metrics, and logs device and request ids but no patient identifier or value', async () => {
    const homeward = await startHomeward(db.url, { HOMEWARD_LOG_LEVEL: 'debug', HOMEWARD_LOG_FORMAT: 'json' });
    const api = `http://127.0.0.1:${homeward.apiPort}`;
    const patient = await aNamedPatientWithDevice(db.storage);
    const before = await scrape(`${api}/metrics`);

    const device = await connectDevice(homeward.mqttPort, patient);
    const measuredAt = new Date(Date.now() - 120_000).toISOString();
    const good = JSON.stringify({ messageId: 'm-good', readings: [{ vital: 'body_weight', value: 71.337, unit: 'kg', deviceTime: measuredAt }, { vital: 'body_temperature', value: 36.87, unit: 'Cel', deviceTime: measuredAt }] });
    // QoS 1: each resolves on PUBACK, which the gateway sends after commit (and after counting).
    await device.publishAsync(topics.readings(patient.deviceId), good, { qos: 1 });
    await device.publishAsync(topics.readings(patient.deviceId), good, { qos: 1 }); // both readings again: duplicates
    await device.publishAsync(topics.readings(patient.deviceId), JSON.stringify({ readings: [{ vital: 'spo2', value: 101.5, unit: '%', deviceTime: measuredAt }] }), { qos: 1 });
    await device.publishAsync(topics.readings(patient.deviceId), '{"readings": [', { qos: 1 });

    // A nurse types a reading in: the body carries the value, the URL the patient.
    const ward = await db.storage.registry.createWard(`Obs ${randomUUID()}`);
    await db.storage.registry.admit({ patientId: patient.patientId, wardId: ward.id, pathway: 'heart-failure' });
    const nurse = await signedInAccount(api, db.url, ['--role', 'nurse', '--ward', ward.id]);
    const typed = await call(api, nurse.token, 'POST', `/api/patients/${patient.patientId}/readings`, { readings: [{ vital: 'body_weight', value: 58.461, unit: 'kg', measuredAt: measuredAt }] });
    expect(typed.status).toBe(201);

    // A request whose URL names the patient, with the caller's own request id.
    const requestId = `trace-${randomUUID()}`;
    const refused = await fetch(`${api}/api/patients/${patient.patientId}?q=${patient.familyName}`, { headers: { 'x-request-id': requestId } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe(requestId);
    expect((await fetch(`${api}/health/live`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    // The rules engine evaluates the readings: its lag falls to 0 although they were measured 120 s
    // before they were sent (lag counts from receipt, not measurement).
    const after = await eventually(async () => {
      const samples = await scrape(`${api}/metrics`);
      const lag = samples.get('homeward_rules_engine_lag_seconds{cursor="rules-engine"}');
      return lag === 0 && samples;
    }, 30_000);
    const figures = {
      received: delta(before, after, 'homeward_mqtt_messages_received_total{kind="readings"}'),
      acks: delta(before, after, 'homeward_mqtt_messages_sent_total{kind="ack"}'),
      stored: delta(before, after, 'homeward_readings_stored_total{source="mqtt"}'),
      duplicates: delta(before, after, 'homeward_readings_duplicate_total{source="mqtt"}'),
      implausible: delta(before, after, 'homeward_ingest_rejections_total{transport="mqtt",code="reading.implausible"}'),
      badJson: delta(before, after, 'homeward_ingest_rejections_total{transport="mqtt",code="payload.bad-json"}'),
      latencyCount: delta(before, after, 'homeward_ingest_latency_seconds_count{transport="mqtt"}'),
      unauthorised: delta(before, after, 'homeward_http_requests_total{method="GET",route="/api/patients/:id",status="401"}'),
      manualStored: delta(before, after, 'homeward_readings_stored_total{source="manual"}'),
      manualRequests: delta(before, after, 'homeward_http_requests_total{method="POST",route="/api/patients/:patientId/readings",status="201"}'),
    };
    expect(figures).toEqual({ received: 4, acks: 4, stored: 2, duplicates: 2, implausible: 1, badJson: 1, latencyCount: 4, unauthorised: 1, manualStored: 1, manualRequests: 1 });
    // Every message took less than 10 s from receipt to commit (the largest finite bucket).
    expect(delta(before, after, 'homeward_ingest_latency_seconds_bucket{le="10",transport="mqtt"}')).toBe(4);
    expect(after.get('homeward_mqtt_connections')).toBeGreaterThanOrEqual(1);
    expect(after.get('homeward_mqtt_broker_up')).toBe(1);
    expect(after.get('homeward_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
    expect(after.get('homeward_db_pool_connections{state="waiting"}')).toBe(0);
    for (const state of ['open', 'acknowledged', 'escalated', 'resolved']) expect(after.get(`homeward_alerts{state="${state}"}`)).toBeGreaterThanOrEqual(0);
    const lag = after.get('homeward_rules_engine_lag_seconds{cursor="rules-engine"}') ?? -1;
    expect(after.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    console.log(`metrics moved: ${JSON.stringify(figures)}; rules-engine lag ${lag.toFixed(1)} s; ${after.size} series`);

    homeward.process.child.kill('SIGINT');
    expect(await homeward.process.exited).toBe(0);
    const log = homeward.process.stderr();
    const lines = log.split('\n').filter((line) => line.startsWith('{'));
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    // The device's events carry its id and the outcome codes…
    expect(events).toContainEqual(expect.objectContaining({ deviceId: patient.deviceId, clientId: patient.deviceId, msg: 'device connected' }));
    expect(events).toContainEqual(expect.objectContaining({ deviceId: patient.deviceId, status: 'accepted', stored: 2 }));
    expect(events).toContainEqual(expect.objectContaining({ deviceId: patient.deviceId, rejectedCodes: ['reading.implausible'] }));
    // …requests their id and route pattern…
    expect(events).toContainEqual(expect.objectContaining({ requestId, method: 'GET', route: '/api/patients/:id', status: 401 }));
    // …and nothing names the patient or says what was measured.
    for (const secret of [patient.patientId, patient.nhsNumber, patient.givenName, patient.familyName, patient.dateOfBirth, patient.secret, nurse.token]) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
    // The measured values anywhere but in a log timestamp's seconds: "…:47:58.461Z" once made the
    // weight of 58.461 kg look logged (CI). A value after a digit and a colon is such a timestamp.
    for (const value of ['71.337', '36.87', '101.5', '58.461']) {
      const said = new RegExp(`(?<!\\d:)${value.replace('.', '\\.')}`).test(log);
      expect({ value, found: said }).toEqual({ value, found: false });
    }
    console.log(`${lines.length} JSON log lines checked for 11 patient identifiers, values and secrets: none found`);
  });

  it('runs the gateway on its own (HOMEWARD_SERVICES=gateway) with /metrics and readiness on HOMEWARD_METRICS_PORT and no API', async () => {
    const [metricsPort, apiPort] = [await freePort(), await freePort()];
    const gateway = runHomeward(['start'], { DATABASE_URL: db.url, HOMEWARD_SERVICES: 'gateway', HOMEWARD_METRICS_PORT: String(metricsPort), HOMEWARD_API_PORT: String(apiPort) });
    await waitForHttp(`http://127.0.0.1:${metricsPort}/health/ready`, gateway);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/health/ready`)).status).toBe(200);
    const samples = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(samples.get('homeward_mqtt_broker_up')).toBe(1);
    expect(samples.get('homeward_mqtt_connections')).toBe(0);
    expect(samples.get('homeward_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
    await expect(fetch(`http://127.0.0.1:${apiPort}/health`)).rejects.toThrow();
    gateway.child.kill('SIGINT');
    expect(await gateway.exited).toBe(0);
    expect(gateway.stderr()).toMatch(/API not started here/);
  });

  it('serves a rules worker\'s metrics and readiness on HOMEWARD_METRICS_PORT: the cursor lag, no broker figures', async () => {
    const metricsPort = await freePort();
    const worker = runHomeward(['rules-worker'], { DATABASE_URL: db.url, HOMEWARD_METRICS_PORT: String(metricsPort) });
    await waitForHttp(`http://127.0.0.1:${metricsPort}/health/ready`, worker);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/health/ready`)).status).toBe(200);
    const samples = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    // The first test's readings were measured 120 s before they were sent, and all were evaluated:
    // nothing waits, so no lag (it counts from receipt, not from measurement).
    expect(samples.get('homeward_rules_engine_lag_seconds{cursor="rules-engine"}')).toBe(0);
    expect(samples.get('homeward_alerts{state="open"}')).toBeGreaterThanOrEqual(0);
    expect(samples.has('homeward_mqtt_broker_up')).toBe(false);
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
  });
});

/** GET over HTTPS trusting one CA (the test's self-signed certificate); the status, or undefined when nothing answers. */
function httpsStatus(url: string, ca: Buffer): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = httpsGet(url, { ca, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

describe('HTTPS from certificate files', () => {
  it('serves the API over HTTPS with HOMEWARD_HTTPS_CERT/KEY, and the container health check reads its readiness', async () => {
    const db = await realDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'homeward-https-'));
    try {
      const [cert, key] = [join(dir, 'api.crt'), join(dir, 'api.key')];
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
      const apiPort = await freePort();
      const env = { DATABASE_URL: db.url, HOMEWARD_API_PORT: String(apiPort), HOMEWARD_HTTPS_CERT: cert, HOMEWARD_HTTPS_KEY: key };
      const homeward = runHomeward(['start'], env);
      const ready = `https://127.0.0.1:${apiPort}/health/ready`;
      await eventually(async () => {
        if (homeward.child.exitCode !== null) throw new Error(`homeward exited:\n${homeward.stderr()}`);
        return (await httpsStatus(ready, readFileSync(cert))) === 200;
      }, 60_000);
      expect(homeward.stdout()).toContain(`Homeward is running: https://127.0.0.1:${apiPort}/health`);
      // Plain HTTP is not served on that port.
      await expect(fetch(`http://127.0.0.1:${apiPort}/health`).then((r) => r.status)).rejects.toThrow();
      // infra/docker/healthcheck.cjs, as the images run it, with the same settings.
      const check = spawn(process.execPath, [join(ROOT, 'infra', 'docker', 'healthcheck.cjs')], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: 'ignore' });
      expect(await new Promise((resolve) => check.once('exit', resolve))).toBe(0);
      homeward.child.kill('SIGINT');
      expect(await homeward.exited).toBe(0);
      const stopped = spawn(process.execPath, [join(ROOT, 'infra', 'docker', 'healthcheck.cjs')], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: 'ignore' });
      expect(await new Promise((resolve) => stopped.once('exit', resolve))).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.dispose();
    }
  });
});

describe('readiness', () => {
  it('fails while the database is down', async () => {
    const server = await startScratchEmbeddedPostgres();
    try {
      const homeward = await startHomeward(server.connectionString);
      const ready = `http://127.0.0.1:${homeward.apiPort}/health/ready`;
      expect(await (await fetch(ready)).json()).toEqual({ status: 'ok' });
      await server.stop();
      const down = await eventually(async () => {
        const response = await fetch(ready);
        return response.status === 503 && ((await response.json()) as { status: string; problems: Record<string, string> });
      });
      expect(down.status).toBe('unavailable');
      expect(Object.keys(down.problems)).toEqual(['database']);
      // Liveness stays up: the process is fine, it is waiting for its database.
      expect((await fetch(`http://127.0.0.1:${homeward.apiPort}/health/live`)).status).toBe(200);
      homeward.process.child.kill('SIGINT');
      await homeward.process.exited;
    } finally {
      await server.cleanup().catch(() => undefined);
    }
  });

  it('fails while the external broker is disconnected, and recovers when it is back', async () => {
    const db = await realDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'homeward-mosquitto-'));
    const port = await freePort();
    const config = join(dir, 'mosquitto.conf');
    writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    const brokers: ChildProcess[] = [];
    const startMosquitto = async () => {
      const broker = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
      brokers.push(broker);
      broker.once('error', (error) => {
        throw new Error(`this test runs its own Mosquitto broker (apt-get install mosquitto): ${error.message}`);
      });
      await eventually(() => portOpen(port));
      return broker;
    };
    try {
      const first = await startMosquitto();
      const homeward = await startHomeward(db.url, { HOMEWARD_MQTT_MODE: 'external', HOMEWARD_MQTT_EXTERNAL_URL: `mqtt://127.0.0.1:${port}` });
      const api = `http://127.0.0.1:${homeward.apiPort}`;
      expect((await fetch(`${api}/health/ready`)).status).toBe(200);
      expect((await scrape(`${api}/metrics`)).get('homeward_mqtt_broker_up')).toBe(1);

      first.kill('SIGTERM');
      const down = await eventually(async () => {
        const response = await fetch(`${api}/health/ready`);
        return response.status === 503 && ((await response.json()) as { problems: Record<string, string> });
      });
      expect(down.problems).toEqual({ broker: 'the external MQTT broker is not connected' });
      expect((await scrape(`${api}/metrics`)).get('homeward_mqtt_broker_up')).toBe(0);

      await startMosquitto(); // MQTT.js reconnects every second
      await eventually(async () => (await fetch(`${api}/health/ready`)).status === 200);
      homeward.process.child.kill('SIGINT');
      await homeward.process.exited;
    } finally {
      for (const broker of brokers) broker.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      await db.dispose();
    }
  });
});
