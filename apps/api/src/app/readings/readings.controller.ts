import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { type IngestPipeline, PatientAdvisor } from '@homeward/ingest';
import type { Storage } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { assertPatientAccess } from '../patients/patient-access';
import type { Clock } from '../clock';
import { CLOCK, INGEST, STORAGE } from '../tokens';
import { manualReadingsAnswer, submitManualReadings } from './manual-entry';
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
    @Inject(CLOCK) private readonly clock: Clock,
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
    const submitted = await submitManualReadings(this.ingest, this.advisor, patientId, readings, {
      payload: new TextEncoder().encode(JSON.stringify(body)),
      topic: `api:/api/patients/${patientId}/readings`,
      receivedAt: this.clock.now(),
    });
    const { outcome } = submitted;
    // Stored is stored: audited even when some items are refused.
    trail.effective().with({ stored: outcome.stored.length, duplicates: outcome.duplicates.length, rejected: outcome.rejected.length });
    return manualReadingsAnswer(submitted);
  }
}
