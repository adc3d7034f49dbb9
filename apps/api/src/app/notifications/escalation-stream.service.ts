import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import type { EscalationStreamNotice } from '@homeward/contracts';
import type { Storage } from '@homeward/storage';
import type { EscalationNotification, NotificationChannel, SendOutcome } from './notification-channel';
import { NOTIFICATIONS_STORAGE } from './notifications.options';

/** pg_notify channel of stream-contact notices: whichever api process delivers, every one's /api/stream shows it. */
export const ESCALATION_NOTICES_CHANNEL = 'homeward_escalations';

/**
 * The live-stream channel: an escalation for a "stream" contact is announced through PostgreSQL
 * (pg_notify, delivered at commit to every api process listening) and appears on /api/stream as
 * an `escalation` event for the ward's nurses and clinicians. Delivered means announced: whether
 * anyone had the dashboard open is not knowable here.
 */
@Injectable()
export class EscalationStreamService implements NotificationChannel, OnModuleInit, OnModuleDestroy {
  readonly kind = 'stream' as const;
  private readonly logger = new Logger('EscalationStream');
  private readonly subject = new Subject<EscalationStreamNotice>();
  private stopListening: (() => Promise<void>) | undefined;

  readonly notices$: Observable<EscalationStreamNotice> = this.subject.asObservable();

  constructor(@Inject(NOTIFICATIONS_STORAGE) private readonly storage: Storage) {}

  async onModuleInit(): Promise<void> {
    const listen = this.storage.db.listen?.bind(this.storage.db);
    if (!listen) {
      this.logger.warn('This database driver cannot LISTEN; escalation notices reach the stream of this process only.');
      return;
    }
    this.stopListening = await listen(ESCALATION_NOTICES_CHANNEL, (payload) => {
      if (payload === '') return; // a reconnection: notices in the gap are still on the alert's deliveries
      try {
        this.subject.next(JSON.parse(payload) as EscalationStreamNotice);
      } catch {
        this.logger.warn('ignored an unreadable escalation notice');
      }
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.stopListening?.().catch(() => undefined);
    this.subject.complete();
  }

  async send(notification: EscalationNotification): Promise<SendOutcome> {
    const { snapshot } = notification;
    const notice: EscalationStreamNotice = {
      deliveryId: notification.deliveryId,
      alertId: snapshot.alert.id,
      wardId: snapshot.ward.id,
      severity: snapshot.alert.severity,
      explanation: snapshot.alert.explanation,
      escalatedAt: snapshot.alert.escalatedAt,
      escalatedBy: snapshot.escalatedBy,
      contact: { name: snapshot.contact.name, role: snapshot.contact.role },
    };
    try {
      if (this.stopListening) await this.storage.db.query('SELECT pg_notify($1, $2)', [ESCALATION_NOTICES_CHANNEL, JSON.stringify(notice)]);
      else this.subject.next(notice);
      return { ok: true, retryable: false, statusCode: null, error: null, payloadHash: null };
    } catch (error) {
      return { ok: false, retryable: true, statusCode: null, error: `could not announce: ${error instanceof Error ? error.message : String(error)}`, payloadHash: null };
    }
  }
}
