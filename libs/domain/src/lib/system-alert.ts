import { type CodedError, type Result, fail, ok } from './coded-error';

/**
 * System alerts: problems of Homeward itself, not of a patient (ARCHITECTURE.md: technical
 * problems reach staff as technical alerts). They are kept apart from patient alerts (no patient,
 * no ward, no clinical severity): every member of staff sees them, because while one is open no
 * patient's alerts can be fully trusted.
 *
 *   open ──acknowledge──► acknowledged ──resolve──► resolved (terminal)
 *    └──────────────resolve──────────────────────────┘
 *
 * Two shapes of problem:
 * - a condition (the rules pipeline stalled, the broker not accepting devices, escalations not
 *   delivered, the rules' timed checks failing for some patients) is raised while its detector sees it and resolved by the detector when it clears;
 * - an event (the database died and was restarted, the clinical rules failed on some patients'
 *   readings) has nothing to clear: it stays until a person
 *   resolves it, and a new occurrence re-opens an acknowledged one so it is seen again.
 */
export const SYSTEM_ALERT_KINDS = ['database-restarted', 'pipeline-stalled', 'broker-unavailable', 'escalation-delivery-failing', 'timed-checks-failing', 'rules-evaluation-failed'] as const;
export type SystemAlertKind = (typeof SYSTEM_ALERT_KINDS)[number];

export const SYSTEM_ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type SystemAlertState = (typeof SYSTEM_ALERT_STATES)[number];

/** Events stay until a person resolves them; conditions resolve themselves when they clear. */
export const SYSTEM_ALERT_IS_EVENT: Readonly<Record<SystemAlertKind, boolean>> = {
  'database-restarted': true,
  'pipeline-stalled': false,
  'broker-unavailable': false,
  'escalation-delivery-failing': false,
  'timed-checks-failing': false,
  // Readings were passed without their clinical checks: only a person can say they were reviewed.
  'rules-evaluation-failed': true,
};

/** A problem a detector reports: `source` names where (a gateway host, a channel), so each source has its own alert. */
export interface SystemProblem {
  readonly kind: SystemAlertKind;
  readonly source: string;
  /** One sentence a nurse can read: what is wrong and what it means for them. */
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** What storage must do with a reported problem, given the unresolved alert of its kind and source (if any). */
export type SystemProblemDecision =
  | { readonly action: 'raise' }
  /** Seen again: count it, refresh summary and details; `reopen` puts an acknowledged event back to open. */
  | { readonly action: 'repeat'; readonly reopen: boolean };

export function decideSystemProblem(unresolved: { readonly kind: SystemAlertKind; readonly state: SystemAlertState } | undefined): SystemProblemDecision {
  if (unresolved === undefined) return { action: 'raise' };
  return { action: 'repeat', reopen: unresolved.state === 'acknowledged' && SYSTEM_ALERT_IS_EVENT[unresolved.kind] };
}

export type SystemAlertAction = 'acknowledge' | 'resolve';
export type SystemAlertTransitionErrorCode = 'system-alert.invalid-transition';

/** The state a person's action leads to, or why it cannot be taken. */
export function systemAlertTransition(from: SystemAlertState, action: SystemAlertAction): Result<SystemAlertState, CodedError<SystemAlertTransitionErrorCode>> {
  if (action === 'acknowledge' && from === 'open') return ok('acknowledged');
  if (action === 'resolve' && from !== 'resolved') return ok('resolved');
  return fail('system-alert.invalid-transition', `A system alert that is ${from} cannot be ${action === 'acknowledge' ? 'acknowledged' : 'resolved'}.`, { from, action });
}
