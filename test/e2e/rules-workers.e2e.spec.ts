import { randomUUID } from 'node:crypto';
import type { Storage } from '@homeward/storage';
import { aReading, aValidNhsNumber } from '@homeward/testing';
import { eventually, realDatabase } from './gateway-fixture';
import { type HomewardProcess, killLeftovers, runHomeward } from './homeward-process';

const PARTITIONS = 8;
const LEASE_SECONDS = 3;
const PATIENTS = 12;
const ROUNDS = 24;
/** Every 4th round is a low SpO2 (88 %): 6 low readings per patient, one threshold episode each. */
const LOW_EVERY = 4;
const partitioning = { consumer: 'rules-engine', partitions: PARTITIONS };

const workerEnv = (url: string) => ({ DATABASE_URL: url, HOMEWARD_RULES_PARTITIONS: String(PARTITIONS), HOMEWARD_RULES_LEASE_SECONDS: String(LEASE_SECONDS) });

async function startWorker(url: string): Promise<HomewardProcess> {
  const worker = runHomeward(['rules-worker'], workerEnv(url));
  await eventually(async () => {
    if (worker.child.exitCode !== null) throw new Error(`rules worker exited (${worker.child.exitCode}):\n${worker.stderr()}`);
    return /Rules worker \S+ is running/.test(worker.stdout());
  }, 60_000);
  return worker;
}

const workerIdOf = (worker: HomewardProcess) => /Rules worker (\S+) is running/.exec(worker.stdout())?.[1] ?? '';

async function ownersOf(storage: Storage): Promise<Map<string, number[]>> {
  const owners = new Map<string, number[]>();
  for (const lease of await storage.partitions.leases(partitioning)) {
    if (lease.owner === null || (lease.expiresAt && lease.expiresAt.getTime() < Date.now())) continue;
    owners.set(lease.owner, [...(owners.get(lease.owner) ?? []), lease.partition]);
  }
  return owners;
}

// `homeward rules-worker` processes splitting the patients through partition leases in a real
// PostgreSQL; one is SIGKILLed in the middle of a stream of readings.
describe('rules workers: partitions per patient, failover when a worker dies', () => {
  afterAll(() => killLeftovers());

  it('splits the partitions, and when a worker is killed mid-stream the survivor takes over: no reading unevaluated, no alert twice', async () => {
    const db = await realDatabase();
    try {
      const { storage } = db;
      const ward = await storage.registry.createWard(`Ward ${randomUUID().slice(0, 8)}`);
      const patients: string[] = [];
      for (let i = 0; i < PATIENTS; i++) {
        const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Test', familyName: randomUUID(), dateOfBirth: '1950-05-05' });
        await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'general' });
        patients.push(patient.id);
      }
      const partitionOf = new Map<string, number>();
      for (const id of patients) {
        const { rows } = await storage.db.query<{ p: number }>('SELECT homeward_patient_partition($1::uuid, $2::int) AS p', [id, PARTITIONS]);
        partitionOf.set(id, rows[0]?.p ?? -1);
      }

      const workers = [await startWorker(db.url), await startWorker(db.url)];
      const ids = workers.map(workerIdOf);
      // Fair shares once both have heartbeated: 4 partitions each.
      const split = await eventually(async () => {
        const owners = await ownersOf(storage);
        return ids.every((id) => owners.get(id)?.length === PARTITIONS / 2) ? owners : undefined;
      }, 20_000);
      // The victim is the worker holding the first patient's partition, so it surely has work to lose.
      const victimIndex = split.get(ids[0] as string)?.includes(partitionOf.get(patients[0] as string) ?? -1) ? 0 : 1;
      const victim = workers[victimIndex] as HomewardProcess;
      const survivorId = ids[1 - victimIndex] as string;
      const victimPatients = patients.filter((p) => split.get(ids[victimIndex] as string)?.includes(partitionOf.get(p) ?? -1)).length;

      const start = Date.now() - 3 * 60 * 60_000;
      let killedAt = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const spo2 = round % LOW_EVERY === 0 ? 88 : 97;
        await storage.readings.insertBatch(patients.map((patientId) => aReading({ patientId, vital: 'spo2', value: spo2, unit: '%', measuredAt: new Date(start + round * 60_000) })));
        await storage.readings.notifyNewReadings();
        if (round === ROUNDS / 2) {
          victim.child.kill('SIGKILL');
          killedAt = Date.now();
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await victim.exited;

      // The survivor takes over the dead worker's partitions once their leases expire.
      await eventually(async () => ((await ownersOf(storage)).get(survivorId)?.length === PARTITIONS ? true : undefined), (LEASE_SECONDS + 10) * 1000);
      const takeoverMs = Date.now() - killedAt;
      expect(takeoverMs).toBeLessThan((LEASE_SECONDS + 5) * 1000);

      // Every committed reading is evaluated: each partition's cursors (fresh and late lane: these
      // readings were measured hours before they were stored) pass every reading of their lane.
      await eventually(async () => (await storage.partitions.unevaluated('rules-engine', PARTITIONS, new Date())).length === 0, 20_000);
      const caughtUpMs = Date.now() - killedAt;

      // One alert per episode, each low reading counted exactly once.
      const alerts = await storage.alerts.openForWards([ward.id]);
      const lows = Math.ceil(ROUNDS / LOW_EVERY);
      for (const patientId of patients) {
        const mine = alerts.filter((a) => a.patientId === patientId);
        const keys = mine.map((a) => `${a.rule}|${a.subject}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(mine.find((a) => a.rule === 'vital-threshold')?.occurrences).toBe(lows);
        expect(mine.find((a) => a.rule === 'vital-threshold')?.readingIds).toHaveLength(lows);
      }
      process.stdout.write(
        `rules workers: ${PATIENTS} patients × ${ROUNDS} readings in ${PARTITIONS} partitions, worker with ${victimPatients} patients SIGKILLed mid-stream; ` +
          `survivor held all partitions ${takeoverMs} ms after the kill (lease ${LEASE_SECONDS} s), every cursor at the end ${caughtUpMs} ms after; ` +
          `${alerts.length} open alerts, ${alerts.filter((a) => a.rule === 'vital-threshold').length} threshold alerts with ${lows} occurrences each\n`,
      );
    } finally {
      await killLeftovers();
      await db.dispose();
    }
  }, 180_000);
});
