import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Observable, Subject, filter, ignoreElements } from 'rxjs';
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
 * a nurse acting in another api instance. Ids arriving together are fetched in one go, and only
 * the alerts of wards someone is watching (changesFor) are read at all: a backfill rewriting the
 * alerts of wards nobody has open costs the live stream one small query, not their rows and
 * patients. When the LISTEN connection was lost, changes in the gap are unknown, so subscribers
 * are told to resync.
 */
@Injectable()
export class AlertStreamService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AlertStream');
  private readonly changesSubject = new Subject<AlertChange>();
  private readonly notified: NotifiedIdBatches;
  private pollTimer: NodeJS.Timeout | null = null;
  /** Wards with an open stream, and how many streams watch each. */
  private readonly watched = new Map<string, number>();

  /** Completes when the service stops (the streams end with it). */
  readonly stopped$: Observable<never> = this.changesSubject.pipe(ignoreElements());

  /**
   * Changes to the alerts of these wards, and resyncs, while subscribed: the wards count as
   * watched from the subscription until it ends.
   */
  changesFor(wardIds: readonly string[]): Observable<AlertChange> {
    const wards = new Set(wardIds);
    return new Observable<AlertChange>((subscriber) => {
      for (const ward of wards) this.watched.set(ward, (this.watched.get(ward) ?? 0) + 1);
      const subscription = this.changesSubject.pipe(filter((change) => change.kind === 'resync' || wards.has(change.item.alert.wardId))).subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        for (const ward of wards) {
          const left = (this.watched.get(ward) ?? 1) - 1;
          if (left > 0) this.watched.set(ward, left);
          else this.watched.delete(ward);
        }
      };
    });
  }

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
      if (this.watched.size === 0) return; // nobody is watching: nothing to read
      const alerts = await this.storage.alerts.getMany(ids, { wardIds: [...this.watched.keys()] });
      for (const item of await worklistItems(this.storage, alerts, this.clock.now())) this.changesSubject.next({ kind: 'alert', item });
    } catch (error) {
      // The database hiccuped: the changes are not lost for the nurse, the worklist is refetched.
      this.logger.error(`Could not read changed alerts: ${error instanceof Error ? error.message : String(error)}`);
      this.changesSubject.next({ kind: 'resync' });
    }
  }
}
