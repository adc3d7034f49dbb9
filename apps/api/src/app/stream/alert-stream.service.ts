import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import type { Storage } from '@homeward/storage';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { type WorklistItem, worklistItems } from '../worklist/worklist-items';
import { NotifiedIdBatches } from './notified-id-batches';

/** What the live stream carries: a new or changed alert, or "refetch the worklist" after a gap. */
export type AlertChange = { readonly kind: 'alert'; readonly item: WorklistItem } | { readonly kind: 'resync' };

const POLL_MS = 2_000;

/**
 * Follows every alert change in the database (the `homeward_alerts` notification sent at commit by
 * a trigger, migration 0006), whichever process made it: a rules worker raising or escalating, or
 * a nurse acting in another api instance. Ids arriving together are fetched in one go. When the
 * LISTEN connection was lost, changes in the gap are unknown, so subscribers are told to resync.
 */
@Injectable()
export class AlertStreamService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AlertStream');
  private readonly changesSubject = new Subject<AlertChange>();
  private readonly notified: NotifiedIdBatches;
  private pollTimer: NodeJS.Timeout | null = null;

  readonly changes$: Observable<AlertChange> = this.changesSubject.asObservable();

  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.notified = new NotifiedIdBatches(storage.db, 'homeward_alerts', (ids) => this.flush(ids), () => this.changesSubject.next({ kind: 'resync' }));
  }

  async onModuleInit(): Promise<void> {
    if (!(await this.notified.start())) {
      // A driver that cannot LISTEN: tell clients to refetch now and then rather than go silent.
      this.logger.warn('This database driver cannot LISTEN; the live stream falls back to periodic resyncs.');
      this.pollTimer = setInterval(() => this.changesSubject.next({ kind: 'resync' }), POLL_MS);
      this.pollTimer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.notified.close();
    this.changesSubject.complete();
  }

  private async flush(ids: string[]): Promise<void> {
    try {
      const alerts = await this.storage.alerts.getMany(ids);
      for (const item of await worklistItems(this.storage, alerts, this.clock.now())) this.changesSubject.next({ kind: 'alert', item });
    } catch (error) {
      // The database hiccuped: the changes are not lost for the nurse, the worklist is refetched.
      this.logger.error(`Could not read changed alerts: ${error instanceof Error ? error.message : String(error)}`);
      this.changesSubject.next({ kind: 'resync' });
    }
  }
}
