import { SYSTEM_ALERT_KINDS, SYSTEM_ALERT_STATES } from '@homeward/domain';
import { anyObject, arrayOf, component, dateTime, integer, nullable, object, oneOf, string, uuid } from '../http/answer-schemas';

/** A system alert (the platform's own faults) and its history, as JSON schemas. */
const STATE = oneOf(...SYSTEM_ALERT_STATES);
const FIELDS = {
  id: uuid,
  kind: oneOf(...SYSTEM_ALERT_KINDS),
  source: string,
  state: STATE,
  summary: string,
  details: anyObject,
  occurrences: integer,
  openedAt: dateTime,
  lastSeenAt: dateTime,
  acknowledgedAt: nullable(dateTime),
  acknowledgedBy: nullable(string),
  resolvedAt: nullable(dateTime),
  resolvedBy: nullable(string),
};
export const SYSTEM_ALERT = component('SystemAlert', object(FIELDS));
export const SYSTEM_ALERT_WITH_EVENTS = object({
  ...FIELDS,
  events: arrayOf(
    object({ at: dateTime, kind: oneOf('raised', 'repeated', 'reopened', 'acknowledged', 'resolved'), actorType: oneOf('user', 'system'), actorId: string, fromState: nullable(STATE), toState: STATE, note: nullable(string) }),
  ),
});
