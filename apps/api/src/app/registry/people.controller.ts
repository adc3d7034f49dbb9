import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, Inject, Ip, NotFoundException, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { checkPasswordPolicy, generateSecret, hashSecret } from '@homeward/auth';
import { AddWardMemberDto, CreateUserDto, CreateWardDto, DEFAULT_PATIENT_ADVICE, type WardPatientAdviceAnswer, WardPatientAdviceDto } from '@homeward/contracts';
import type { Role, User, Ward } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';

export interface Me {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly wardIds: readonly string[];
  readonly patientId: string | null;
}

/**
 * Who I am, the wards, and the accounts. Admins create wards and accounts (the API twin of
 * `homeward user add`); nurses and clinicians see their own wards and their colleagues on them.
 */
@Controller('api')
export class PeopleController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Roles('patient', 'nurse', 'clinician', 'admin', 'carer')
  @Get('me')
  me(@CurrentUser() user: SignedInUser): Me {
    return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, wardIds: user.wardIds, patientId: user.patientId };
  }

  @Roles('nurse', 'clinician', 'admin')
  @Get('wards')
  wards(@CurrentUser() user: SignedInUser): Promise<Ward[]> {
    return this.storage.registry.listWards(user.role === 'admin' ? undefined : user.wardIds);
  }

  @Roles('admin')
  @Post('wards')
  async createWard(@Body() body: CreateWardDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Ward> {
    if (await this.storage.registry.findWardByName(body.name.trim())) throw new ConflictException({ code: 'ward.exists', message: `A ward named "${body.name.trim()}" exists.` });
    const ward = await this.storage.registry.createWard(body.name.trim());
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'ward.create', subjectType: 'ward', subjectId: ward.id, ip });
    return ward;
  }

  /** The people on a ward: whom an alert can be assigned to. */
  @Roles('nurse', 'clinician', 'admin')
  @Get('wards/:id/members')
  async members(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser): Promise<Array<Pick<User, 'id' | 'displayName' | 'role'>>> {
    await this.ward(id, user);
    return (await this.storage.registry.wardMembers(id)).map((u) => ({ id: u.id, displayName: u.displayName, role: u.role }));
  }

  @Roles('admin')
  @Post('wards/:id/members')
  @HttpCode(204)
  async addMember(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AddWardMemberDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<void> {
    await this.ward(id, user);
    const member = await this.storage.registry.getUser(body.userId);
    if (!member) throw new NotFoundException({ code: 'user.not-found', message: `There is no user ${body.userId}.` });
    if (member.role === 'patient') throw new BadRequestException({ code: 'ward.member-role', message: 'Patients are admitted to a ward, not made members of it.' });
    await this.storage.registry.addWardMember(id, member.id);
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'ward.member.add', subjectType: 'ward', subjectId: id, ip, details: { userId: member.id } });
  }

  /** What the ward's patients are told when their own reading is red: the ward's text or the default. */
  @Roles('nurse', 'clinician', 'admin')
  @Get('wards/:id/patient-advice')
  async patientAdvice(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser): Promise<WardPatientAdviceAnswer> {
    await this.ward(id, user);
    const configured = (await this.storage.registry.wardPatientAdvice(id))?.configured ?? null;
    return { wardId: id, configured, message: configured ?? DEFAULT_PATIENT_ADVICE };
  }

  /** Sets the ward's advice (plain text; its phone number may be in it), or with null returns it to the default. */
  @Roles('admin')
  @Put('wards/:id/patient-advice')
  async setPatientAdvice(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: WardPatientAdviceDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<WardPatientAdviceAnswer> {
    await this.ward(id, user);
    const configured = body.message === null ? null : body.message.trim();
    await this.storage.registry.setWardPatientAdvice(id, configured);
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'ward.patient-advice.set', subjectType: 'ward', subjectId: id, ip, details: { advice: configured } });
    return { wardId: id, configured, message: configured ?? DEFAULT_PATIENT_ADVICE };
  }

  @Roles('admin')
  @Get('users')
  users(): Promise<Array<User & { wardIds: string[] }>> {
    return this.storage.registry.listUsers();
  }

  /** Creates an account; the password (given, or generated) is in this answer only, then only its hash exists. */
  @Roles('admin')
  @Post('users')
  async createUser(@Body() body: CreateUserDto, @CurrentUser() admin: SignedInUser, @Ip() ip: string): Promise<{ user: User; wardIds: string[]; password: string }> {
    const role = body.role as Role;
    const wardIds = [...new Set(body.wardIds ?? [])];
    if ((role === 'nurse' || role === 'clinician') && wardIds.length === 0) throw new BadRequestException({ code: 'user.ward-required', message: ['wardIds: nurses and clinicians need at least one ward'] });
    if (role === 'patient' && !body.patientId) throw new BadRequestException({ code: 'user.patient-required', message: ['patientId: a patient account is linked to its patient record'] });
    if (role !== 'patient' && body.patientId) throw new BadRequestException({ code: 'user.patient-not-allowed', message: ['patientId: only a patient account has a patient record'] });
    for (const ward of wardIds) if (!(await this.storage.registry.getWard(ward))) throw new NotFoundException({ code: 'ward.not-found', message: `There is no ward ${ward}.` });
    if (body.patientId && !(await this.storage.registry.getPatient(body.patientId))) throw new NotFoundException({ code: 'patient.not-found', message: `There is no patient ${body.patientId}.` });
    if (await this.storage.registry.userForSignIn(body.email)) throw new ConflictException({ code: 'user.exists', message: 'An account with this email exists.' });
    if (body.patientId && (await this.storage.registry.patientAccount(body.patientId))) {
      throw new ConflictException({ code: 'patient.account-exists', message: 'This patient already has an account; disable it before making another.' });
    }
    const problem = body.password === undefined ? undefined : checkPasswordPolicy(body.password);
    if (problem) throw new BadRequestException({ code: problem.code, message: [`password: ${problem.message}`] });
    const password = body.password ?? generateSecret();
    const user = await this.storage.registry.createUser({ email: body.email.toLowerCase(), displayName: body.displayName, role, passwordHash: await hashSecret(password) });
    for (const ward of wardIds) await this.storage.registry.addWardMember(ward, user.id);
    if (body.patientId && !(await this.storage.registry.linkPatientAccount(body.patientId, user.id))) {
      // Another account was linked between the check above and now: this one stays unlinked, and says so.
      throw new ConflictException({ code: 'patient.account-exists', message: 'This patient already has an account; disable it before making another.' });
    }
    await this.storage.audit.record({ actorType: 'user', actorId: admin.id, action: 'user.create', subjectType: 'user', subjectId: user.id, patientId: body.patientId ?? null, ip, details: { role, wardIds } });
    return { user, wardIds, password };
  }

  private async ward(id: string, user: SignedInUser): Promise<Ward> {
    const ward = user.role === 'admin' || user.wardIds.includes(id) ? await this.storage.registry.getWard(id) : undefined;
    if (!ward) throw new NotFoundException({ code: 'ward.not-found', message: `There is no ward ${id} among your wards.` });
    return ward;
  }
}
