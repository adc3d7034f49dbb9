import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CodedFailure } from '@homeward/domain';
import { type IngestPipeline, PatientAdvisor } from '@homeward/ingest';
import type { Storage } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { assertPatientAccess } from '../patients/patient-access';
import { INGEST, STORAGE } from '../tokens';
import { submitManualReadings } from './manual-entry';
import { type ManualReadingsAnswer, ManualReadingsDto } from '@homeward/contracts';
import { Answers } from '../http/answer-schemas';
import { MANUAL_READINGS_ANSWER } from './readings.answers';

/**
 * Manual entry: a patient (their own record), or a nurse or clinician of the patient's ward, types
 * readings in. They go through the same ingest pipeline as device readings (validation,
 * canonical units, idempotency, durable write); 201 only after commit.
 *
 * When a reading of the submission is in the red band, the answer carries the ward's advice to the
 * patient (`advice`, see PatientAdvisor in @homeward/ingest), also on a 422 if other items of it
 * were stored. Duplicates count: a patient resending after a lost answer must still be told.
 */
@Controller('api/patients/:patientId/readings')
export class ReadingsController {
  /** Read fresh for each entry (no reuse): a person at a form, so a plan changed a moment ago counts. */
  private readonly advisor: PatientAdvisor;

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(INGEST) private readonly ingest: IngestPipeline,
  ) {
    this.advisor = new PatientAdvisor(storage.registry);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('reading.create', 'patient', { param: 'patientId' })
  @Refuses('auth.not-your-record', 'patient.not-on-a-ward', 'reading.implausible')
  @Answers(MANUAL_READINGS_ANSWER)
  @Post()
  @HttpCode(201)
  async enter(
    @Param('patientId', new ParseUUIDPipe()) patientId: string,
    @Body() body: ManualReadingsDto,
    @CurrentUser() user: SignedInUser,
    @Trail() trail: AuditTrail,
  ): Promise<ManualReadingsAnswer> {
    await assertPatientAccess(this.storage, user, patientId);
    const readings = body.readings.map((r) => ({ vital: r.vital, value: r.value, unit: r.unit, measuredAt: new Date(r.measuredAt) }));
    const { outcome, advice } = await submitManualReadings(this.ingest, this.advisor, patientId, readings, {
      payload: new TextEncoder().encode(JSON.stringify(body)),
      topic: `api:/api/patients/${patientId}/readings`,
    });
    // Stored is stored: audited even when some items are refused below.
    trail.effective().with({ stored: outcome.stored.length, duplicates: outcome.duplicates.length, rejected: outcome.rejected.length });
    if (outcome.rejected.length > 0) {
      // All or nothing for a person at a form: say exactly what to fix. (Valid items of the same
      // submission were stored; submitting again after fixing is safe, they come back as duplicates.)
      throw new CodedFailure({
        code: outcome.rejected[0]?.error.code ?? 'reading.rejected',
        message: outcome.rejected.map((r) => `readings[${r.index}]: ${r.error.message}`).join(' '),
        details: { rejected: outcome.rejected.map((r) => ({ index: r.index, ...r.error })), stored: outcome.stored.length, ...(advice ? { advice } : {}) },
      });
    }
    return {
      stored: outcome.stored.length,
      duplicates: outcome.duplicates.length,
      readings: outcome.stored.map((r) => ({ id: r.id, vital: r.vital, value: r.value, unit: r.unit, measuredAt: r.measuredAt.toISOString(), status: r.status })),
      ...(advice ? { advice } : {}),
    };
  }
}
