import { CodedFailure } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import type { SignedInUser } from '../auth/access.decorators';

/**
 * Who may see or touch a patient's data: the patient themselves, or a nurse or clinician of the
 * ward the patient is on. Another ward's patient answers 404, as if absent.
 */
export async function assertPatientAccess(storage: Storage, user: SignedInUser, patientId: string): Promise<void> {
  if (user.role === 'patient') {
    if (user.patientId !== patientId) throw new CodedFailure({ code: 'auth.not-your-record', message: 'Patients may see and enter only their own readings.' });
    return;
  }
  const admission = await storage.registry.activeAdmission(patientId);
  if (!admission || !user.wardIds.includes(admission.wardId)) {
    throw new CodedFailure({ code: 'patient.not-on-a-ward', message: 'No patient with this id is on your wards.' });
  }
}
