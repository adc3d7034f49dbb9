import type { Storage } from '@homeward/storage';
import { PIPELINE_STALL_RULE, PipelineStallMonitor, type RunningRulesEngine } from '../src';
import { BACKENDS, MINUTE, ManualClock, admitPatient, anEngine, readingsAt, settle } from './rules-engine.fixture';

jest.setTimeout(60_000);

const START = new Date('2026-03-01T08:00:00.000Z');
const PARTITIONS = 4;
const LEASE_MS = 600;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const backend of BACKENDS) {
  describe(`rules engine partitions and the pipeline-stall alert on ${backend.label}`, () => {
    let storage: Storage;
    let close: () => Promise<void>;
    const engines: RunningRulesEngine[] = [];

    beforeAll(async () => {
      ({ storage, close } = await backend.open());
    });
    afterEach(async () => {
      for (const engine of engines.splice(0)) await engine.close();
    });
    afterAll(async () => {
      await close?.();
    });

    it('two workers split the partitions, each patient is evaluated by one of them, and every low reading is counted once', async () => {
      const clock = new ManualClock(START);
      const partitioning = (workerId: string) => ({ partitions: PARTITIONS, leaseMs: LEASE_MS, workerId });
      const a = await anEngine(storage, clock, { partitioning: partitioning('worker-a') });
      const b = await anEngine(storage, clock, { consumer: a.engine.consumerName, partitioning: partitioning('worker-b') });
      engines.push(a, b);
      // Heartbeats (driven here): a takes everything first, then gives b its share.
      for (let i = 0; i < 20 && !(a.engine.ownedPartitions.length === 2 && b.engine.ownedPartitions.length === 2); i++) {
        await a.engine.drain();
        await b.engine.drain();
        await sleep(LEASE_MS / 3 + 20);
      }
      expect([...a.engine.ownedPartitions, ...b.engine.ownedPartitions].sort()).toEqual([0, 1, 2, 3]);
      expect(a.engine.ownedPartitions).toHaveLength(2);

      const patients = [];
      for (let i = 0; i < 6; i++) patients.push((await admitPatient(storage, 'general', {}, START)).patient.id);
      for (let moment = 0; moment < 6; moment++) {
        const at = new Date(START.getTime() + (moment + 1) * 10 * MINUTE);
        await storage.readings.insertBatch(patients.flatMap((p) => readingsAt(p, at, { spo2: moment % 2 === 0 ? 88 : 97 })));
        clock.set(new Date(at.getTime() + MINUTE));
        await Promise.all([a.engine.drain(), b.engine.drain()]);
      }
      const end = (await storage.db.query<{ txid: string; id: string }>('SELECT txid::text AS txid, id::text AS id FROM readings ORDER BY readings.txid DESC, readings.id DESC LIMIT 1')).rows[0];
      for (let i = 0; i < 100; i++) {
        const cursors = await storage.partitions.cursors({ consumer: a.engine.consumerName, partitions: PARTITIONS });
        if (cursors.every((c) => c.txid === end?.txid && c.id === end?.id)) break;
        await Promise.all([a.engine.drain(), b.engine.drain()]);
        await sleep(25);
      }
      expect(await storage.partitions.cursors({ consumer: a.engine.consumerName, partitions: PARTITIONS })).toEqual(Array(PARTITIONS).fill(end));
      for (const patientId of patients) {
        const alerts = await storage.alerts.forPatient(patientId);
        const threshold = alerts.filter((x) => x.rule === 'vital-threshold');
        expect(threshold).toHaveLength(1);
        expect(threshold[0]?.occurrences).toBe(3);
      }
    });

    it('a worker that stops renewing loses its partitions to the other after the lease time, and a stopping worker hands them back at once', async () => {
      const clock = new ManualClock(START);
      const a = await anEngine(storage, clock, { partitioning: { partitions: PARTITIONS, leaseMs: LEASE_MS, workerId: 'worker-a' } });
      const b = await anEngine(storage, clock, { consumer: a.engine.consumerName, partitioning: { partitions: PARTITIONS, leaseMs: LEASE_MS, workerId: 'worker-b' } });
      engines.push(a, b);
      await a.engine.drain();
      await b.engine.drain();
      expect(a.engine.ownedPartitions).toEqual([0, 1, 2, 3]);
      expect(b.engine.ownedPartitions).toEqual([]);
      // a falls silent (no heartbeat): after its lease expires b takes everything.
      await sleep(LEASE_MS + 100);
      await b.engine.drain();
      expect(b.engine.ownedPartitions).toEqual([0, 1, 2, 3]);
      // b stops cleanly: its partitions are free at once, before any lease time.
      await b.close();
      engines.splice(engines.indexOf(b), 1);
      const leases = await storage.partitions.leases({ consumer: a.engine.consumerName, partitions: PARTITIONS });
      expect(leases.map((l) => l.owner)).toEqual([null, null, null, null]);
    });

    it('raises the pipeline-stall alert for a patient whose readings wait unevaluated past the limit (at the second check), not for a late upload evaluated meanwhile, and resolves it once evaluated', async () => {
      const clock = new ManualClock(START);
      const engine = await anEngine(storage, clock);
      engines.push(engine);
      const monitor = new PipelineStallMonitor(storage, { consumer: engine.engine.consumerName, partitions: undefined, stallAfterMs: 5 * MINUTE, clock });
      const stuck = await admitPatient(storage, 'general', {}, START);
      const uploaded = await admitPatient(storage, 'general', {}, START);

      await storage.readings.insertBatch(readingsAt(stuck.patient.id, START, { spo2: 96 }, START));
      clock.set(new Date(START.getTime() + 10 * MINUTE));
      // A hub's backlog: received (by the hub) long ago, stored just now.
      await storage.readings.insertBatch(readingsAt(uploaded.patient.id, START, { spo2: 95 }, START));
      expect(await monitor.check()).toMatchObject({ raised: [], waiting: 2 });

      // The engine evaluates both before the next check: a moment's wait, not a stall, so nothing is raised.
      await settle(storage, engine.engine);
      expect(await monitor.check()).toMatchObject({ raised: [], resolved: [], waiting: 0 });

      await storage.readings.insertBatch(readingsAt(stuck.patient.id, new Date(START.getTime() + 11 * MINUTE), { spo2: 97 }, new Date(START.getTime() + 11 * MINUTE)));
      clock.set(new Date(START.getTime() + 20 * MINUTE));
      expect(await monitor.check()).toMatchObject({ raised: [], waiting: 1 });
      const second = await monitor.check();
      expect(second.raised.map((x) => [x.patientId, x.wardId, x.rule, x.severity])).toEqual([[stuck.patient.id, stuck.ward.id, PIPELINE_STALL_RULE, 'medium']]);
      expect((await storage.alerts.openForWards([stuck.ward.id])).map((x) => x.rule)).toEqual([PIPELINE_STALL_RULE]);
      expect((await monitor.check()).raised).toEqual([]); // once per episode
      // Staff also see it as one system alert (not a patient's), counted on each confirming check.
      const system = (await storage.systemAlerts.list()).filter((a) => a.kind === 'pipeline-stalled');
      expect(system.map((a) => [a.source, a.state, a.occurrences, a.details['patientsWaiting']])).toEqual([['rules', 'open', 2, 1]]);

      await settle(storage, engine.engine);
      const after = await monitor.check();
      expect(after.resolved.map((x) => [x.patientId, x.state, x.outcome])).toEqual([[stuck.patient.id, 'resolved', 'reading-received']]);
      expect(await storage.alerts.openForWards([stuck.ward.id, uploaded.ward.id])).toEqual([]);
      expect((await storage.systemAlerts.get(system[0]!.id))).toMatchObject({ state: 'resolved', resolvedBy: 'pipeline-monitor' });
    });
  });
}
