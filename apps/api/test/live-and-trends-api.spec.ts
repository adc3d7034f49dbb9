import type { Alert, Patient } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, openStream, request, startApi } from './api-app.fixture';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

// What a nurse watches and a clinician reviews, against a real PostgreSQL with the rules engine
// running: the live stream of her wards' alerts, the alert's evidence, and the NEWS2 chart.
describe('live stream, alert detail and NEWS2 history', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let url: string;
  let storage: Storage;
  let wardA: string;
  let nurseA: Account;
  let nurseB: Account;
  let patient: Patient;

  beforeAll(async () => {
    api = await startApi();
    ({ url, storage } = api);
    wardA = (await storage.registry.createWard(uniqueName('Ward A'))).id;
    const wardB = (await storage.registry.createWard(uniqueName('Ward B'))).id;
    nurseA = await account(url, storage, 'nurse', { wardIds: [wardA] });
    nurseB = await account(url, storage, 'nurse', { wardIds: [wardB] });
    patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Grace', familyName: uniqueName('Hopper'), dateOfBirth: '1946-12-09' });
    await storage.registry.admit({ patientId: patient.id, wardId: wardA, pathway: 'general' });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  it('pushes a new alert to the nurses of its ward only, then its changes, without polling', async () => {
    const streamA = await openStream(url, nurseA.token);
    const streamB = await openStream(url, nurseB.token);
    try {
      expect(streamA.status).toBe(200);
      await streamA.next((e) => e.event === 'ready');
      await streamB.next((e) => e.event === 'ready');

      await request(url, nurseA.token, 'POST', `/api/patients/${patient.id}/readings`, { readings: [{ vital: 'spo2', value: 88, unit: '%', measuredAt: minutesAgo(1) }] });
      const raised = await streamA.next((e) => e.event === 'alert' && (e.data as { alert: Alert }).alert.state === 'open');
      const item = raised.data as { alert: Alert; patient: { id: string; name: string }; waitingMinutes: number };
      expect(item.patient).toMatchObject({ id: patient.id, name: `Grace ${patient.familyName}` });
      expect(item.alert.wardId).toBe(wardA);

      const acknowledged = await request<Alert>(url, nurseA.token, 'POST', `/api/alerts/${item.alert.id}/acknowledge`, {});
      expect(acknowledged.status).toBe(200);
      await streamA.next((e) => e.event === 'alert' && (e.data as { alert: Alert }).alert.id === item.alert.id && (e.data as { alert: Alert }).alert.state === 'acknowledged');
      await new Promise((r) => setTimeout(r, 300)); // give a wrong delivery time to arrive
      expect(streamB.events.filter((e) => e.event === 'alert')).toEqual([]);
    } finally {
      streamA.close();
      streamB.close();
    }
    expect((await openStream(url, '')).status).toBe(401);
  });

  it('shows an alert with the readings behind it, its explanation and its history', async () => {
    await request(url, nurseA.token, 'POST', `/api/patients/${patient.id}/readings`, { readings: [{ vital: 'body_temperature', value: 34.6, unit: 'Cel', measuredAt: minutesAgo(2) }] });
    const deadline = Date.now() + 10_000;
    let alert: Alert | undefined;
    while (!alert && Date.now() < deadline) {
      alert = (await request<Alert[]>(url, nurseA.token, 'GET', `/api/patients/${patient.id}/alerts`)).body.find((a) => a.subject.startsWith('body_temperature'));
      if (!alert) await new Promise((r) => setTimeout(r, 100));
    }
    if (!alert) throw new Error('no temperature alert was raised');
    const detail = await request<{ alert: Alert; patient: { id: string }; readings: Array<{ vital: string; value: number }>; events: Array<{ kind: string }> }>(url, nurseA.token, 'GET', `/api/alerts/${alert.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.readings).toEqual([expect.objectContaining({ vital: 'body_temperature', value: 34.6 })]);
    expect(detail.body.alert.explanation).toMatch(/35/);
    expect(detail.body.events.map((e) => e.kind)).toEqual(['raised']);
    expect((await request(url, nurseB.token, 'GET', `/api/alerts/${alert.id}`)).status).toBe(404);
  });

  it('charts NEWS2 at each reading, scored as the engine scores it, partial until every parameter is there', async () => {
    const other = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Alan', familyName: uniqueName('Turing'), dateOfBirth: '1912-06-23' });
    await storage.registry.admit({ patientId: other.id, wardId: wardA, pathway: 'general' });
    const at90 = minutesAgo(90);
    // A set at 90 minutes ago (RR 22 → 2, SpO2 95 → 1, SBP 105 → 1, pulse 95 → 1, temp 38.2 → 1), then pulse 112 (→ 2) at 30.
    const set = [
      { vital: 'respiration_rate', value: 22, unit: '/min', measuredAt: at90 },
      { vital: 'spo2', value: 95, unit: '%', measuredAt: at90 },
      { vital: 'systolic_bp', value: 105, unit: 'mm[Hg]', measuredAt: at90 },
      { vital: 'heart_rate', value: 95, unit: '/min', measuredAt: at90 },
      { vital: 'body_temperature', value: 38.2, unit: 'Cel', measuredAt: at90 },
      { vital: 'heart_rate', value: 112, unit: '/min', measuredAt: minutesAgo(30) },
    ];
    expect((await request(url, nurseA.token, 'POST', `/api/patients/${other.id}/readings`, { readings: set })).status).toBe(201);
    const history = await request<Array<{ at: string; score: number; band: string; complete: boolean; missing: string[] }>>(url, nurseA.token, 'GET', `/api/patients/${other.id}/news2?from=${encodeURIComponent(minutesAgo(120))}&to=${encodeURIComponent(new Date().toISOString())}`);
    expect(history.status).toBe(200);
    expect(history.body.map((p) => [p.score, p.band, p.complete])).toEqual([
      [6, 'medium', false], // air from the care plan's default; consciousness never assumed
      [7, 'high', false], // 7 or more is high (RCP chart 3), even as a lower bound
    ]);
    expect(history.body[0]?.missing).toEqual(['consciousness']);
    expect((await request(url, nurseB.token, 'GET', `/api/patients/${other.id}/news2?from=${encodeURIComponent(minutesAgo(120))}&to=${encodeURIComponent(new Date().toISOString())}`)).status).toBe(404);
    expect((await request<{ message: string[] }>(url, nurseA.token, 'GET', `/api/patients/${other.id}/news2?from=yesterday&to=now`)).status).toBe(400);
  });
});

// Every endpoint × every role: who gets through the role gate. 401 without a session; 403
// auth.role for a role the endpoint does not serve; anything else means the role passed (then
// ward and own-record checks decide, tested above). An endpoint added without a row here fails the completeness test.
describe('role gate on every endpoint', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  const tokens: Record<string, string> = {};
  const id = '00000000-0000-4000-8000-000000000000';
  const ROUTES: Array<[method: string, path: string, roles: string[]]> = [
    ['GET', '/api/me', ['patient', 'nurse', 'clinician', 'admin', 'carer']],
    ['POST', '/api/auth/sign-out', ['patient', 'nurse', 'clinician', 'admin', 'carer']],
    ['GET', '/api/wards', ['nurse', 'clinician', 'admin']],
    ['POST', '/api/wards', ['admin']],
    ['GET', `/api/wards/${id}/members`, ['nurse', 'clinician', 'admin']],
    ['POST', `/api/wards/${id}/members`, ['admin']],
    ['GET', `/api/wards/${id}/patient-advice`, ['nurse', 'clinician', 'admin']],
    ['PUT', `/api/wards/${id}/patient-advice`, ['admin']],
    ['GET', '/api/admin/rejected-messages', ['admin']],
    ['GET', `/api/admin/rejected-messages/${id}`, ['admin']],
    ['GET', '/api/system-alerts', ['nurse', 'clinician', 'admin']],
    ['GET', `/api/system-alerts/${id}`, ['nurse', 'clinician', 'admin']],
    ['POST', `/api/system-alerts/${id}/acknowledge`, ['nurse', 'admin']],
    ['POST', `/api/system-alerts/${id}/resolve`, ['nurse', 'admin']],
    ['GET', `/api/wards/${id}/escalation-contacts`, ['nurse', 'clinician', 'admin']],
    ['POST', `/api/wards/${id}/escalation-contacts`, ['admin']],
    ['DELETE', `/api/wards/${id}/escalation-contacts/${id}`, ['admin']],
    ['GET', '/api/users', ['admin']],
    ['POST', '/api/users', ['admin']],
    ['GET', '/api/patients', ['nurse', 'clinician', 'admin']],
    ['POST', '/api/patients', ['nurse', 'clinician', 'admin']],
    ['GET', `/api/patients/${id}`, ['patient', 'nurse', 'clinician', 'admin']],
    ['GET', `/api/patients/${id}/devices`, ['patient', 'nurse', 'clinician', 'admin']],
    ['GET', `/api/patients/${id}/alerts`, ['patient', 'nurse', 'clinician']],
    ['GET', `/api/patients/${id}/news2`, ['patient', 'nurse', 'clinician']],
    ['POST', `/api/patients/${id}/admissions`, ['nurse', 'clinician', 'admin']],
    ['POST', `/api/patients/${id}/transfer`, ['admin']],
    ['PUT', `/api/patients/${id}/care-plan`, ['clinician', 'admin']],
    ['POST', `/api/patients/${id}/discharge`, ['nurse', 'clinician', 'admin']],
    ['POST', `/api/patients/${id}/readings`, ['patient', 'nurse', 'clinician']],
    ['GET', `/api/patients/${id}/readings`, ['patient', 'nurse', 'clinician']],
    ['GET', `/api/patients/${id}/readings/by-id`, ['patient', 'nurse', 'clinician']],
    ['GET', `/api/patients/${id}/trends`, ['patient', 'nurse', 'clinician']],
    ['GET', `/api/patients/${id}/latest`, ['patient', 'nurse', 'clinician']],
    ['POST', '/api/devices', ['nurse', 'admin']],
    ['POST', `/api/devices/${id}/assign`, ['nurse', 'admin']],
    ['GET', '/api/worklist', ['nurse', 'clinician']],
    ['GET', `/api/alerts/${id}`, ['nurse', 'clinician']],
    ['GET', `/api/alerts/${id}/events`, ['nurse', 'clinician']],
    ['POST', `/api/alerts/${id}/acknowledge`, ['nurse', 'clinician']],
    ['POST', `/api/alerts/${id}/escalate`, ['nurse', 'clinician']],
    ['POST', `/api/alerts/${id}/resolve`, ['nurse', 'clinician']],
    ['POST', `/api/alerts/${id}/assign`, ['nurse', 'clinician']],
    ['POST', `/api/alerts/${id}/notes`, ['nurse', 'clinician']],
    ['GET', '/api/audit', ['admin']],
    ['POST', '/api/carers', ['nurse', 'clinician', 'admin']],
    ['GET', `/api/patients/${id}/care-plan/edit`, ['nurse', 'clinician', 'admin']],
    ['PUT', `/api/patients/${id}/care-plan/edit`, ['clinician', 'admin']],
    ['POST', `/api/patients/${id}/care-plan/backtest`, ['clinician', 'admin']],
    ['GET', '/api/worklist/patients', ['nurse', 'clinician']],
    ['GET', '/api/worklist/overview', ['nurse', 'clinician']],
    ['POST', '/api/worklist/bulk', ['nurse', 'clinician']],
    ['GET', `/api/analytics/wards/${id}/alert-burden`, ['nurse', 'clinician', 'admin']],
    ['GET', `/api/analytics/wards/${id}/outcomes`, ['nurse', 'clinician', 'admin']],
    ['POST', `/api/analytics/wards/${id}/backtest`, ['clinician', 'admin']],
    ['POST', `/api/carers/${id}/links`, ['nurse', 'clinician']],
    ['POST', `/api/carers/${id}/links/${id}/revoke`, ['nurse', 'clinician']],
    ['PUT', `/api/carers/${id}/phone-number`, ['nurse', 'clinician', 'admin']],
    ['PUT', `/api/patients/${id}/phone-number`, ['nurse', 'clinician']],
    ['GET', '/api/carer/patients', ['carer']],
    ['POST', `/api/carer/patients/${id}/readings`, ['carer']],
  ];

  beforeAll(async () => {
    api = await startApi();
    const ward = (await api.storage.registry.createWard(uniqueName('Ward'))).id;
    const patient = await api.storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'P', familyName: 'Q', dateOfBirth: '1940-01-01' });
    for (const role of ['patient', 'nurse', 'clinician', 'admin', 'carer'] as const) {
      tokens[role] = (await account(api.url, api.storage, role, role === 'patient' ? { patientId: patient.id } : { wardIds: [ward] })).token;
    }
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  it('has a row for every endpoint the OpenAPI document lists', async () => {
    const doc = (await request<{ paths: Record<string, Record<string, unknown>> }>(api.url, undefined, 'GET', '/api/docs-json')).body;
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{[a-zA-Z]+\}/g, '{id}')}`));
    const here = new Set(ROUTES.map(([m, p]) => `${m} ${p.replaceAll(id, '{id}')}`));
    const ungated = new Set(['POST /api/auth/sign-in', 'GET /health', 'GET /health/live', 'GET /health/ready', 'GET /api/stream']);
    const missing = documented.filter((r) => r.startsWith('GET /api') || r.startsWith('POST /api') || r.startsWith('PUT /api') || r.startsWith('GET /health')).filter((r) => !here.has(r) && !ungated.has(r));
    expect(missing).toEqual([]);
  });

  it.each(ROUTES)('%s %s serves %j', async (method, path, roles) => {
    expect((await request(api.url, undefined, method, path, method === 'GET' ? undefined : {})).status).toBe(401);
    for (const role of ['patient', 'nurse', 'clinician', 'admin', 'carer']) {
      if (method === 'POST' && path === '/api/auth/sign-out') continue; // would end the session the other rows use
      const { status, body } = await request<{ code?: string }>(api.url, tokens[role], method, path, method === 'GET' ? undefined : {});
      const refusedByRole = status === 403 && body?.code === 'auth.role';
      expect([role, refusedByRole]).toEqual([role, !roles.includes(role)]);
    }
  });
});
