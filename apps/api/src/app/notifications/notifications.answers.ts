import { ESCALATION_CHANNELS } from '@homeward/contracts';
import { component, dateTime, integer, nullable, object, oneOf, string, uuid } from '../http/answer-schemas';

/** A ward's escalation contact, and one delivery of an escalation to one. */
export const ESCALATION_CONTACT = component(
  'EscalationContact',
  object({ id: uuid, wardId: uuid, name: string, role: string, channel: oneOf(...ESCALATION_CHANNELS), url: nullable(string), createdAt: dateTime }),
);
export const ESCALATION_DELIVERY = component(
  'EscalationDelivery',
  object({
    id: string,
    contactName: string,
    contactRole: string,
    channel: oneOf(...ESCALATION_CHANNELS),
    status: oneOf('pending', 'delivered', 'failed'),
    attempts: integer,
    createdAt: dateTime,
    lastAttemptAt: nullable(dateTime),
    lastStatusCode: nullable(integer),
    lastError: nullable(string),
    nextAttemptAt: nullable(dateTime),
    deliveredAt: nullable(dateTime),
  }),
);
