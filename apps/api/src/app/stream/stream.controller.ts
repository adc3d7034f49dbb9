import { Controller, Inject, Ip, type MessageEvent, Sse } from '@nestjs/common';
import { type Observable, concat, defer, endWith, filter, from, ignoreElements, interval, map, merge, takeUntil } from 'rxjs';
import type { Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';
import { AlertStreamService } from './alert-stream.service';

const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /api/stream`: server-sent events for a signed-in nurse or clinician, carrying new and
 * changed alerts of their wards only. Events: `ready` once, then `alert` (a worklist item; state
 * "resolved" means it leaves the worklist), `resync` (refetch the worklist: changes may have
 * been missed) and `ping` every 15 s so proxies keep the connection open.
 */
@Roles('nurse', 'clinician')
@Controller('api')
export class StreamController {
  constructor(
    private readonly stream: AlertStreamService,
    @Inject(STORAGE) private readonly storage: Storage,
  ) {}

  @Sse('stream')
  open(@CurrentUser() user: SignedInUser, @Ip() ip: string): Observable<MessageEvent> {
    const wards = new Set(user.wardIds);
    const opened = defer(() =>
      from(
        this.storage.audit
          .record({ actorType: 'user', actorId: user.id, action: 'stream.open', subjectType: 'ward', subjectId: user.wardIds.join(','), ip })
          .then((): MessageEvent => ({ type: 'ready', data: { wardIds: user.wardIds } })),
      ),
    );
    const changes = this.stream.changes$.pipe(
      filter((change) => change.kind === 'resync' || wards.has(change.item.alert.wardId)),
      map((change): MessageEvent => (change.kind === 'alert' ? { type: 'alert', data: change.item } : { type: 'resync', data: {} })),
    );
    const pings = interval(KEEP_ALIVE_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: {} })));
    // End the response when the service stops (its changes$ completes on module destroy): an open
    // stream would otherwise keep the HTTP server from closing, and Ctrl-C would hang while a
    // dashboard is open. The browser reconnects with backoff.
    const stopped = this.stream.changes$.pipe(ignoreElements(), endWith(true));
    return concat(opened, merge(changes, pings)).pipe(takeUntil(stopped));
  }
}
