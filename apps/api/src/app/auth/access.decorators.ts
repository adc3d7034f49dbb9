import { type ExecutionContext, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Role, User } from '@homeward/domain';

export const PUBLIC = 'homeward:public';
export const ROLES = 'homeward:roles';

/** Anyone may call this endpoint (health, sign-in). Every endpoint must say Public or Roles. */
export const Public = () => SetMetadata(PUBLIC, true);

/**
 * Only signed-in users with one of these roles; finer checks (ward, own record) are in the handler.
 * The OpenAPI document learns the same rule from here: bearer token, and who may call.
 */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ROLES, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Not signed in, or the session has ended.' }),
    ApiForbiddenResponse({ description: `Needs one of the roles: ${roles.join(', ')}.` }),
  );

export interface SignedInUser extends User {
  readonly wardIds: readonly string[];
  /** For a patient's own account: their patient record. */
  readonly patientId: string | null;
}

export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): SignedInUser => {
  return context.switchToHttp().getRequest<{ user: SignedInUser }>().user;
});
