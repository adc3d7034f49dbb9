import { ALERT_EVENT_KINDS, ALERT_OUTCOMES, ALERT_SEVERITY_BANDS, ALERT_STATES, PATHWAYS } from '@homeward/domain';
import { anyObject, arrayOf, boolean, component, dateTime, integer, mapOf, nullable, number, object, oneOf, string, uuid } from '../http/answer-schemas';
import { ESCALATION_DELIVERY } from '../notifications/notifications.answers';
import { STORED_READING } from '../readings/readings.answers';

/** Alerts, their history and the worklists built from them, as JSON schemas. */
const SEVERITY = oneOf(...ALERT_SEVERITY_BANDS);
const PERSON = object({ id: uuid, displayName: string });

export const ALERT = component(
  'Alert',
  object({
    id: uuid,
    patientId: uuid,
    wardId: uuid,
    rule: string,
    subject: string,
    severity: SEVERITY,
    state: oneOf(...ALERT_STATES),
    ownerId: nullable(uuid),
    explanation: string,
    details: anyObject,
    latestValue: nullable(number),
    firstMeasuredAt: dateTime,
    latestMeasuredAt: dateTime,
    occurrences: integer,
    readingIds: arrayOf(string),
    openedAt: dateTime,
    updatedAt: dateTime,
    acknowledgedAt: nullable(dateTime),
    escalatedAt: nullable(dateTime),
    resolvedAt: nullable(dateTime),
    outcome: nullable(oneOf(...ALERT_OUTCOMES)),
    escalationDueAt: nullable(dateTime),
    nextReminderAt: nullable(dateTime),
    reminders: integer,
    worsenedAt: nullable(dateTime),
    worsenedFrom: nullable(SEVERITY),
  }),
);
export const ALERT_EVENT = component(
  'AlertEvent',
  object({
    id: string,
    alertId: uuid,
    at: dateTime,
    kind: oneOf(...ALERT_EVENT_KINDS),
    actor: object({ type: oneOf('user', 'system'), id: string }),
    fromState: nullable(oneOf(...ALERT_STATES)),
    toState: oneOf(...ALERT_STATES),
    note: nullable(string),
    details: anyObject,
  }),
);
const WORKLIST_ITEM_FIELDS = { alert: ALERT, patient: nullable(object({ id: uuid, name: string, nhsNumber: string })), waitingMinutes: number };
export const WORKLIST_ITEM = component('WorklistItem', object(WORKLIST_ITEM_FIELDS));
export const ALERT_DETAIL = object({ ...WORKLIST_ITEM_FIELDS, readings: arrayOf(STORED_READING), events: arrayOf(ALERT_EVENT), deliveries: arrayOf(ESCALATION_DELIVERY) });

const WORKLIST_ALERT = object({
  id: uuid,
  rule: string,
  kind: oneOf('clinical', 'silence', 'technical'),
  severity: SEVERITY,
  state: oneOf('open', 'acknowledged', 'escalated'),
  explanation: string,
  value: nullable(number),
  unit: nullable(string),
  vital: nullable(string),
  measuredAt: dateTime,
  openedAt: dateTime,
  escalatedAt: nullable(dateTime),
  escalationDueAt: nullable(dateTime),
  worsenedAt: nullable(dateTime),
  worsenedFrom: nullable(SEVERITY),
  owner: nullable(PERSON),
});
export const PATIENT_WORKLIST_PAGE = object({
  rows: arrayOf(
    object({
      patient: object({ id: uuid, name: string, nhsNumber: string, pathway: nullable(oneOf(...PATHWAYS)) }),
      severity: SEVERITY,
      alerts: arrayOf(WORKLIST_ALERT),
      waitingSince: dateTime,
      waitingMinutes: number,
      escalated: boolean,
      worsened: boolean,
      assignees: arrayOf(PERSON),
    }),
  ),
  total: integer,
  alertTotal: integer,
  page: integer,
  pageSize: integer,
  pages: integer,
  counts: mapOf(integer),
  generatedAt: dateTime,
});
const NAMED_PATIENT = { patientId: uuid, patientName: string };
export const WARD_OVERVIEW = object({
  generatedAt: dateTime,
  openAlerts: mapOf(mapOf(integer)),
  escalated: arrayOf(object({ alertId: uuid, ...NAMED_PATIENT, severity: SEVERITY, explanation: string, escalatedAt: nullable(dateTime) })),
  noRecentReadings: arrayOf(object({ ...NAMED_PATIENT, lastMeasuredAt: nullable(dateTime) })),
  dueForReview: arrayOf(object({ ...NAMED_PATIENT, reviewBy: string, overdue: boolean })),
  admissions: arrayOf(object({ ...NAMED_PATIENT, pathway: oneOf(...PATHWAYS), at: dateTime })),
  discharges: arrayOf(object({ ...NAMED_PATIENT, at: dateTime, reason: nullable(string) })),
});
export const BULK_ALERT_RESULT = object({ done: arrayOf(uuid), refused: arrayOf(object({ alertId: string, code: string, message: string })) });
