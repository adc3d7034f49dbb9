import { Controller, Get, Inject, Query } from '@nestjs/common';
import { fieldFailure } from '@homeward/domain';
import { AuditQueryDto } from '@homeward/contracts';
import type { AuditRecord, Storage } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { Roles } from '../auth/access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { STORAGE } from '../tokens';
import { Answers, arrayOf } from '../http/answer-schemas';
import { AUDIT_RECORD } from './registry.answers';

/** The audit viewer: who read or changed what, when, from where. Admins only; reading it is itself audited. */
@Roles('admin')
@Controller('api/audit')
export class AuditController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Audited('audit.read', 'audit')
  @Refuses('audit.limit')
  @Answers(arrayOf(AUDIT_RECORD))
  @Get()
  async search(@Query() query: AuditQueryDto, @Trail() trail: AuditTrail): Promise<AuditRecord[]> {
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    if (limit < 1 || limit > 1000) throw fieldFailure('audit.limit', ['limit must be between 1 and 1000']);
    const entries = await this.storage.audit.search({
      ...(query.patientId ? { patientId: query.patientId } : {}),
      ...(query.actorId ? { actorId: query.actorId } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.from ? { from: new Date(query.from) } : {}),
      ...(query.to ? { to: new Date(query.to) } : {}),
      ...(query.before ? { before: query.before } : {}),
      limit,
    });
    trail.about({ patientId: query.patientId ?? null }).with({ ...query });
    return entries;
  }
}
