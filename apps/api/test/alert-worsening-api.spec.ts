import { type Alert, alertSeverityRank } from '@homeward/domain';
import { aValidNhsNumber, uniqueName } from '@homeward/testing';
import { account, openStream, request, startApi } from './api-app.fixture';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
type Item = { alert: Alert; patient: { id: string } | null };

// Over HTTP with the engine running (real PostgreSQL, the api's own clock): what a nurse sees when
// an alert she acknowledged gets worse — the live stream and the worklist show it again, marked.
describe('a worsened alert on the worklist and the live stream', () => {
  let api: Awaited<ReturnType<typeof startApi>>;

  beforeAll(async () => {
    api = await startApi();
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  it('re-opens the acknowledged alert at the new severity with worsenedAt and worsenedFrom, on the stream, the worklist and its history', async () => {
    const { url, storage } = api;
    const ward = (await storage.registry.createWard(uniqueName('Ward'))).id;
    const nurse = await account(url, storage, 'nurse', { wardIds: [ward] });
    const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Mary', familyName: uniqueName('Seacole'), dateOfBirth: '1945-11-23' });
    await storage.registry.admit({ patientId: patient.id, wardId: ward, pathway: 'acute-respiratory-infection' });
    const stream = await openStream(url, nurse.token);
    try {
      await stream.next((e) => e.event === 'ready');
      const isSpo2 = (e: { event: string; data: unknown }) => e.event === 'alert' && (e.data as Item).alert.subject === 'spo2:at-or-below';

      await request(url, nurse.token, 'POST', `/api/patients/${patient.id}/readings`, { readings: [{ vital: 'spo2', value: 93, unit: '%', measuredAt: minutesAgo(10) }] });
      const raised = (await stream.next((e) => isSpo2(e) && (e.data as Item).alert.state === 'open')).data as Item;
      expect(raised.alert).toMatchObject({ worsenedAt: null, worsenedFrom: null });
      const acknowledged = await request<Alert>(url, nurse.token, 'POST', `/api/alerts/${raised.alert.id}/acknowledge`, {});
      expect(acknowledged.body).toMatchObject({ state: 'acknowledged' });

      await request(url, nurse.token, 'POST', `/api/patients/${patient.id}/readings`, { readings: [{ vital: 'spo2', value: 88, unit: '%', measuredAt: minutesAgo(1) }] });
      const worsened = (await stream.next((e) => isSpo2(e) && (e.data as Item).alert.worsenedAt !== null)).data as Item;
      expect(worsened.alert).toMatchObject({ id: raised.alert.id, state: 'open', worsenedFrom: raised.alert.severity });
      expect(alertSeverityRank(worsened.alert.severity)).toBeGreaterThan(alertSeverityRank(raised.alert.severity));
      expect(Number.isNaN(Date.parse(String(worsened.alert.worsenedAt)))).toBe(false);

      const worklist = await request<Item[]>(url, nurse.token, 'GET', '/api/worklist');
      expect(worklist.body.find((i) => i.alert.id === raised.alert.id)?.alert).toMatchObject({
        state: 'open',
        severity: worsened.alert.severity,
        worsenedFrom: raised.alert.severity,
        worsenedAt: worsened.alert.worsenedAt,
      });
      const events = await request<Array<{ kind: string; fromState: string; toState: string }>>(url, nurse.token, 'GET', `/api/alerts/${raised.alert.id}/events`);
      expect(events.body.map((e) => [e.kind, e.fromState, e.toState])).toEqual([
        ['raised', null, 'open'],
        ['acknowledged', 'open', 'acknowledged'],
        ['worsened', 'acknowledged', 'open'],
      ]);
    } finally {
      stream.close();
    }
  });
});
