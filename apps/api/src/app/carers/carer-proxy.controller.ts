import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { type CaredForPatient, DEFAULT_PATIENT_ADVICE, type ManualReadingsAnswer, ManualReadingsDto } from '@homeward/contracts';
import { type IngestPipeline, PatientAdvisor } from '@homeward/ingest';
import { CodedFailure } from '@homeward/domain';
import type { Carer, CarerLink, Storage } from '@homeward/storage';
import { Audited, type AuditTrail, NotAudited, Trail } from '../audit/audit.decorators';
import { Refuses } from '../http/openapi-responses';
import { manualReadingsAnswer, submitManualReadings } from '../readings/manual-entry';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import type { Clock } from '../clock';
import { CLOCK, INGEST, STORAGE } from '../tokens';
import { Answers } from '../http/answer-schemas';
import { MANUAL_READINGS_ANSWER } from '../readings/readings.answers';
import { CARED_FOR_PATIENTS } from './carers.answers';

/**
 * A carer acting for the patients linked to them now: whom they care for (with the advice the
 * patient would see, never staff wording) and hand entry of readings, which go through the same
 * ingest pipeline flagged "entered-by-carer" and are audited as "carer X for patient Y". A link
 * that has ended (revoked, discharged) gives no access: the patient answers 404, as if absent.
 */
@Controller('api/carer/patients')
export class CarerProxyController {
  private readonly advisor: PatientAdvisor;

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(INGEST) private readonly ingest: IngestPipeline,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.advisor = new PatientAdvisor(storage.registry);
  }

  @Roles('carer')
  @NotAudited('the carer\'s own list of the patients they are linked to, with the advice those patients see')
  @Refuses('carer.no-record')
  @Answers(CARED_FOR_PATIENTS)
  @Get()
  async patients(@CurrentUser() user: SignedInUser): Promise<CaredForPatient[]> {
    const carer = await this.carerOf(user);
    const links = await this.storage.carers.links(carer.id);
    const patients: CaredForPatient[] = [];
    for (const link of links) {
      const patient = await this.storage.registry.getPatient(link.patientId);
      if (!patient) continue;
      const context = await this.storage.registry.patientAdviceContext(link.patientId);
      patients.push({ patientId: patient.id, givenName: patient.givenName, familyName: patient.familyName, advice: context?.wardPatientAdvice ?? DEFAULT_PATIENT_ADVICE });
    }
    return patients;
  }

  @Roles('carer')
  @Audited('reading.create', 'patient', { param: 'patientId' })
  @Refuses('carer.no-record', 'carer.not-linked')
  @Answers(MANUAL_READINGS_ANSWER)
  @Post(':patientId/readings')
  @HttpCode(201)
  async enter(
    @Param('patientId', new ParseUUIDPipe()) patientId: string,
    @Body() body: ManualReadingsDto,
    @CurrentUser() user: SignedInUser,
    @Trail() trail: AuditTrail,
  ): Promise<ManualReadingsAnswer> {
    const carer = await this.carerOf(user);
    const link = await this.linkTo(carer, patientId);
    const readings = body.readings.map((r) => ({ vital: r.vital, value: r.value, unit: r.unit, measuredAt: new Date(r.measuredAt) }));
    const submitted = await submitManualReadings(
      this.ingest,
      this.advisor,
      patientId,
      readings,
      { payload: new TextEncoder().encode(JSON.stringify(body)), topic: `api:/api/carer/patients/${patientId}/readings`, receivedAt: this.clock.now() },
      ['entered-by-carer'],
    );
    const { outcome } = submitted;
    trail
      .by(carer.id, 'carer')
      .with({ proxy: `carer ${carer.displayName} for patient ${patientId}`, via: 'web', userId: user.id, linkId: link.id, basis: link.basis, stored: outcome.stored.length, duplicates: outcome.duplicates.length, rejected: outcome.rejected.length });
    if (outcome.stored.length > 0) trail.effective(); // stored before any 422
    return manualReadingsAnswer(submitted);
  }

  private async carerOf(user: SignedInUser): Promise<Carer> {
    const carer = await this.storage.carers.forUser(user.id);
    if (!carer) throw new CodedFailure({ code: 'carer.no-record', message: 'This account is not set up as a carer yet. Please ask the ward.' });
    return carer;
  }

  private async linkTo(carer: Carer, patientId: string): Promise<CarerLink> {
    const link = await this.storage.carers.activeLink(carer.id, patientId);
    if (!link) throw new CodedFailure({ code: 'carer.not-linked', message: 'You are not linked to this patient now.' });
    return link;
  }
}
