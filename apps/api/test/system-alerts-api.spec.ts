// System alerts over HTTP and the live stream (real PostgreSQL, the api listening on a free port):
// every member of staff sees them whatever their ward, nurses and admins acknowledge and resolve
// them, each change reaches open streams as a `system-alert` event, and every action is audited.
import type { SystemAlertView } from '@homeward/contracts';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { account, openStream, request, startApi } from './api-app.fixture';

jest.setTimeout(120_000);

let api: Awaited<ReturnType<typeof startApi>>;
beforeAll(async () => {
  api = await startApi();
}, 60_000);
afterAll(async () => api?.close());

const restart = (source: string) => ({ kind: 'database-restarted' as const, source, summary: "Homeward's database stopped and was restarted after 3 s.", details: { downSeconds: 3 } });

it('shows a system alert to nurses, clinicians and admins of any ward; nurses acknowledge and resolve it, live and audited', async () => {
  const [wardA, wardB] = [(await api.storage.registry.createWard(uniqueName('Ward'))).id, (await api.storage.registry.createWard(uniqueName('Ward'))).id];
  const nurse = await account(api.url, api.storage, 'nurse', { wardIds: [wardA] });
  const clinician = await account(api.url, api.storage, 'clinician', { wardIds: [wardB] });
  const admin = await account(api.url, api.storage, 'admin');
  const stream = await openStream(api.url, clinician.token); // another ward's clinician still hears of it
  try {
    await stream.next((e) => e.event === 'ready');
    const source = uniqueName('embedded');
    const raised = await api.storage.systemAlerts.report(restart(source), new Date(), { type: 'system', id: 'database-supervisor' });
    const live = await stream.next((e) => e.event === 'system-alert' && (e.data as SystemAlertView).id === raised.alert.id);
    expect(live.data).toMatchObject({ kind: 'database-restarted', source, state: 'open', occurrences: 1 });

    for (const who of [nurse, clinician, admin]) {
      const listed = await request<SystemAlertView[]>(api.url, who.token, 'GET', '/api/system-alerts');
      expect(listed.status).toBe(200);
      expect(listed.body.find((a) => a.id === raised.alert.id)).toMatchObject({ state: 'open', summary: restart(source).summary });
    }

    // A clinician reads but does not acknowledge; a nurse does.
    expect((await request(api.url, clinician.token, 'POST', `/api/system-alerts/${raised.alert.id}/acknowledge`, {})).status).toBe(403);
    const acknowledged = await request<SystemAlertView>(api.url, nurse.token, 'POST', `/api/system-alerts/${raised.alert.id}/acknowledge`, { note: 'told the engineer' });
    expect(acknowledged).toMatchObject({ status: 200, body: { state: 'acknowledged', acknowledgedBy: nurse.id } });
    await stream.next((e) => e.event === 'system-alert' && (e.data as SystemAlertView).id === raised.alert.id && (e.data as SystemAlertView).state === 'acknowledged');
    const twice = await request<{ code: string }>(api.url, nurse.token, 'POST', `/api/system-alerts/${raised.alert.id}/acknowledge`, {});
    expect(twice).toMatchObject({ status: 409, body: { code: 'system-alert.invalid-transition' } });

    // The database dies again: the acknowledged alert is shown again, open.
    const again = await api.storage.systemAlerts.report(restart(source), new Date(), { type: 'system', id: 'database-supervisor' });
    expect(again).toMatchObject({ kind: 'reopened', alert: { id: raised.alert.id, state: 'open', occurrences: 2 } });
    expect((await request<SystemAlertView>(api.url, admin.token, 'POST', `/api/system-alerts/${raised.alert.id}/resolve`, { note: 'disk replaced' })).body.state).toBe('resolved');
    expect((await request<SystemAlertView[]>(api.url, nurse.token, 'GET', '/api/system-alerts')).body.map((a) => a.id)).not.toContain(raised.alert.id);
    expect((await request<SystemAlertView[]>(api.url, nurse.token, 'GET', '/api/system-alerts?state=all')).body.map((a) => a.id)).toContain(raised.alert.id);

    const detail = await request<SystemAlertView & { events: Array<{ kind: string; actorId: string; note: string | null }> }>(api.url, nurse.token, 'GET', `/api/system-alerts/${raised.alert.id}`);
    expect(detail.body.events.map((e) => [e.kind, e.actorId, e.note])).toEqual([
      ['raised', 'database-supervisor', null],
      ['acknowledged', nurse.id, 'told the engineer'],
      ['reopened', 'database-supervisor', restart(source).summary],
      ['resolved', admin.id, 'disk replaced'],
    ]);
    const audit = await api.storage.audit.search({ action: 'system-alert' });
    expect(audit.filter((r) => r.subjectId === raised.alert.id).map((r) => [r.action, r.actorId]).sort()).toEqual(
      [
        ['system-alert.acknowledge', nurse.id],
        ['system-alert.resolve', admin.id],
      ].sort(),
    );
  } finally {
    stream.close();
  }
});

it('refuses patients, unknown ids and bad queries with clear errors', async () => {
  const nurse = await account(api.url, api.storage, 'nurse');
  const patient = await api.storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Sys', familyName: uniqueName('Alert'), dateOfBirth: '1950-01-01' });
  const patientAccount = await account(api.url, api.storage, 'patient', { patientId: patient.id });
  expect((await request(api.url, patientAccount.token, 'GET', '/api/system-alerts')).status).toBe(403);
  expect(await request(api.url, nurse.token, 'POST', '/api/system-alerts/00000000-0000-4000-8000-000000000000/acknowledge', {})).toMatchObject({ status: 404, body: { code: 'system-alert.not-found' } });
  expect((await request(api.url, nurse.token, 'GET', '/api/system-alerts?state=everything')).status).toBe(400);
  expect((await request(api.url, undefined, 'GET', '/api/system-alerts')).status).toBe(401);
});
