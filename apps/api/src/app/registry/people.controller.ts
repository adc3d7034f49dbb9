import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { checkPasswordPolicy, generateSecret, hashSecret } from '@homeward/auth';
import { AddWardMemberDto, CreateUserDto, CreateWardDto, DEFAULT_PATIENT_ADVICE, type Me, type WardPatientAdviceAnswer, WardPatientAdviceDto } from '@homeward/contracts';
import { CodedFailure, fieldFailure, type Role, type User, type Ward } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, NotAudited, Trail } from '../audit/audit.decorators';
import { STORAGE } from '../tokens';
import { Answers, arrayOf } from '../http/answer-schemas';
import { CREATED_USER, ME, USER_WITH_WARDS, WARD, WARD_MEMBER, WARD_PATIENT_ADVICE } from './registry.answers';

/**
 * Who I am, the wards, and the accounts. Admins create wards and accounts (the API twin of
 * `homeward user add`); nurses and clinicians see their own wards and their colleagues on them.
 */
@Controller('api')
export class PeopleController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Roles('patient', 'nurse', 'clinician', 'admin', 'carer')
  @NotAudited('the caller\'s own account, from their session')
  @Answers(ME)
  @Get('me')
  me(@CurrentUser() user: SignedInUser): Me {
    return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, wardIds: user.wardIds, patientId: user.patientId };
  }

  @Roles('nurse', 'clinician', 'admin')
  @NotAudited('ward names only, no patient data')
  @Answers(arrayOf(WARD))
  @Get('wards')
  wards(@CurrentUser() user: SignedInUser): Promise<Ward[]> {
    return this.storage.registry.listWards(user.role === 'admin' ? undefined : user.wardIds);
  }

  @Roles('admin')
  @Audited('ward.create', 'ward')
  @Refuses('ward.exists')
  @Answers(WARD)
  @Post('wards')
  async createWard(@Body() body: CreateWardDto, @Trail() trail: AuditTrail): Promise<Ward> {
    if (await this.storage.registry.findWardByName(body.name.trim())) throw new CodedFailure({ code: 'ward.exists', message: `A ward named "${body.name.trim()}" exists.` });
    const ward = await this.storage.registry.createWard(body.name.trim());
    trail.about({ subjectId: ward.id });
    return ward;
  }

  /** The people on a ward: whom an alert can be assigned to. */
  @Roles('nurse', 'clinician', 'admin')
  @NotAudited('the names and roles of a ward\'s staff, no patient data')
  @Refuses('ward.not-found')
  @Answers(arrayOf(WARD_MEMBER))
  @Get('wards/:id/members')
  async members(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser): Promise<Array<Pick<User, 'id' | 'displayName' | 'role'>>> {
    await this.ward(id, user);
    return (await this.storage.registry.wardMembers(id)).map((u) => ({ id: u.id, displayName: u.displayName, role: u.role }));
  }

  @Roles('admin')
  @Refuses('ward.not-found', 'user.not-found', 'ward.member-role')
  @Post('wards/:id/members')
  @Audited('ward.member.add', 'ward', { param: 'id' })
  @HttpCode(204)
  async addMember(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AddWardMemberDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<void> {
    await this.ward(id, user);
    const member = await this.storage.registry.getUser(body.userId);
    if (!member) throw new CodedFailure({ code: 'user.not-found', message: `There is no user ${body.userId}.` });
    if (member.role === 'patient') throw new CodedFailure({ code: 'ward.member-role', message: 'Patients are admitted to a ward, not made members of it.' });
    await this.storage.registry.addWardMember(id, member.id);
    trail.with({ userId: member.id });
  }

  /** What the ward's patients are told when their own reading is red: the ward's text or the default. */
  @Roles('nurse', 'clinician', 'admin')
  @NotAudited('the ward\'s advice text, the same for every patient')
  @Refuses('ward.not-found')
  @Answers(WARD_PATIENT_ADVICE)
  @Get('wards/:id/patient-advice')
  async patientAdvice(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser): Promise<WardPatientAdviceAnswer> {
    await this.ward(id, user);
    const configured = (await this.storage.registry.wardPatientAdvice(id))?.configured ?? null;
    return { wardId: id, configured, message: configured ?? DEFAULT_PATIENT_ADVICE };
  }

  /** Sets the ward's advice (plain text; its phone number may be in it), or with null returns it to the default. */
  @Roles('admin')
  @Audited('ward.patient-advice.set', 'ward', { param: 'id' })
  @Refuses('ward.not-found')
  @Answers(WARD_PATIENT_ADVICE)
  @Put('wards/:id/patient-advice')
  async setPatientAdvice(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: WardPatientAdviceDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<WardPatientAdviceAnswer> {
    await this.ward(id, user);
    const configured = body.message === null ? null : body.message.trim();
    await this.storage.registry.setWardPatientAdvice(id, configured);
    trail.with({ advice: configured });
    return { wardId: id, configured, message: configured ?? DEFAULT_PATIENT_ADVICE };
  }

  @Roles('admin')
  @NotAudited('staff and patient accounts: names, roles and wards, no clinical data')
  @Answers(arrayOf(USER_WITH_WARDS))
  @Get('users')
  users(): Promise<Array<User & { wardIds: string[] }>> {
    return this.storage.registry.listUsers();
  }

  /** Creates an account; the password (given, or generated) is in this answer only, then only its hash exists. */
  @Roles('admin')
  @Audited('user.create', 'user')
  @Refuses('user.ward-required', 'user.patient-required', 'user.patient-not-allowed', 'password.common', 'ward.not-found', 'patient.not-found', 'user.exists', 'patient.account-exists')
  @Answers(CREATED_USER)
  @Post('users')
  async createUser(@Body() body: CreateUserDto, @Trail() trail: AuditTrail): Promise<{ user: User; wardIds: string[]; password: string }> {
    const role = body.role as Role;
    const wardIds = [...new Set(body.wardIds ?? [])];
    if ((role === 'nurse' || role === 'clinician') && wardIds.length === 0) throw fieldFailure('user.ward-required', ['wardIds: nurses and clinicians need at least one ward']);
    if (role === 'patient' && !body.patientId) throw fieldFailure('user.patient-required', ['patientId: a patient account is linked to its patient record']);
    if (role !== 'patient' && body.patientId) throw fieldFailure('user.patient-not-allowed', ['patientId: only a patient account has a patient record']);
    for (const ward of wardIds) if (!(await this.storage.registry.getWard(ward))) throw new CodedFailure({ code: 'ward.not-found', message: `There is no ward ${ward}.` });
    if (body.patientId && !(await this.storage.registry.getPatient(body.patientId))) throw new CodedFailure({ code: 'patient.not-found', message: `There is no patient ${body.patientId}.` });
    if (await this.storage.registry.userForSignIn(body.email)) throw new CodedFailure({ code: 'user.exists', message: 'An account with this email exists.' });
    if (body.patientId && (await this.storage.registry.patientAccount(body.patientId))) {
      throw new CodedFailure({ code: 'patient.account-exists', message: 'This patient already has an account; disable it before making another.' });
    }
    const problem = body.password === undefined ? undefined : checkPasswordPolicy(body.password);
    if (problem) throw fieldFailure(problem.code, [`password: ${problem.message}`]);
    const password = body.password ?? generateSecret();
    const user = await this.storage.registry.createUser({ email: body.email.toLowerCase(), displayName: body.displayName, role, passwordHash: await hashSecret(password) });
    // The account exists from here: audited even if linking it to the patient is refused below.
    trail.effective().about({ subjectId: user.id, patientId: body.patientId ?? null }).with({ role, wardIds });
    for (const ward of wardIds) await this.storage.registry.addWardMember(ward, user.id);
    if (body.patientId && !(await this.storage.registry.linkPatientAccount(body.patientId, user.id))) {
      // Another account was linked between the check above and now: this one stays unlinked, and says so.
      throw new CodedFailure({ code: 'patient.account-exists', message: 'This patient already has an account; disable it before making another.' });
    }
    return { user, wardIds, password };
  }

  private async ward(id: string, user: SignedInUser): Promise<Ward> {
    const ward = user.role === 'admin' || user.wardIds.includes(id) ? await this.storage.registry.getWard(id) : undefined;
    if (!ward) throw new CodedFailure({ code: 'ward.not-found', message: `There is no ward ${id} among your wards.` });
    return ward;
  }
}
