import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Observable, catchError, concatMap, from, throwError } from 'rxjs';
import type { Storage } from '@homeward/storage';
import type { SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';
import { AUDIT, type AuditRule, type AuditTrail, trailOf } from './audit.decorators';

interface RequestLike {
  readonly user?: SignedInUser;
  readonly params?: Record<string, string | undefined>;
  readonly ip?: string;
}

/**
 * The one place the API writes its audit log (issue 17): for a route marked @Audited, once the
 * handler has succeeded and before its answer (or a live stream's first event) leaves, one record
 * per patient the handler named, with the signed-in actor and their address. A failed request is
 * recorded only if its handler said the action had taken effect. A failed write fails the request:
 * an action that cannot be audited is not answered as done.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(STORAGE) private readonly storage: Storage,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rule = context.getType() === 'http' ? this.reflector.getAllAndOverride<AuditRule | undefined>(AUDIT, [context.getHandler(), context.getClass()]) : undefined;
    if (!rule) return next.handle();
    const request = context.switchToHttp().getRequest<RequestLike>();
    const trail = trailOf(request);
    let written: Promise<void> | undefined;
    const write = () => (written ??= this.write(rule, request, trail));
    return next.handle().pipe(
      concatMap((value) => from(write().then(() => value))),
      catchError((error: unknown) => (trail.tookEffect && !written ? from(write().then(() => Promise.reject(error))) : throwError(() => error))),
    );
  }

  private async write(rule: AuditRule, request: RequestLike, trail: AuditTrail): Promise<void> {
    const actorId = trail.actorId ?? request.user?.id;
    if (actorId === undefined) return; // nobody to attribute it to (a sign-in that failed)
    const action = trail.action ?? rule.action;
    const base = { actorType: trail.actorType, actorId, action, subjectType: rule.subject, ip: request.ip ?? null, ...(trail.details ? { details: trail.details } : {}) };
    if (trail.subjects) {
      for (const { subjectId, patientId } of trail.subjects) await this.storage.audit.record({ ...base, subjectId, patientId });
      return;
    }
    const subjectId = trail.subjectId !== undefined ? trail.subjectId : ((rule.param ? request.params?.[rule.param] : undefined) ?? null);
    const patientIds = trail.patientIds ?? [rule.subject === 'patient' ? subjectId : null];
    for (const patientId of patientIds.length > 0 ? patientIds : [null]) {
      const details = trail.detailsFor(patientId);
      // A patient route without a subject of its own (a search, a transaction): each record's subject is its patient.
      await this.storage.audit.record({ ...base, subjectId: subjectId === null && rule.subject === 'patient' ? patientId : subjectId, patientId, ...(details ? { details } : {}) });
    }
  }
}
