import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { type CarerLinkView, CreateCarerDto, CreateCarerLinkDto, VerifiedPhoneNumberDto } from '@homeward/contracts';
import { CodedFailure } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Refuses } from '../http/openapi-responses';
import { assertPatientAccess } from '../patients/patient-access';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { carerLinkView } from './carer-link.view';
import { Answers } from '../http/answer-schemas';
import { CARER, CARER_LINK, VERIFIED_NUMBER } from './carers.answers';

/**
 * Staff manage carers: the carer, the verified phone numbers they and patients text from, and the
 * links that let a carer act for a patient. A link records its basis: the patient's consent, or a
 * clinician's best-interest decision (only a clinician may record one), with date and reason. It
 * ends when revoked here or at discharge. Every change is audited.
 */
@Controller('api')
export class CarersController {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Roles('nurse', 'clinician', 'admin')
  @Audited('carer.create', 'carer')
  @Refuses('carer.account-not-carer')
  @Answers(CARER)
  @Post('carers')
  @HttpCode(201)
  async create(@Body() body: CreateCarerDto, @Trail() trail: AuditTrail): Promise<{ id: string; displayName: string; userId: string | null }> {
    if (body.userId) {
      const account = await this.storage.registry.getUser(body.userId);
      if (!account || account.role !== 'carer') throw new CodedFailure({ code: 'carer.account-not-carer', message: 'userId must be an account with the carer role.' });
    }
    const carer = await this.storage.carers.create({ displayName: body.displayName, userId: body.userId ?? null });
    trail.about({ subjectId: carer.id });
    return carer;
  }

  @Roles('nurse', 'clinician')
  @Audited('carer-link.create', 'carer', { param: 'carerId' })
  @Refuses('patient.not-found', 'carer.best-interest-needs-clinician', 'carer.not-found', 'carer.already-linked')
  @Answers(CARER_LINK)
  @Post('carers/:carerId/links')
  @HttpCode(201)
  async link(@Param('carerId', new ParseUUIDPipe()) carerId: string, @Body() body: CreateCarerLinkDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<CarerLinkView> {
    await assertPatientAccess(this.storage, user, body.patientId);
    if (body.basis === 'best-interest' && user.role !== 'clinician') {
      throw new CodedFailure({ code: 'carer.best-interest-needs-clinician', message: 'Only a clinician may record a best-interest decision.' });
    }
    if (!(await this.storage.carers.get(carerId))) throw new CodedFailure({ code: 'carer.not-found', message: 'No carer with this id.' });
    if (await this.storage.carers.activeLink(carerId, body.patientId)) {
      throw new CodedFailure({ code: 'carer.already-linked', message: 'This carer is already linked to this patient.' });
    }
    const link = await this.storage.carers.link({ carerId, patientId: body.patientId, basis: body.basis, decidedOn: body.decidedOn, reason: body.reason, decidedBy: user.id, at: this.clock.now() });
    trail.about({ patientId: body.patientId }).with({ linkId: link.id, basis: link.basis, decidedOn: link.decidedOn });
    return carerLinkView(link);
  }

  @Roles('nurse', 'clinician')
  @Audited('carer-link.revoke', 'carer', { param: 'carerId' })
  @Refuses('carer.link-not-found', 'patient.not-found')
  @Answers(CARER_LINK)
  @Post('carers/:carerId/links/:linkId/revoke')
  @HttpCode(200)
  async revoke(
    @Param('carerId', new ParseUUIDPipe()) carerId: string,
    @Param('linkId', new ParseUUIDPipe()) linkId: string,
    @CurrentUser() user: SignedInUser,
    @Trail() trail: AuditTrail,
  ): Promise<CarerLinkView> {
    const active = (await this.storage.carers.links(carerId)).find((l) => l.id === linkId);
    if (!active) throw new CodedFailure({ code: 'carer.link-not-found', message: 'No active link with this id for this carer.' });
    await assertPatientAccess(this.storage, user, active.patientId);
    const revoked = await this.storage.carers.revoke(linkId, this.clock.now());
    if (!revoked) throw new CodedFailure({ code: 'carer.link-not-found', message: 'No active link with this id for this carer.' });
    trail.about({ patientId: revoked.patientId }).with({ linkId });
    return carerLinkView(revoked);
  }

  @Roles('nurse', 'clinician', 'admin')
  @Audited('phone-number.verify', 'carer', { param: 'carerId' })
  @Refuses('carer.not-found', 'phone-number.in-use')
  @Answers(VERIFIED_NUMBER)
  @Put('carers/:carerId/phone-number')
  async carerNumber(@Param('carerId', new ParseUUIDPipe()) carerId: string, @Body() body: VerifiedPhoneNumberDto): Promise<{ number: string; verifiedAt: string }> {
    if (!(await this.storage.carers.get(carerId))) throw new CodedFailure({ code: 'carer.not-found', message: 'No carer with this id.' });
    await this.assertNumberFree(body.number, { carerId });
    const verifiedAt = this.clock.now();
    await this.storage.sms.addNumber({ number: body.number, carerId, verifiedAt });
    return { number: body.number, verifiedAt: verifiedAt.toISOString() };
  }

  @Roles('nurse', 'clinician')
  @Audited('phone-number.verify', 'patient', { param: 'patientId' })
  @Refuses('patient.not-found', 'phone-number.in-use')
  @Answers(VERIFIED_NUMBER)
  @Put('patients/:patientId/phone-number')
  async patientNumber(@Param('patientId', new ParseUUIDPipe()) patientId: string, @Body() body: VerifiedPhoneNumberDto, @CurrentUser() user: SignedInUser): Promise<{ number: string; verifiedAt: string }> {
    await assertPatientAccess(this.storage, user, patientId);
    await this.assertNumberFree(body.number, { patientId });
    const verifiedAt = this.clock.now();
    await this.storage.sms.addNumber({ number: body.number, patientId, verifiedAt });
    return { number: body.number, verifiedAt: verifiedAt.toISOString() };
  }

  /** A verified number identifies one sender: it is never moved to someone else silently. */
  private async assertNumberFree(number: string, owner: { patientId?: string; carerId?: string }): Promise<void> {
    const sender = await this.storage.sms.findSender(number);
    if (!sender) return;
    const same = sender.kind === 'patient' ? sender.patientId === owner.patientId : sender.carerId === owner.carerId;
    if (!same) throw new CodedFailure({ code: 'phone-number.in-use', message: 'This number is already the verified number of another patient or carer.' });
  }
}
