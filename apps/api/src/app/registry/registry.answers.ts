import { DEVICE_TYPES, PATHWAYS, ROLES } from '@homeward/domain';
import { anyObject, arrayOf, boolean, component, date, dateTime, integer, mapOf, nullable, number, object, oneOf, string, uuid } from '../http/answer-schemas';

/** The registry's answers (patients, admissions, devices, wards, people, audit) as JSON schemas. */
export const WARD = component('Ward', object({ id: uuid, name: string, createdAt: dateTime }));
export const PATIENT = component('Patient', object({ id: uuid, nhsNumber: string, givenName: string, familyName: string, dateOfBirth: date, createdAt: dateTime }));
export const ADMISSION = component(
  'Admission',
  object({ id: uuid, patientId: uuid, wardId: uuid, pathway: oneOf(...PATHWAYS), admittedAt: dateTime, dischargedAt: nullable(dateTime), carePlan: anyObject }),
);
export const DEVICE = component(
  'Device',
  object({ id: uuid, type: oneOf(...DEVICE_TYPES), serial: string, model: nullable(string), bleAddress: nullable(string), patientId: nullable(uuid), lastSeenAt: nullable(dateTime), batteryLevel: nullable(number), createdAt: dateTime }),
);
export const DEVICE_STATUS = component(
  'DeviceStatus',
  object(
    { id: uuid, type: string, serial: string, model: nullable(string), lastSeenAt: nullable(dateTime), batteryLevel: nullable(number), batteryAt: nullable(dateTime), status: oneOf('ok', 'battery-low', 'not-seen', 'offline') },
    { connection: nullable(object({ state: oneOf('online', 'offline'), at: dateTime })) },
  ),
);
export const REGISTERED_DEVICE = object({ device: DEVICE, mqtt: object({ clientId: string, username: string, password: string }) });
export const PATIENT_SUMMARY = component('PatientSummary', { allOf: [PATIENT, object({ admission: nullable(ADMISSION) })] });
export const PATIENT_RECORD = component(
  'PatientRecord',
  object(
    {
      patient: PATIENT,
      admission: nullable(ADMISSION),
      devices: arrayOf(DEVICE_STATUS),
      thresholds: arrayOf(object({ vital: string, direction: oneOf('at-or-above', 'at-or-below'), value: number, severity: string, source: oneOf('pathway', 'override') })),
    },
    { carePlanProblems: arrayOf(string) },
  ),
);
export const NEWS2_POINT = component(
  'News2Point',
  object({ at: dateTime, complete: boolean, score: integer, band: oneOf('low', 'low-medium', 'medium', 'high'), hasSingleParameter3: boolean, missing: arrayOf(string), parameters: mapOf(anyObject) }),
);
export const DISCHARGED = object({ admissionId: uuid, dischargedAt: dateTime });
export const ME = object({ id: uuid, email: string, displayName: string, role: oneOf(...ROLES), wardIds: arrayOf(uuid), patientId: nullable(uuid) });
export const WARD_MEMBER = object({ id: uuid, displayName: string, role: oneOf(...ROLES) });
export const USER = component('User', object({ id: uuid, email: string, displayName: string, role: oneOf(...ROLES), createdAt: dateTime }));
export const USER_WITH_WARDS = { allOf: [USER, object({ wardIds: arrayOf(uuid) })] };
export const CREATED_USER = object({ user: USER, wardIds: arrayOf(uuid), password: string });
export const WARD_PATIENT_ADVICE = object({ wardId: uuid, configured: nullable(string), message: string });
export const AUDIT_RECORD = component(
  'AuditRecord',
  object(
    { id: string, at: dateTime, actorType: oneOf('user', 'device', 'system', 'carer'), actorId: string, action: string, subjectType: string },
    { subjectId: nullable(string), patientId: nullable(uuid), ip: nullable(string), details: anyObject },
  ),
);
const REJECTED_MESSAGE_SUMMARY = {
  id: string,
  receivedAt: dateTime,
  source: string,
  deviceId: nullable(string),
  topic: nullable(string),
  reasonCode: string,
  reason: string,
  payloadBytes: integer,
};
export const REJECTED_MESSAGE_PAGE = object({ items: arrayOf(object(REJECTED_MESSAGE_SUMMARY)), next: nullable(string) });
export const REJECTED_MESSAGE_DETAIL = object({
  ...REJECTED_MESSAGE_SUMMARY,
  details: anyObject,
  payload: { oneOf: [object({ encoding: oneOf('utf-8'), text: string }), object({ encoding: oneOf('hex'), hex: string })] },
});
