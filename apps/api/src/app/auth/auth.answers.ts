import { ROLES } from '@homeward/domain';
import { dateTime, object, oneOf, string, uuid } from '../http/answer-schemas';

/** A sign-in: the bearer token, when it ends, and who it is for. */
export const SIGNED_IN = object({ token: string, expiresAt: dateTime, user: object({ id: uuid, role: oneOf(...ROLES), displayName: string }) });
