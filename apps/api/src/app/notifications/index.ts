export * from './delivery-schedule';
export * from './notification-channel';
export * from './notification-deliverer.service';
export * from './notifications.module';
export * from './notifications.options';
export * from './webhook-signature';
