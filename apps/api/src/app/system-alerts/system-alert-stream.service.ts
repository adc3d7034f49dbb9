import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import type { SystemAlertView } from '@homeward/contracts';
import type { Storage } from '@homeward/storage';
import { STORAGE } from '../tokens';
import { systemAlertView } from './system-alert-view';

const BATCH_MS = 10;

/**
 * Follows every system alert change (the `homeward_system_alerts` notification sent at commit,
 * migration 0018), whichever process raised it or whichever nurse acknowledged it, for the live
 * stream's `system-alert` events. A lost LISTEN connection is covered by the stream's `resync`
 * (AlertStreamService), after which the dashboard refetches GET /api/system-alerts too.
 */
@Injectable()
export class SystemAlertStreamService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SystemAlertStream');
  private readonly subject = new Subject<SystemAlertView>();
  private readonly pending = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private stopListening: (() => Promise<void>) | null = null;
  private flushing: Promise<void> = Promise.resolve();

  readonly changes$: Observable<SystemAlertView> = this.subject.asObservable();

  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  async onModuleInit(): Promise<void> {
    const listen = this.storage.db.listen?.bind(this.storage.db);
    if (listen) this.stopListening = await listen('homeward_system_alerts', (payload) => this.onNotify(payload));
  }

  async onModuleDestroy(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.stopListening?.();
    await this.flushing;
    this.subject.complete();
  }

  private onNotify(payload: string): void {
    if (payload === '') return; // reconnected: AlertStreamService tells subscribers to resync
    this.pending.add(payload);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }, BATCH_MS);
  }

  private async flush(): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    try {
      for (const alert of await this.storage.systemAlerts.getMany(ids)) this.subject.next(systemAlertView(alert));
    } catch (error) {
      this.logger.error(`Could not read changed system alerts: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
