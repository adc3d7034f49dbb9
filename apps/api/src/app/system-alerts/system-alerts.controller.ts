import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { SystemAlertActionDto, type SystemAlertEventView, type SystemAlertView, SystemAlertsQueryDto } from '@homeward/contracts';
import { CodedFailure, type SystemAlertAction } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { Audited, NotAudited } from '../audit/audit.decorators';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Refuses } from '../http/openapi-responses';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { systemAlertEventView, systemAlertView } from './system-alert-view';
import { Answers, arrayOf } from '../http/answer-schemas';
import { SYSTEM_ALERT, SYSTEM_ALERT_WITH_EVENTS } from './system-alerts.answers';

/**
 * Problems of Homeward itself (the database restarted, the rules pipeline stalled, the broker not
 * accepting devices, escalations not delivered): not a patient's alerts, so not on a ward's
 * worklist, but every nurse, clinician and admin sees them, because while one is open the
 * worklist may be incomplete. Nurses and admins acknowledge and resolve them; every action is
 * audited and kept in the alert's own trail.
 */
@Controller('api/system-alerts')
export class SystemAlertsController {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Roles('nurse', 'clinician', 'admin')
  @NotAudited('problems of the server itself: no patient data')
  @Answers(arrayOf(SYSTEM_ALERT))
  @Get()
  async list(@Query() query: SystemAlertsQueryDto): Promise<SystemAlertView[]> {
    return (await this.storage.systemAlerts.list({ includeResolved: query.state === 'all' })).map(systemAlertView);
  }

  @Roles('nurse', 'clinician', 'admin')
  @NotAudited('problems of the server itself: no patient data')
  @Refuses('system-alert.not-found')
  @Answers(SYSTEM_ALERT_WITH_EVENTS)
  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<SystemAlertView & { readonly events: readonly SystemAlertEventView[] }> {
    const alert = await this.storage.systemAlerts.get(id);
    if (!alert) throw notFound(id);
    return { ...systemAlertView(alert), events: (await this.storage.systemAlerts.events(id)).map(systemAlertEventView) };
  }

  @Roles('nurse', 'admin')
  @Audited('system-alert.acknowledge', 'system-alert', { param: 'id' })
  @Refuses('system-alert.not-found', 'system-alert.invalid-transition')
  @Answers(SYSTEM_ALERT)
  @Post(':id/acknowledge')
  @HttpCode(200)
  acknowledge(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: SystemAlertActionDto, @CurrentUser() user: SignedInUser): Promise<SystemAlertView> {
    return this.act(id, 'acknowledge', body, user);
  }

  @Roles('nurse', 'admin')
  @Audited('system-alert.resolve', 'system-alert', { param: 'id' })
  @Refuses('system-alert.not-found', 'system-alert.invalid-transition')
  @Answers(SYSTEM_ALERT)
  @Post(':id/resolve')
  @HttpCode(200)
  resolve(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: SystemAlertActionDto, @CurrentUser() user: SignedInUser): Promise<SystemAlertView> {
    return this.act(id, 'resolve', body, user);
  }

  private async act(id: string, action: SystemAlertAction, body: SystemAlertActionDto, user: SignedInUser): Promise<SystemAlertView> {
    const result = await this.storage.systemAlerts.act(id, action, this.clock.now(), { type: 'user', id: user.id }, body.note ?? null);
    if (result === undefined) throw notFound(id);
    if (!result.ok) throw new CodedFailure(result.error); // the state machine refused: say why
    return systemAlertView(result.value);
  }
}

const notFound = (id: string) => new CodedFailure({ code: 'system-alert.not-found', message: `There is no system alert ${id}.` });
