import { Body, ConflictException, Controller, ForbiddenException, HttpCode, Inject, Ip, NotFoundException, Param, ParseUUIDPipe, Post, Put, UnprocessableEntityException } from '@nestjs/common';
import { type CarerLinkView, CreateCarerDto, CreateCarerLinkDto, VerifiedPhoneNumberDto } from '@homeward/contracts';
import type { Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { assertPatientAccess } from '../patients/patient-access';
import { STORAGE } from '../tokens';
import { carerLinkView } from './carer-link.view';

/**
 * Staff manage carers: the carer, the verified phone numbers they and patients text from, and the
 * links that let a carer act for a patient. A link records its basis: the patient's consent, or a
 * clinician's best-interest decision (only a clinician may record one), with date and reason. It
 * ends when revoked here or at discharge. Every change is audited.
 */
@Controller('api')
export class CarersController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Roles('nurse', 'clinician', 'admin')
  @Post('carers')
  @HttpCode(201)
  async create(@Body() body: CreateCarerDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<{ id: string; displayName: string; userId: string | null }> {
    if (body.userId) {
      const account = await this.storage.registry.getUser(body.userId);
      if (!account || account.role !== 'carer') throw new UnprocessableEntityException({ code: 'carer.account-not-carer', message: 'userId must be an account with the carer role.' });
    }
    const carer = await this.storage.carers.create({ displayName: body.displayName, userId: body.userId ?? null });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'carer.create', subjectType: 'carer', subjectId: carer.id, ip });
    return carer;
  }

  @Roles('nurse', 'clinician')
  @Post('carers/:carerId/links')
  @HttpCode(201)
  async link(@Param('carerId', new ParseUUIDPipe()) carerId: string, @Body() body: CreateCarerLinkDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<CarerLinkView> {
    await assertPatientAccess(this.storage, user, body.patientId);
    if (body.basis === 'best-interest' && user.role !== 'clinician') {
      throw new ForbiddenException({ code: 'carer.best-interest-needs-clinician', message: 'Only a clinician may record a best-interest decision.' });
    }
    if (!(await this.storage.carers.get(carerId))) throw new NotFoundException({ code: 'carer.not-found', message: 'No carer with this id.' });
    if (await this.storage.carers.activeLink(carerId, body.patientId)) {
      throw new UnprocessableEntityException({ code: 'carer.already-linked', message: 'This carer is already linked to this patient.' });
    }
    const link = await this.storage.carers.link({ carerId, patientId: body.patientId, basis: body.basis, decidedOn: body.decidedOn, reason: body.reason, decidedBy: user.id, at: new Date() });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'carer-link.create', subjectType: 'carer', subjectId: carerId, patientId: body.patientId, ip, details: { linkId: link.id, basis: link.basis, decidedOn: link.decidedOn } });
    return carerLinkView(link);
  }

  @Roles('nurse', 'clinician')
  @Post('carers/:carerId/links/:linkId/revoke')
  @HttpCode(200)
  async revoke(
    @Param('carerId', new ParseUUIDPipe()) carerId: string,
    @Param('linkId', new ParseUUIDPipe()) linkId: string,
    @CurrentUser() user: SignedInUser,
    @Ip() ip: string,
  ): Promise<CarerLinkView> {
    const active = (await this.storage.carers.links(carerId)).find((l) => l.id === linkId);
    if (!active) throw new NotFoundException({ code: 'carer.link-not-found', message: 'No active link with this id for this carer.' });
    await assertPatientAccess(this.storage, user, active.patientId);
    const revoked = await this.storage.carers.revoke(linkId, new Date());
    if (!revoked) throw new NotFoundException({ code: 'carer.link-not-found', message: 'No active link with this id for this carer.' });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'carer-link.revoke', subjectType: 'carer', subjectId: carerId, patientId: revoked.patientId, ip, details: { linkId } });
    return carerLinkView(revoked);
  }

  @Roles('nurse', 'clinician', 'admin')
  @Put('carers/:carerId/phone-number')
  async carerNumber(@Param('carerId', new ParseUUIDPipe()) carerId: string, @Body() body: VerifiedPhoneNumberDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<{ number: string; verifiedAt: string }> {
    if (!(await this.storage.carers.get(carerId))) throw new NotFoundException({ code: 'carer.not-found', message: 'No carer with this id.' });
    await this.assertNumberFree(body.number, { carerId });
    const verifiedAt = new Date();
    await this.storage.sms.addNumber({ number: body.number, carerId, verifiedAt });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'phone-number.verify', subjectType: 'carer', subjectId: carerId, ip });
    return { number: body.number, verifiedAt: verifiedAt.toISOString() };
  }

  @Roles('nurse', 'clinician')
  @Put('patients/:patientId/phone-number')
  async patientNumber(@Param('patientId', new ParseUUIDPipe()) patientId: string, @Body() body: VerifiedPhoneNumberDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<{ number: string; verifiedAt: string }> {
    await assertPatientAccess(this.storage, user, patientId);
    await this.assertNumberFree(body.number, { patientId });
    const verifiedAt = new Date();
    await this.storage.sms.addNumber({ number: body.number, patientId, verifiedAt });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'phone-number.verify', subjectType: 'patient', subjectId: patientId, patientId, ip });
    return { number: body.number, verifiedAt: verifiedAt.toISOString() };
  }

  /** A verified number identifies one sender: it is never moved to someone else silently. */
  private async assertNumberFree(number: string, owner: { patientId?: string; carerId?: string }): Promise<void> {
    const sender = await this.storage.sms.findSender(number);
    if (!sender) return;
    const same = sender.kind === 'patient' ? sender.patientId === owner.patientId : sender.carerId === owner.carerId;
    if (!same) throw new ConflictException({ code: 'phone-number.in-use', message: 'This number is already the verified number of another patient or carer.' });
  }
}
