export { startSmsSource, type SmsSource } from './sms.source';
export { SmppLink, type SmppLinkEvent } from './smpp-link';
export { SmsOutbox, type OutgoingText } from './sms-outbox';
export { SmsInboundHandler, type IncomingText } from './sms-inbound.handler';
export { SmsReminderScheduler } from './sms-reminder.scheduler';
