import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { type BulkAlertResult, BulkAlertActionDto, type PatientWorklistPage, PatientWorklistQueryDto, type WardOverview } from '@homeward/contracts';
import { type Alert, type AlertEvent, CodedFailure, type CodedError, type Result, fail } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Refuses } from '../http/openapi-responses';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { patientWorklist } from './patient-worklist';
import { OVERVIEW_RECENT_DAYS, wardOverview } from './ward-overview';
import { Answers } from '../http/answer-schemas';
import { BULK_ALERT_RESULT, PATIENT_WORKLIST_PAGE, WARD_OVERVIEW } from './worklist.answers';

/**
 * The worklist a busy ward runs on: one row per patient, paged with its total (nothing is ever
 * cut off silently), filtered and counted per severity; and the bulk actions a nurse confirms
 * once. Limited to the user's wards like every alert route.
 */
@Roles('nurse', 'clinician')
@Controller('api/worklist')
export class PatientWorklistController {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Audited('worklist.read', 'ward')
  @Answers(PATIENT_WORKLIST_PAGE)
  @Get('patients')
  async patients(@Query() query: PatientWorklistQueryDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<PatientWorklistPage> {
    trail.about({ subjectId: user.wardIds.join(',') }).with({ query: { ...query } });
    return patientWorklist(await this.storage.alerts.unresolvedWithPeople(user.wardIds), query, user.id, this.clock.now());
  }

  /** The ward at a glance for handover: open alerts by severity and kind, escalations, silence, reviews due, admissions and discharges. */
  @Audited('ward-overview.read', 'ward')
  @Answers(WARD_OVERVIEW)
  @Get('overview')
  async overview(@CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<WardOverview> {
    trail.about({ subjectId: user.wardIds.join(',') });
    const now = this.clock.now();
    const [entries, people] = await Promise.all([
      this.storage.alerts.unresolvedWithPeople(user.wardIds),
      this.storage.registry.wardHandover(user.wardIds, new Date(now.getTime() - OVERVIEW_RECENT_DAYS * 86_400_000)),
    ]);
    return wardOverview(entries, people, now);
  }

  /** Acknowledge or assign many alerts at once; each is checked and audited as if done alone, and one refused alert does not stop the rest. */
  @Audited('alert.bulk', 'alert')
  @Refuses('worklist.assignee-missing')
  @Answers(BULK_ALERT_RESULT)
  @Post('bulk')
  @HttpCode(200)
  async bulk(@Body() body: BulkAlertActionDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<BulkAlertResult> {
    if (body.action === 'assign' && !body.userId) throw new CodedFailure({ code: 'worklist.assignee-missing', message: 'Choose the ward member who takes these alerts.' });
    // Each alert done is audited as if done alone, marked as part of a bulk action; none done, no record.
    trail.as(`alert.${body.action}`).with({ bulk: true }).subjects = [];
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
        result = await this.storage.alerts.transition(alertId, { action: 'acknowledge', by, at: this.clock.now(), ...(body.note ? { reason: body.note } : {}) });
      } else if (!assigneeWards.includes(alert.wardId)) {
        result = fail('alert.assignee-not-on-ward', 'An alert can be assigned only to a member of its ward.');
      } else {
        result = await this.storage.alerts.assign(alertId, { ownerId: body.userId as string, by, at: this.clock.now(), ...(body.note ? { note: body.note } : {}) });
      }
      if (!result.ok) {
        refused.push({ alertId, code: result.error.code, message: result.error.message });
        continue;
      }
      done.push(alertId);
      trail.each({ subjectId: alertId, patientId: alert.patientId });
    }
    return { done, refused };
  }
}
