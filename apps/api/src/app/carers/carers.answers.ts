import { arrayOf, component, dateTime, nullable, object, oneOf, string, uuid } from '../http/answer-schemas';

/** Carers, their links to patients and verified phone numbers, as JSON schemas. */
export const CARER = object({ id: uuid, displayName: string, userId: nullable(uuid) });
export const CARER_LINK = component(
  'CarerLink',
  object({
    id: uuid,
    carerId: uuid,
    patientId: uuid,
    basis: oneOf('consent', 'best-interest'),
    decidedOn: string,
    reason: string,
    decidedBy: nullable(string),
    startedAt: dateTime,
    endedAt: nullable(dateTime),
    endReason: nullable(oneOf('revoked', 'discharged')),
  }),
);
export const VERIFIED_NUMBER = object({ number: string, verifiedAt: dateTime });
export const CARED_FOR_PATIENTS = arrayOf(object({ patientId: uuid, givenName: string, familyName: string, advice: string }));
