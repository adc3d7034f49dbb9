import type { CohortPatient } from '@homeward/device-simulators';
import { parseNhsNumber } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { registerDeviceWithSecret } from '../commands/device-add.command';
import { createAccount } from '../commands/user-add.command';

export interface DemoAccount {
  readonly email: string;
  readonly password: string;
  readonly displayName: string;
}

export interface SeededDemoWard {
  readonly wardId: string;
  readonly wardName: string;
  readonly nurse: DemoAccount;
  readonly clinician: DemoAccount;
  /** Per cohort patient: the registered patient and its device's MQTT credentials. */
  readonly patients: ReadonlyArray<{ readonly patientId: string; readonly deviceId: string; readonly secret: string }>;
}

/**
 * A fresh demo ward for this run: a nurse and a clinician (passwords generated, shown once, as
 * `homeward user add` does), and the cohort's patients admitted on their pathways, each with a
 * home hub or patient app registered as `homeward device add` does. Every run gets its own ward
 * and accounts, so a second run never collides with the first one's data.
 */
export async function seedDemoWard(
  storage: Storage,
  cohort: readonly CohortPatient[],
  runId: string,
  progress: (done: number, total: number) => void,
  /** When the replayed timeline starts: the patients were admitted then (silence counts from it). */
  admittedAt?: Date,
): Promise<SeededDemoWard> {
  const wardName = `Demo virtual ward ${runId}`;
  const ward = await storage.registry.createWard(wardName);
  const account = async (role: 'nurse' | 'clinician', displayName: string): Promise<DemoAccount> => {
    const email = `demo-${role}-${runId}@example.org`;
    const { password } = await createAccount(storage, { email, displayName, role, wardIds: [ward.id], patientId: null });
    return { email, password, displayName };
  };
  const nurse = await account('nurse', 'Demo Nurse');
  const clinician = await account('clinician', 'Demo Clinician');
  const patients: Array<{ patientId: string; deviceId: string; secret: string }> = [];
  for (const simulated of cohort) {
    const nhs = parseNhsNumber(simulated.nhsNumber);
    if (!nhs.ok) throw new Error(`the cohort made a bad NHS number ${simulated.nhsNumber}`);
    // A number from an earlier run (same seed) stays with that run's patient: take the next one.
    const existing = await storage.registry.findPatientByNhsNumber(nhs.value);
    const patient =
      existing ??
      (await storage.registry.createPatient({ nhsNumber: nhs.value, givenName: simulated.givenName, familyName: simulated.familyName, dateOfBirth: simulated.dateOfBirth }));
    const admitted = await storage.registry.activeAdmission(patient.id);
    if (admitted) await storage.registry.discharge(admitted.id, new Date(), 'moved to a newer demo ward');
    await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: simulated.pathway, ...(admittedAt ? { admittedAt } : {}) });
    await storage.audit.record({ actorType: 'system', actorId: 'cli', action: 'patient.create', subjectType: 'patient', subjectId: patient.id, patientId: patient.id });
    const { device, secret } = await registerDeviceWithSecret(storage, {
      type: simulated.device,
      serial: `SIM-${simulated.device === 'hub' ? 'HUB' : 'APP'}-${runId}-${simulated.index}`,
      model: simulated.device === 'hub' ? 'Homeward simulated home hub' : 'Homeward simulated patient app',
      bleAddress: null,
      patientId: patient.id,
    });
    patients.push({ patientId: patient.id, deviceId: device.id, secret });
    progress(patients.length, cohort.length);
  }
  return { wardId: ward.id, wardName, nurse, clinician, patients };
}
