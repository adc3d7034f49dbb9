import { BadRequestException, Controller, Get, Inject, Ip, Query } from '@nestjs/common';
import { AuditQueryDto } from '@homeward/contracts';
import type { AuditRecord, Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';

/** The audit viewer: who read or changed what, when, from where. Admins only; reading it is itself audited. */
@Roles('admin')
@Controller('api/audit')
export class AuditController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Get()
  async search(@Query() query: AuditQueryDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<AuditRecord[]> {
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    if (limit < 1 || limit > 1000) throw new BadRequestException({ code: 'audit.limit', message: ['limit must be between 1 and 1000'] });
    const entries = await this.storage.audit.search({
      ...(query.patientId ? { patientId: query.patientId } : {}),
      ...(query.actorId ? { actorId: query.actorId } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.from ? { from: new Date(query.from) } : {}),
      ...(query.to ? { to: new Date(query.to) } : {}),
      ...(query.before ? { before: query.before } : {}),
      limit,
    });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'audit.read', subjectType: 'audit', subjectId: null, patientId: query.patientId ?? null, ip, details: { ...query } });
    return entries;
  }
}
