import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { SystemAlertKind, SystemAlertState } from '@homeward/domain';

/**
 * A system alert as the API and the live stream show it (`GET /api/system-alerts`, stream event
 * `system-alert`): a problem of Homeward itself, not of a patient, for every member of staff.
 */
export interface SystemAlertView {
  readonly id: string;
  readonly kind: SystemAlertKind;
  /** Where: "embedded" (the database), "rules" (the pipeline), a gateway host, an escalation channel. */
  readonly source: string;
  readonly state: SystemAlertState;
  /** One sentence for a nurse: what is wrong and what it means for them. */
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly occurrences: number;
  readonly openedAt: string;
  readonly lastSeenAt: string;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
}

/** One line of a system alert's audit trail (`GET /api/system-alerts/{id}`). */
export interface SystemAlertEventView {
  readonly at: string;
  readonly kind: 'raised' | 'repeated' | 'reopened' | 'acknowledged' | 'resolved';
  readonly actorType: 'user' | 'system';
  readonly actorId: string;
  readonly fromState: SystemAlertState | null;
  readonly toState: SystemAlertState;
  readonly note: string | null;
}

/** `GET /api/system-alerts?state=all` adds resolved ones (newest 100); the default is unresolved only. */
export class SystemAlertsQueryDto {
  @IsOptional()
  @IsIn(['unresolved', 'all'], { message: 'state must be unresolved or all' })
  state?: 'unresolved' | 'all';
}

/** The body of `POST /api/system-alerts/{id}/acknowledge` and `…/resolve`. */
export class SystemAlertActionDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
