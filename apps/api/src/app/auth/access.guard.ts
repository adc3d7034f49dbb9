import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { STORAGE } from '../tokens';
import { httpExceptionOf } from '../http/problem.filter';
import { PUBLIC, ROLES, type SignedInUser } from './access.decorators';
import { bearerToken, hashSessionToken } from './session-token';

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  user?: SignedInUser;
}

/**
 * Global: an endpoint is reachable only if it is marked @Public() or @Roles(...). One with neither
 * is refused (and a test enumerates every route to catch it before it ships). Its refusals are
 * HttpExceptions built from the error table: a guard runs before any route's own filter (FHIR's),
 * which must see them with their status.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(STORAGE) private readonly storage: Storage,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (!roles) throw httpExceptionOf({ code: 'auth.no-access-rule', message: 'This endpoint has no access rule.' });
    const request = context.switchToHttp().getRequest<RequestLike>();
    const token = bearerToken(request.headers);
    if (!token) throw httpExceptionOf({ code: 'auth.signed-out', message: 'Sign in first (Authorization: Bearer <token>).' });
    const user = await this.storage.registry.sessionUser(hashSessionToken(token), new Date());
    if (!user) throw httpExceptionOf({ code: 'auth.session-expired', message: 'Your session has expired or was ended; sign in again.' });
    if (!roles.includes(user.role)) throw httpExceptionOf({ code: 'auth.role', message: `This needs one of: ${roles.join(', ')}.` });
    request.user = user;
    return true;
  }
}
