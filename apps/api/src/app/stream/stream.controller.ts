import { Controller, Inject, type MessageEvent, Req, Sse } from '@nestjs/common';
import { type Observable, concat, endWith, exhaustMap, filter, from, interval, map, merge, of, take, takeUntil, takeWhile } from 'rxjs';
import type { Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { SessionEvents } from '../auth/session-events.service';
import { bearerToken, hashSessionToken } from '../auth/session-token';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { AlertStreamService } from './alert-stream.service';
import { EscalationStreamService } from '../notifications/escalation-stream.service';
import { SystemAlertStreamService } from '../system-alerts/system-alert-stream.service';

const KEEP_ALIVE_MS = 15_000;
/** How often an open stream re-checks its session: expiry, a disabled account or a sign-out elsewhere end it within this. */
export const SESSION_CHECK_MS = 3_000;

/**
 * `GET /api/stream`: server-sent events for a signed-in nurse or clinician, carrying new and
 * changed alerts of their wards only. Events: `ready` once, then `alert` (a worklist item; state
 * "resolved" means it leaves the worklist), `escalation` (an escalated alert told to a stream
 * escalation contact of the ward: an EscalationStreamNotice), `system-alert` (a SystemAlertView:
 * a problem of Homeward itself, raised or changed, sent to everyone whatever their wards),
 * `resync` (refetch the worklist and the system alerts: changes may have been missed) and `ping` every 15 s so proxies keep the connection open.
 * The stream ends with `session-ended` when its session does: at once on sign-out in this process,
 * within SESSION_CHECK_MS for expiry, a disabled account or a sign-out on another instance.
 */
@Roles('nurse', 'clinician')
@Controller('api')
export class StreamController {
  constructor(
    private readonly stream: AlertStreamService,
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly escalations: EscalationStreamService,
    private readonly sessions: SessionEvents,
    private readonly systemAlerts: SystemAlertStreamService,
  ) {}

  /** Audited (by the interceptor) before the `ready` event leaves. */
  @Audited('stream.open', 'ward')
  @Sse('stream')
  open(@CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail, @Req() request: { headers: Record<string, string | string[] | undefined> }): Observable<MessageEvent> {
    trail.about({ subjectId: user.wardIds.join(',') });
    const wards = new Set(user.wardIds);
    const tokenHash = hashSessionToken(bearerToken(request.headers));
    const sessionEnded = merge(
      this.sessions.ended$.pipe(filter((ended) => ended === tokenHash)),
      interval(SESSION_CHECK_MS).pipe(
        // A failed check (the database briefly away) keeps the stream: only a known-ended session closes it.
        exhaustMap(() => from(this.storage.registry.sessionUser(tokenHash, this.clock.now()).then((found) => found !== undefined, () => true))),
        filter((alive) => !alive),
      ),
    ).pipe(take(1));
    const opened = of<MessageEvent>({ type: 'ready', data: { wardIds: user.wardIds } });
    const changes = this.stream.changesFor(user.wardIds).pipe(
      map((change): MessageEvent => (change.kind === 'alert' ? { type: 'alert', data: change.item } : { type: 'resync', data: {} })),
    );
    const notices = this.escalations.notices$.pipe(
      filter((notice) => wards.has(notice.wardId)),
      map((notice): MessageEvent => ({ type: 'escalation', data: notice })),
    );
    const system = this.systemAlerts.changes$.pipe(map((alert): MessageEvent => ({ type: 'system-alert', data: alert })));
    const pings = interval(KEEP_ALIVE_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: {} })));
    // End the response when the service stops (its changes$ completes on module destroy): an open
    // stream would otherwise keep the HTTP server from closing, and Ctrl-C would hang while a
    // dashboard is open. The browser reconnects with backoff.
    const stopped = this.stream.stopped$.pipe(endWith(true));
    // The last event says why the stream ends, so the dashboard signs the user out instead of reconnecting.
    const farewell = sessionEnded.pipe(map((): MessageEvent => ({ type: 'session-ended', data: {} })));
    return concat(opened, merge(changes, notices, system, pings, farewell)).pipe(
      takeWhile((event) => event.type !== 'session-ended', true),
      takeUntil(stopped),
    );
  }
}
