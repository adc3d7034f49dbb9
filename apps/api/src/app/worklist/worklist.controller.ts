import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { AcknowledgeAlertDto, AlertNoteDto, AssignAlertDto, EscalateAlertDto, type EscalationDeliveryView, ResolveAlertDto, WorklistQueryDto } from '@homeward/contracts';
import { CodedFailure, type Alert, type AlertEvent, type AlertOutcome, type CodedError, type Result } from '@homeward/domain';
import type { Storage, StoredReading } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { type WorklistItem, worklistItems } from './worklist-items';
import { deliveryView } from '../notifications/delivery-view';
import { Answers, arrayOf } from '../http/answer-schemas';
import { ALERT, ALERT_DETAIL, ALERT_EVENT, WORKLIST_ITEM } from './worklist.answers';

export interface AlertDetail extends WorklistItem {
  readonly readings: readonly StoredReading[];
  readonly events: readonly AlertEvent[];
  /** Who its escalations were sent to, and how that went (never a contact's secret or URL). */
  readonly deliveries: readonly EscalationDeliveryView[];
}

export type { WorklistItem } from './worklist-items';

/**
 * The nurse worklist and what a nurse or clinician does with an alert. Everything is limited to
 * the user's wards: an alert of another ward answers 404, as if it did not exist.
 */
@Roles('nurse', 'clinician')
@Controller('api')
export class WorklistController {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Unresolved alerts of my wards, most severe first, then longest waiting; `?kind=` keeps one kind (clinical, silence, technical). */
  @Audited('worklist.read', 'ward')
  @Answers(arrayOf(WORKLIST_ITEM))
  @Get('worklist')
  async worklist(@Query() query: WorklistQueryDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<WorklistItem[]> {
    const alerts = await this.storage.alerts.openForWards(user.wardIds, { limit: 500 });
    trail.about({ subjectId: user.wardIds.join(',') }).with({ alerts: alerts.length });
    const items = await worklistItems(this.storage, alerts, this.clock.now());
    return query.kind === undefined ? items : items.filter((item) => item.kind === query.kind);
  }

  /** One alert with what is behind it: the patient, the readings it was raised on, and its history. */
  @Audited('alert.read', 'alert', { param: 'id' })
  @Refuses('alert.not-found')
  @Answers(ALERT_DETAIL)
  @Get('alerts/:id')
  async detail(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<AlertDetail> {
    const alert = await this.mine(id, user, trail);
    const [item] = await worklistItems(this.storage, [alert], this.clock.now());
    const readings = await this.storage.readings.byIds(alert.patientId, alert.readingIds);
    const deliveries = (await this.storage.notifications.forAlert(id)).map(deliveryView);
    return { ...(item as WorklistItem), readings, events: await this.storage.alerts.events(id), deliveries };
  }

  @Audited('alert.read', 'alert', { param: 'id' })
  @Refuses('alert.not-found')
  @Answers(arrayOf(ALERT_EVENT))
  @Get('alerts/:id/events')
  async events(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<AlertEvent[]> {
    await this.mine(id, user, trail);
    return this.storage.alerts.events(id);
  }

  @Audited('alert.acknowledge', 'alert', { param: 'id' })
  @Refuses('alert.not-found', 'alert.transition-not-allowed')
  @Answers(ALERT)
  @Post('alerts/:id/acknowledge')
  @HttpCode(200)
  async acknowledge(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AcknowledgeAlertDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Alert> {
    await this.mine(id, user, trail);
    const result = await this.storage.alerts.transition(id, { action: 'acknowledge', by: { type: 'user', id: user.id }, at: this.clock.now(), ...(body.note ? { reason: body.note } : {}) });
    return this.done(result);
  }

  @Audited('alert.escalate', 'alert', { param: 'id' })
  @Refuses('alert.not-found', 'alert.transition-not-allowed')
  @Answers(ALERT)
  @Post('alerts/:id/escalate')
  @HttpCode(200)
  async escalate(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: EscalateAlertDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Alert> {
    await this.mine(id, user, trail);
    const result = await this.storage.alerts.transition(id, { action: 'escalate', by: { type: 'user', id: user.id }, at: this.clock.now(), reason: body.reason });
    return this.done(result);
  }

  @Audited('alert.resolve', 'alert', { param: 'id' })
  @Refuses('alert.not-found', 'alert.transition-not-allowed', 'alert.self-resolution-not-allowed')
  @Answers(ALERT)
  @Post('alerts/:id/resolve')
  @HttpCode(200)
  async resolve(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ResolveAlertDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Alert> {
    await this.mine(id, user, trail);
    const result = await this.storage.alerts.transition(id, {
      action: 'resolve',
      by: { type: 'user', id: user.id },
      at: this.clock.now(),
      outcome: body.outcome as AlertOutcome,
      ...(body.note ? { reason: body.note } : {}),
    });
    return this.done(result);
  }

  @Audited('alert.assign', 'alert', { param: 'id' })
  @Refuses('alert.assignee-not-on-ward', 'alert.not-found', 'alert.transition-not-allowed')
  @Answers(ALERT)
  @Post('alerts/:id/assign')
  @HttpCode(200)
  async assign(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AssignAlertDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Alert> {
    const alert = await this.mine(id, user, trail);
    const assigneeWards = await this.storage.registry.wardsOfUser(body.userId);
    if (!assigneeWards.includes(alert.wardId)) {
      throw new CodedFailure({ code: 'alert.assignee-not-on-ward', message: 'An alert can be assigned only to a member of its ward.' });
    }
    const result = await this.storage.alerts.assign(id, { ownerId: body.userId, by: { type: 'user', id: user.id }, at: this.clock.now(), ...(body.note ? { note: body.note } : {}) });
    return this.done(result);
  }

  @Audited('alert.note', 'alert', { param: 'id' })
  @Refuses('alert.not-found', 'alert.note-empty')
  @Answers(ALERT_EVENT)
  @Post('alerts/:id/notes')
  @HttpCode(201)
  async note(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AlertNoteDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<AlertEvent> {
    await this.mine(id, user, trail);
    return this.done(await this.storage.alerts.addNote(id, { by: { type: 'user', id: user.id }, at: this.clock.now(), note: body.note }));
  }

  /** The alert if it is on my wards; its patient goes into the route's audit record. */
  private async mine(id: string, user: SignedInUser, trail: AuditTrail): Promise<Alert> {
    const alert = await this.storage.alerts.get(id);
    if (!alert || !user.wardIds.includes(alert.wardId)) throw new CodedFailure({ code: 'alert.not-found', message: `There is no alert ${id} on your wards.` });
    trail.about({ patientId: alert.patientId });
    return alert;
  }

  private done<T>(result: Result<T, CodedError>): T {
    if (!result.ok) throw new CodedFailure(result.error); // gone (404), or the state machine refused (409): say why
    return result.value;
  }
}
