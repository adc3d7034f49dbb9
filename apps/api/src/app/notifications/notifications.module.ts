import { type DynamicModule, Module } from '@nestjs/common';
import type { Storage } from '@homeward/storage';
import { EscalationContactsController } from './escalation-contacts.controller';
import { EscalationStreamService } from './escalation-stream.service';
import { NotificationDelivererService } from './notification-deliverer.service';
import { NOTIFICATIONS_OPTIONS, NOTIFICATIONS_STORAGE, type NotificationOptions } from './notifications.options';

/**
 * Escalation notifications: wards' contacts (their routes), the deliverer and its channels (webhook,
 * live stream). The api's stream controller takes the stream channel's notices from
 * EscalationStreamService.
 */
@Module({})
export class NotificationsModule {
  static forRoot(storage: Storage, options: NotificationOptions = {}): DynamicModule {
    return {
      module: NotificationsModule,
      controllers: [EscalationContactsController],
      providers: [
        { provide: NOTIFICATIONS_STORAGE, useValue: storage },
        { provide: NOTIFICATIONS_OPTIONS, useValue: options },
        EscalationStreamService,
        NotificationDelivererService,
      ],
      exports: [EscalationStreamService, NotificationDelivererService],
    };
  }
}
