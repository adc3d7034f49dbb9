import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { CodedFailure, fieldFailure } from '@homeward/domain';
import { type RejectedMessageDetail, type RejectedMessagePage, type RejectedMessageSummary, RejectedMessagesQueryDto, payloadView } from '@homeward/contracts';
import type { RejectedMessage, Storage } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { Roles } from '../auth/access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { STORAGE } from '../tokens';
import { Answers } from '../http/answer-schemas';
import { REJECTED_MESSAGE_DETAIL, REJECTED_MESSAGE_PAGE } from './registry.answers';

/**
 * Refused device input (rejected_messages), for the operators who look after devices: newest
 * first with cursor paging, and one record with its payload. Admins only. A refused payload can
 * carry a patient's readings, so each read is audited, with the device's patient when known.
 */
@Roles('admin')
@Controller('api/admin/rejected-messages')
export class RejectedMessagesController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Audited('rejected-message.list', 'rejected-message')
  @Refuses('rejected-messages.limit')
  @Answers(REJECTED_MESSAGE_PAGE)
  @Get()
  async list(@Query() query: RejectedMessagesQueryDto, @Trail() trail: AuditTrail): Promise<RejectedMessagePage> {
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    if (limit < 1 || limit > 500) throw fieldFailure('rejected-messages.limit', ['limit must be between 1 and 500']);
    // One more than asked tells whether another page follows, without a count.
    const records = await this.storage.rejected.list({
      ...(query.deviceId ? { deviceId: query.deviceId } : {}),
      ...(query.code ? { code: query.code } : {}),
      ...(query.since ? { since: new Date(query.since) } : {}),
      ...(query.before ? { before: query.before } : {}),
      limit: limit + 1,
    });
    const items = records.slice(0, limit).map(summary);
    trail.with({ ...query });
    return { items, next: records.length > limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  @Audited('rejected-message.read', 'rejected-message')
  @Refuses('rejected-message.not-found')
  @Answers(REJECTED_MESSAGE_DETAIL)
  @Get(':id')
  async get(@Param('id') id: string, @Trail() trail: AuditTrail): Promise<RejectedMessageDetail> {
    const record = await this.storage.rejected.get(id);
    if (!record) throw new CodedFailure({ code: 'rejected-message.not-found', message: `There is no rejected message ${id}.` });
    const device = record.deviceId ? await this.storage.registry.getDevice(record.deviceId) : undefined;
    trail.about({ subjectId: record.id, patientId: device?.patientId ?? null });
    return { ...summary(record), details: record.details, payload: payloadView(record.payload) };
  }
}

function summary(r: RejectedMessage): RejectedMessageSummary {
  return { id: r.id, receivedAt: r.receivedAt.toISOString(), source: r.source, deviceId: r.deviceId, topic: r.topic, reasonCode: r.reasonCode, reason: r.reason, payloadBytes: r.payload.byteLength };
}
