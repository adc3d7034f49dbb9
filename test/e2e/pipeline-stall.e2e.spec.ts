import { randomUUID } from 'node:crypto';
import { topics } from '@homeward/contracts';
import type { Alert } from '@homeward/domain';
import { call, signedInAccount } from './api-fixture';
import { aPatientWithDevice, connectDevice, endDeviceClients, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers, runHomeward } from './homeward-process';

afterEach(() => endDeviceClients());

const STALL_SECONDS = 2;
const rulesEnv = { HOMEWARD_RULES_PARTITIONS: '4', HOMEWARD_RULES_LEASE_SECONDS: '3', HOMEWARD_STALL_ALERT_SECONDS: String(STALL_SECONDS) };

type WorklistItem = { alert: Alert; patient: { id: string } | null };

// A silent pipeline must never look like healthy patients: readings stored by the gateway but not
// evaluated by any rules worker put a technical alert on the nurse's worklist, which goes away by
// itself once a worker evaluates them.
describe('pipeline-stall technical alert', () => {
  afterAll(() => killLeftovers());

  it('appears on the worklist when stored readings wait unevaluated, and resolves itself when a rules worker catches up', async () => {
    const db = await realDatabase();
    try {
      // The api and gateway only: the rules are left to workers, and none is running yet.
      const homeward = await startHomeward(db.url, rulesEnv, undefined, ['--no-rules']);
      const api = `http://127.0.0.1:${homeward.apiPort}`;
      const ward = await db.storage.registry.createWard(`Ward ${randomUUID().slice(0, 8)}`);
      const device = await aPatientWithDevice(db.storage);
      await db.storage.registry.admit({ patientId: device.patientId, wardId: ward.id, pathway: 'general' });
      const nurse = await signedInAccount(api, db.url, ['--role', 'nurse', '--ward', ward.id]);
      const worklist = async () => (await (await call(api, nurse.token, 'GET', '/api/worklist')).json()) as WorklistItem[];

      const client = await connectDevice(homeward.mqttPort, device);
      await client.publishAsync(topics.readings(device.deviceId), JSON.stringify({ readings: [{ vital: 'spo2', value: 87, unit: '%', deviceTime: new Date(Date.now() - 60_000).toISOString() }] }), { qos: 1 });
      const storedAt = Date.now();

      const stalled = await eventually(async () => {
        const items = await worklist();
        return items.find((item) => item.alert.rule === 'pipeline-stalled');
      }, 20_000);
      const raisedAfterMs = Date.now() - storedAt;
      expect(stalled.patient?.id).toBe(device.patientId);
      expect(stalled.alert).toMatchObject({ wardId: ward.id, state: 'open', severity: 'medium', details: expect.objectContaining({ technical: true, unevaluatedReadings: 1 }) });
      expect(stalled.alert.explanation).toMatch(/No alert does not mean this patient is well/);
      expect(raisedAfterMs).toBeGreaterThanOrEqual(STALL_SECONDS * 1000 - 200);
      // Nothing clinical was raised: the low SpO2 has not been evaluated.
      expect((await worklist()).map((item) => item.alert.rule)).toEqual(['pipeline-stalled']);
      // Every member of staff sees it as a system alert too, whatever their ward.
      const systemAlerts = async () => ((await (await call(api, nurse.token, 'GET', '/api/system-alerts')).json()) as Array<{ kind: string; state: string; details: Record<string, unknown> }>).filter((a) => a.kind === 'pipeline-stalled');
      expect(await systemAlerts()).toEqual([expect.objectContaining({ state: 'open', details: expect.objectContaining({ patientsWaiting: 1 }) })]);

      // A worker starts: it evaluates the waiting reading, and the technical alert resolves itself.
      const worker = runHomeward(['rules-worker'], { DATABASE_URL: db.url, ...rulesEnv });
      const startedAt = Date.now();
      const after = await eventually(async () => {
        const items = await worklist();
        const rules = items.map((item) => item.alert.rule);
        return !rules.includes('pipeline-stalled') && rules.includes('vital-threshold') ? items : undefined;
      }, 30_000);
      const resolvedAfterMs = Date.now() - startedAt;
      expect(after.map((item) => item.alert.rule).sort()).toEqual(['news2-band', 'vital-threshold']);
      await eventually(async () => ((await systemAlerts()).length === 0 ? true : undefined), 10_000); // resolved by the monitor
      const history = (await db.storage.alerts.forPatient(device.patientId, { includeResolved: true })).find((a) => a.rule === 'pipeline-stalled');
      expect(history).toMatchObject({ state: 'resolved', outcome: 'reading-received' });
      process.stdout.write(`pipeline stall: technical alert on the worklist ${raisedAfterMs} ms after the reading was stored (limit ${STALL_SECONDS} s); resolved ${resolvedAfterMs} ms after a worker started\n`);
      worker.child.kill('SIGINT');
      expect(await worker.exited).toBe(0);
    } finally {
      await killLeftovers();
      await db.dispose();
    }
  }, 120_000);
});
