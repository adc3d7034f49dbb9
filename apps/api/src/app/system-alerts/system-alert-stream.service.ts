import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import type { SystemAlertView } from '@homeward/contracts';
import type { Storage } from '@homeward/storage';
import { STORAGE } from '../tokens';
import { NotifiedIdBatches } from '../stream/notified-id-batches';
import { systemAlertView } from './system-alert-view';

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
  // A reconnect (gap) needs nothing here: AlertStreamService tells subscribers to resync.
  private readonly notified: NotifiedIdBatches;

  readonly changes$: Observable<SystemAlertView> = this.subject.asObservable();

  constructor(@Inject(STORAGE) private readonly storage: Storage) {
    this.notified = new NotifiedIdBatches(storage.db, 'homeward_system_alerts', (ids) => this.flush(ids));
  }

  async onModuleInit(): Promise<void> {
    await this.notified.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.notified.close();
    this.subject.complete();
  }

  private async flush(ids: string[]): Promise<void> {
    try {
      for (const alert of await this.storage.systemAlerts.getMany(ids)) this.subject.next(systemAlertView(alert));
    } catch (error) {
      this.logger.error(`Could not read changed system alerts: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
