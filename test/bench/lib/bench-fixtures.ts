import { randomUUID } from 'node:crypto';
import { generateSecret, hashSecret } from '@homeward/auth';
import { parseNhsNumber } from '@homeward/domain';
import { generateDeviceSecret, hashDeviceSecret } from '@homeward/gateway';
import { LANE_SQL, type Storage } from '@homeward/storage';
import { aValidNhsNumber } from '@homeward/testing';

export interface BenchDevice {
  readonly deviceId: string;
  readonly patientId: string | null;
}

/**
 * Devices for a benchmark, all with one secret, hashed as every new device's is (SHA-256 of a
 * generated secret; libs/auth hashDeviceSecret). The gateway still checks the secret against
 * the stored hash at every first login, which is what the benchmarks measure.
 */
export async function benchSecret(): Promise<{ secret: string; hash: string }> {
  const secret = generateDeviceSecret();
  return { secret, hash: await hashDeviceSecret(secret) };
}

/** Patients admitted to one ward, each with a hub (so the rules engine evaluates their readings). */
export async function admittedPatientsWithHubs(storage: Storage, count: number, credentialsHash: string, wardName = `Bench ward ${randomUUID().slice(0, 8)}`): Promise<{ wardId: string; devices: BenchDevice[] }> {
  const ward = await storage.registry.createWard(wardName);
  const devices: BenchDevice[] = [];
  for (let i = 0; i < count; i++) {
    const nhs = parseNhsNumber(aValidNhsNumber({ testRange: true }));
    if (!nhs.ok) throw new Error('builder made a bad NHS number');
    const patient = await storage.registry.createPatient({ nhsNumber: nhs.value, givenName: 'Bench', familyName: `Patient ${i}`, dateOfBirth: '1950-01-01' });
    await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'general' });
    const device = await storage.registry.registerDevice({ type: 'hub', serial: `BENCH-${randomUUID()}`, patientId: patient.id, credentialsHash });
    devices.push({ deviceId: device.id, patientId: patient.id });
  }
  return { wardId: ward.id, devices };
}

/** Unassigned hubs in bulk (one INSERT), for the idle-connection benchmark. */
export async function bulkHubs(storage: Storage, count: number, credentialsHash: string): Promise<BenchDevice[]> {
  const run = randomUUID().slice(0, 8);
  const result = await storage.db.query<{ id: string }>(
    `INSERT INTO devices (type, serial, credentials_hash) SELECT 'hub', 'BENCH-IDLE-' || $1 || '-' || g, $2 FROM generate_series(1, $3::int) g RETURNING id`,
    [run, credentialsHash, count],
  );
  return result.rows.map((row) => ({ deviceId: row.id, patientId: null }));
}

/** A nurse on the ward, with a password the bench signs in with. */
export async function benchNurse(storage: Storage, wardId: string): Promise<{ email: string; password: string }> {
  const email = `bench-nurse-${randomUUID().slice(0, 8)}@example.org`;
  const password = generateSecret();
  const user = await storage.registry.createUser({ email, displayName: 'Bench Nurse', role: 'nurse', passwordHash: await hashSecret(password) });
  await storage.registry.addWardMember(wardId, user.id);
  return { email, password };
}

/** Readings stored but not yet past the rules engine's cursor(s) of their lane (fresh or late). */
export async function rulesBacklog(context: { db: { storage: Storage } }): Promise<number> {
  const least = (family: string) =>
    `(SELECT c.txid, c.reading_id FROM reading_consumers c WHERE c.consumer = '${family}' OR c.consumer LIKE '${family}:%' ORDER BY c.txid, c.reading_id LIMIT 1)`;
  const result = await context.db.storage.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM readings r
     WHERE CASE WHEN ${LANE_SQL.late} AND EXISTS (SELECT 1 FROM reading_consumers WHERE consumer LIKE 'rules-engine.late%')
       THEN (r.txid, r.id) > ${least('rules-engine.late')} ELSE (r.txid, r.id) > ${least('rules-engine')} END`,
  );
  return Number(result.rows[0]?.n ?? 0);
}
