import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, Inject, Ip, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { AcknowledgeAlertDto, AlertNoteDto, AssignAlertDto, EscalateAlertDto, type EscalationDeliveryView, ResolveAlertDto, WorklistQueryDto } from '@homeward/contracts';
import type { Alert, AlertEvent, AlertOutcome, CodedError, Result } from '@homeward/domain';
import type { Storage, StoredReading } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';
import { type WorklistItem, worklistItems } from './worklist-items';
import { deliveryView } from '../notifications/delivery-view';

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
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Unresolved alerts of my wards, most severe first, then longest waiting; `?kind=` keeps one kind (clinical, silence, technical). */
  @Get('worklist')
  async worklist(@Query() query: WorklistQueryDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<WorklistItem[]> {
    const alerts = await this.storage.alerts.openForWards(user.wardIds, { limit: 500 });
    await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'worklist.read', subjectType: 'ward', subjectId: user.wardIds.join(','), ip, details: { alerts: alerts.length } });
    const items = await worklistItems(this.storage, alerts);
    return query.kind === undefined ? items : items.filter((item) => item.kind === query.kind);
  }

  /** One alert with what is behind it: the patient, the readings it was raised on, and its history. */
  @Get('alerts/:id')
  async detail(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<AlertDetail> {
    const alert = await this.mine(id, user);
    await this.audit(user, alert, 'alert.read', ip);
    const [item] = await worklistItems(this.storage, [alert]);
    const readings = await this.storage.readings.byIds(alert.patientId, alert.readingIds);
    const deliveries = (await this.storage.notifications.forAlert(id)).map(deliveryView);
    return { ...(item as WorklistItem), readings, events: await this.storage.alerts.events(id), deliveries };
  }

  @Get('alerts/:id/events')
  async events(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<AlertEvent[]> {
    const alert = await this.mine(id, user);
    await this.audit(user, alert, 'alert.read', ip);
    return this.storage.alerts.events(id);
  }

  @Post('alerts/:id/acknowledge')
  @HttpCode(200)
  async acknowledge(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AcknowledgeAlertDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Alert> {
    const alert = await this.mine(id, user);
    const result = await this.storage.alerts.transition(id, { action: 'acknowledge', by: { type: 'user', id: user.id }, at: new Date(), ...(body.note ? { reason: body.note } : {}) });
    return this.done(result, user, alert, 'alert.acknowledge', ip);
  }

  @Post('alerts/:id/escalate')
  @HttpCode(200)
  async escalate(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: EscalateAlertDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Alert> {
    const alert = await this.mine(id, user);
    const result = await this.storage.alerts.transition(id, { action: 'escalate', by: { type: 'user', id: user.id }, at: new Date(), reason: body.reason });
    return this.done(result, user, alert, 'alert.escalate', ip);
  }

  @Post('alerts/:id/resolve')
  @HttpCode(200)
  async resolve(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: ResolveAlertDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Alert> {
    const alert = await this.mine(id, user);
    const result = await this.storage.alerts.transition(id, {
      action: 'resolve',
      by: { type: 'user', id: user.id },
      at: new Date(),
      outcome: body.outcome as AlertOutcome,
      ...(body.note ? { reason: body.note } : {}),
    });
    return this.done(result, user, alert, 'alert.resolve', ip);
  }

  @Post('alerts/:id/assign')
  @HttpCode(200)
  async assign(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AssignAlertDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Alert> {
    const alert = await this.mine(id, user);
    const assigneeWards = await this.storage.registry.wardsOfUser(body.userId);
    if (!assigneeWards.includes(alert.wardId)) {
      throw new BadRequestException({ code: 'alert.assignee-not-on-ward', message: 'An alert can be assigned only to a member of its ward.' });
    }
    const result = await this.storage.alerts.assign(id, { ownerId: body.userId, by: { type: 'user', id: user.id }, at: new Date(), ...(body.note ? { note: body.note } : {}) });
    return this.done(result, user, alert, 'alert.assign', ip);
  }

  @Post('alerts/:id/notes')
  @HttpCode(201)
  async note(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: AlertNoteDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<AlertEvent> {
    const alert = await this.mine(id, user);
    return this.done(await this.storage.alerts.addNote(id, { by: { type: 'user', id: user.id }, at: new Date(), note: body.note }), user, alert, 'alert.note', ip);
  }

  private async mine(id: string, user: SignedInUser): Promise<Alert> {
    const alert = await this.storage.alerts.get(id);
    if (!alert || !user.wardIds.includes(alert.wardId)) throw new NotFoundException({ code: 'alert.not-found', message: `There is no alert ${id} on your wards.` });
    return alert;
  }

  private async done<T>(result: Result<T, CodedError>, user: SignedInUser, alert: Alert, action: string, ip: string): Promise<T> {
    if (!result.ok) {
      if (result.error.code === 'alert.not-found') throw new NotFoundException(result.error);
      throw new ConflictException(result.error); // the state machine refused: say why
    }
    await this.audit(user, alert, action, ip);
    return result.value;
  }

  private audit(user: SignedInUser, alert: Alert, action: string, ip: string): Promise<unknown> {
    return this.storage.audit.record({ actorType: 'user', actorId: user.id, action, subjectType: 'alert', subjectId: alert.id, patientId: alert.patientId, ip });
  }
}
