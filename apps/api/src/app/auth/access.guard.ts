import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CodedFailure, type Role } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { PUBLIC, ROLES, type SignedInUser } from './access.decorators';
import { bearerToken, hashSessionToken } from './session-token';

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  user?: SignedInUser;
}

/**
 * Global: an endpoint is reachable only if it is marked @Public() or @Roles(...). One with neither
 * is refused (and a test enumerates every route to catch it before it ships). Its refusals are
 * domain errors, answered as the error table says by the ProblemFilter (or, under /fhir, as
 * OperationOutcomes by the FHIR filter, which reads the same table).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (!roles) throw new CodedFailure({ code: 'auth.no-access-rule', message: 'This endpoint has no access rule.' });
    const request = context.switchToHttp().getRequest<RequestLike>();
    const token = bearerToken(request.headers);
    if (!token) throw new CodedFailure({ code: 'auth.signed-out', message: 'Sign in first (Authorization: Bearer <token>).' });
    const user = await this.storage.registry.sessionUser(hashSessionToken(token), this.clock.now());
    if (!user) throw new CodedFailure({ code: 'auth.session-expired', message: 'Your session has expired or was ended; sign in again.' });
    if (!roles.includes(user.role)) throw new CodedFailure({ code: 'auth.role', message: `This needs one of: ${roles.join(', ')}.` });
    request.user = user;
    return true;
  }
}
