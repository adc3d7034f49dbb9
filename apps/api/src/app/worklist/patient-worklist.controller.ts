import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Ip, Post, Query } from '@nestjs/common';
import { type BulkAlertResult, BulkAlertActionDto, type PatientWorklistPage, PatientWorklistQueryDto, type WardOverview } from '@homeward/contracts';
import { type Alert, type AlertEvent, type CodedError, type Result, fail } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';
import { patientWorklist } from './patient-worklist';
import { OVERVIEW_RECENT_DAYS, wardOverview } from './ward-overview';

/**
 * The worklist a busy ward runs on: one row per patient, paged with its total (nothing is ever
 * cut off silently), filtered and counted per severity; and the bulk actions a nurse confirms
 * once. Limited to the user's wards like every alert route.
 */
@Roles('nurse', 'clinician')
@Controller('api/worklist')
export class PatientWorklistController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Get('patients')
  async patients(@Query() query: PatientWorklistQueryDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<PatientWorklistPage> {
    // The read is audited (who, which wards, which filters) while the alerts are read: one round trip, not two.
    const [entries] = await Promise.all([
      this.storage.alerts.unresolvedWithPeople(user.wardIds),
      this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'worklist.read', subjectType: 'ward', subjectId: user.wardIds.join(','), ip, details: { query: { ...query } } }),
    ]);
    const page = patientWorklist(entries, query, user.id, new Date());
    return page;
  }

  /** The ward at a glance for handover: open alerts by severity and kind, escalations, silence, reviews due, admissions and discharges. */
  @Get('overview')
  async overview(@CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<WardOverview> {
    const now = new Date();
    const [entries, people] = await Promise.all([
      this.storage.alerts.unresolvedWithPeople(user.wardIds),
      this.storage.registry.wardHandover(user.wardIds, new Date(now.getTime() - OVERVIEW_RECENT_DAYS * 86_400_000)),
      this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'ward-overview.read', subjectType: 'ward', subjectId: user.wardIds.join(','), ip }),
    ]);
    return wardOverview(entries, people, now);
  }

  /** Acknowledge or assign many alerts at once; each is checked and audited as if done alone, and one refused alert does not stop the rest. */
  @Post('bulk')
  @HttpCode(200)
  async bulk(@Body() body: BulkAlertActionDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<BulkAlertResult> {
    if (body.action === 'assign' && !body.userId) throw new BadRequestException({ code: 'worklist.assignee-missing', message: 'Choose the ward member who takes these alerts.' });
    const assigneeWards = body.userId ? await this.storage.registry.wardsOfUser(body.userId) : [];
    const done: string[] = [];
    const refused: { alertId: string; code: string; message: string }[] = [];
    const by = { type: 'user' as const, id: user.id };
    for (const alertId of new Set(body.alertIds)) {
      const alert = await this.storage.alerts.get(alertId);
      if (!alert || !user.wardIds.includes(alert.wardId)) {
        refused.push({ alertId, code: 'alert.not-found', message: `There is no alert ${alertId} on your wards.` });
        continue;
      }
      let result: Result<Alert | AlertEvent, CodedError>;
      if (body.action === 'acknowledge') {
        result = await this.storage.alerts.transition(alertId, { action: 'acknowledge', by, at: new Date(), ...(body.note ? { reason: body.note } : {}) });
      } else if (!assigneeWards.includes(alert.wardId)) {
        result = fail('alert.assignee-not-on-ward', 'An alert can be assigned only to a member of its ward.');
      } else {
        result = await this.storage.alerts.assign(alertId, { ownerId: body.userId as string, by, at: new Date(), ...(body.note ? { note: body.note } : {}) });
      }
      if (!result.ok) {
        refused.push({ alertId, code: result.error.code, message: result.error.message });
        continue;
      }
      done.push(alertId);
      await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: `alert.${body.action}`, subjectType: 'alert', subjectId: alertId, patientId: alert.patientId, ip, details: { bulk: true } });
    }
    return { done, refused };
  }
}
