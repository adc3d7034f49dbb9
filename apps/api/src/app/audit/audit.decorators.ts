import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';

export const AUDIT = 'homeward:audit';
export const NOT_AUDITED = 'homeward:not-audited';

/** What a route's audit record says: the action, what it is about, and where the subject's id comes from. */
export interface AuditRule {
  /** e.g. "patient.read", "alert.acknowledge". */
  readonly action: string;
  /** The record's subject type: patient, alert, ward, device, user, audit, rejected-message. */
  readonly subject: string;
  /** The route parameter holding the subject's id; for a patient it is also the record's patient. */
  readonly param?: string;
}

/**
 * This route is audited: after it succeeds, the AuditInterceptor writes one record (one per patient
 * the handler names) of who did `action` to which `subject`, from where. The handler adds what only
 * it knows through its AuditTrail. Every route must say @Audited or @NotAudited (a test enumerates them).
 */
export const Audited = (action: string, subject: string, options: { readonly param?: string } = {}) => SetMetadata(AUDIT, { action, subject, ...options } satisfies AuditRule);

/** This route reads or changes no patient data worth a record; the reason is required, and read in review. */
export const NotAudited = (reason: string) => SetMetadata(NOT_AUDITED, reason);

/**
 * What a handler adds to its route's audit record: facts only it knows (the alert's patient, the
 * device's patients before and after, counts), the actor when nobody is signed in yet (sign-in),
 * and whether the action took effect even though the answer is an error (readings stored before
 * a 422). One per request.
 */
export class AuditTrail {
  actorId: string | undefined;
  actorType: 'user' | 'carer' = 'user';
  subjectId: string | null | undefined;
  patientIds: ReadonlyArray<string | null> | undefined;
  details: Record<string, unknown> | undefined;
  /** The action, where the route's depends on the request (a bulk acknowledge or assign). */
  action: string | undefined;
  /** One record per subject (a bulk action on many alerts), in place of one per patient. */
  subjects: Array<{ readonly subjectId: string; readonly patientId: string | null }> | undefined;
  detailsByPatient: Map<string, Record<string, unknown>> | undefined;
  tookEffect = false;

  /** The actor, where the request has no signed-in user (the sign-in itself), or acts as someone else's proxy (a carer). */
  by(actorId: string, actorType: 'user' | 'carer' = 'user'): this {
    this.actorId = actorId;
    this.actorType = actorType;
    return this;
  }

  /** The subject's id (when no route parameter holds it) and the patient(s) the record is about; one record per patient. */
  about(what: { readonly subjectId?: string | null; readonly patientId?: string | null; readonly patientIds?: ReadonlyArray<string | null> }): this {
    if (what.subjectId !== undefined) this.subjectId = what.subjectId;
    if (what.patientId !== undefined) this.patientIds = [what.patientId];
    if (what.patientIds !== undefined) this.patientIds = what.patientIds;
    return this;
  }

  /** The action recorded, where the route's rule names a family (`alert.*`) the request picks from. */
  as(action: string): this {
    this.action = action;
    return this;
  }

  /** One more subject acted on (a bulk action): each gets a record of its own, as if done alone. */
  each(subject: { readonly subjectId: string; readonly patientId: string | null }): this {
    (this.subjects ??= []).push(subject);
    return this;
  }

  /**
   * One more patient the action was about, with details for that patient's record only (a search
   * that found several, a transaction's counts per patient); one record per patient.
   */
  aboutPatient(patientId: string, details?: Record<string, unknown>): this {
    if (!this.patientIds?.includes(patientId)) this.patientIds = [...(this.patientIds ?? []), patientId];
    if (details) (this.detailsByPatient ??= new Map()).set(patientId, { ...this.detailsByPatient?.get(patientId), ...details });
    return this;
  }

  /** The details of one patient's record: the shared ones and that patient's own. */
  detailsFor(patientId: string | null): Record<string, unknown> | undefined {
    const own = patientId === null ? undefined : this.detailsByPatient?.get(patientId);
    return own ? { ...this.details, ...own } : this.details;
  }

  with(details: Record<string, unknown>): this {
    this.details = { ...this.details, ...details };
    return this;
  }

  /** From here on the action has happened: record it even if the answer turns out to be an error. */
  effective(): this {
    this.tookEffect = true;
    return this;
  }
}

const TRAIL = Symbol('homeward.audit-trail');

/** The request's AuditTrail (made on first use). */
export function trailOf(request: object): AuditTrail {
  const holder = request as { [TRAIL]?: AuditTrail };
  holder[TRAIL] ??= new AuditTrail();
  return holder[TRAIL];
}

/** Injects the request's AuditTrail into a handler. */
export const Trail = createParamDecorator((_data: unknown, context: ExecutionContext): AuditTrail => trailOf(context.switchToHttp().getRequest<object>()));
