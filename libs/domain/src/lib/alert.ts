import { type CodedError, type Result, fail, ok } from './coded-error';

/**
 * An alert's life (ARCHITECTURE.md, "Alerts"): open → acknowledged → resolved with an outcome,
 * plus escalated. Every change is stored as an event with who, when and why; this file is the
 * pure part: which changes are allowed and what they require.
 *
 *   open ──acknowledge──► acknowledged ──resolve──► resolved
 *    │  ╲                     │  ▲
 *    │   ╲──escalate──►  escalated ──acknowledge─┘
 *    └──────────resolve──────────────► resolved (terminal)
 *
 * And one change only the system makes: an acknowledged or escalated alert is re-opened
 * (`reopen`, back to open) when a new finding is worse than it, so the worsening is shown again
 * (alert-decision.ts). Acknowledged is not resolved; resolved is never re-opened.
 *
 * Resolved is terminal: a new episode of the same problem is a new alert, so the history of the
 * old one stays as it was when it was closed.
 */
export const ALERT_STATES = ['open', 'acknowledged', 'escalated', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Unresolved states: at most one alert per patient, rule and subject may be in one of these. */
export const UNRESOLVED_ALERT_STATES: readonly AlertState[] = ['open', 'acknowledged', 'escalated'];

/**
 * Severity bands, lowest first. The same four bands as NEWS2's risk (RCP 2017 chart 3) and as
 * @homeward/rules' AlertSeverity, so a NEWS2, a threshold and an overdue-reading alert sit on
 * one scale in the worklist and the escalation timers.
 */
export const ALERT_SEVERITY_BANDS = ['low', 'low-medium', 'medium', 'high'] as const;
export type AlertSeverityBand = (typeof ALERT_SEVERITY_BANDS)[number];

export function alertSeverityRank(severity: AlertSeverityBand): number {
  return ALERT_SEVERITY_BANDS.indexOf(severity);
}

/**
 * How an alert ended. The first seven are a person's decision (issue 5); `reading-received` is
 * the only outcome the system records itself, for an overdue-reading alert whose reading arrived.
 */
export const ALERT_OUTCOMES = [
  'contacted-patient',
  'visit-arranged',
  'escalated-to-gp',
  'escalated-to-999',
  'escalated-to-ward',
  'false-alarm',
  'device-problem',
  'reading-received',
] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];

export const SYSTEM_ALERT_OUTCOMES: readonly AlertOutcome[] = ['reading-received'];

export const ALERT_OUTCOME_NAMES: Readonly<Record<AlertOutcome, string>> = {
  'contacted-patient': 'contacted the patient',
  'visit-arranged': 'visit arranged',
  'escalated-to-gp': 'escalated to the GP',
  'escalated-to-999': 'escalated to 999',
  'escalated-to-ward': 'escalated to a hospital ward',
  'false-alarm': 'false alarm',
  'device-problem': 'device problem',
  'reading-received': 'the overdue reading arrived',
};

export type AlertAction = 'acknowledge' | 'escalate' | 'resolve' | 'reopen';

/** A person (user id) or the system (a named component such as "rules-engine"). */
export interface AlertActor {
  readonly type: 'user' | 'system';
  readonly id: string;
}

/** Every event an alert's history can hold: the transitions, and the changes that keep the state. */
export const ALERT_EVENT_KINDS = ['raised', 'repeated', 'acknowledged', 'escalated', 'resolved', 'assigned', 'noted', 'reminded', 'worsened'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

const ALLOWED: Readonly<Record<AlertState, Readonly<Partial<Record<AlertAction, AlertState>>>>> = {
  open: { acknowledge: 'acknowledged', escalate: 'escalated', resolve: 'resolved' },
  acknowledged: { escalate: 'escalated', resolve: 'resolved', reopen: 'open' },
  // Someone takes the escalated alert on: acknowledged again, now by the senior who picked it up.
  escalated: { acknowledge: 'acknowledged', resolve: 'resolved', reopen: 'open' },
  resolved: {},
};

/** The state an action leads to from `from`, by the state machine alone (no actor or outcome checks); undefined: not allowed. */
export function alertTransitionTarget(from: AlertState, action: AlertAction): AlertState | undefined {
  return ALLOWED[from][action];
}

export const ACTION_EVENT_KIND: Readonly<Record<AlertAction, AlertEventKind>> = {
  acknowledge: 'acknowledged',
  escalate: 'escalated',
  resolve: 'resolved',
  reopen: 'worsened',
};

export interface AlertTransitionRequest {
  readonly from: AlertState;
  readonly action: AlertAction;
  readonly by: AlertActor;
  /** Required to resolve; refused for any other action. */
  readonly outcome?: AlertOutcome;
  /** Why: required to escalate (the senior must know what is asked of them). */
  readonly reason?: string;
  /** Whether the alert's rule may resolve it by itself (an overdue reading that arrived). */
  readonly selfResolving?: boolean;
}

export type AlertTransitionErrorCode =
  | 'alert.transition-not-allowed'
  | 'alert.outcome-required'
  | 'alert.outcome-not-allowed'
  | 'alert.reason-required'
  | 'alert.self-resolution-not-allowed'
  | 'alert.actor-required';

/**
 * The state an action leads to, or why it is refused. NEWS2 and threshold alerts need a person
 * to resolve them; only a self-resolving rule's alert may be resolved by the system, and only with
 * a system outcome. A person never records a system outcome, so "the reading arrived" always
 * means the engine saw it.
 */
export function nextAlertState(request: AlertTransitionRequest): Result<AlertState, CodedError<AlertTransitionErrorCode>> {
  const { from, action, by, outcome } = request;
  if (typeof by?.id !== 'string' || by.id.trim() === '') {
    return fail('alert.actor-required', 'Every alert change records who made it.');
  }
  // Re-opening follows a worse finding, which only the engine sees; a person raises a concern as a note or an escalation.
  if (action === 'reopen' && by.type !== 'system') {
    return fail('alert.transition-not-allowed', 'Only the system re-opens an alert, when a new finding is worse than it.', { from, action });
  }
  const to = ALLOWED[from][action];
  if (to === undefined && action === 'reopen') {
    return fail('alert.transition-not-allowed', `Only an acknowledged or escalated alert is re-opened; this one is ${from}.`, { from, action });
  }
  if (to === undefined) {
    return fail('alert.transition-not-allowed', `${from === 'resolved' ? 'A' : 'An'} ${from} alert cannot be ${ACTION_EVENT_KIND[action]}.`, { from, action });
  }
  if (action !== 'resolve' && outcome !== undefined) {
    return fail('alert.outcome-not-allowed', 'An outcome is recorded only when the alert is resolved.', { action });
  }
  if (action === 'escalate' && (request.reason === undefined || request.reason.trim() === '')) {
    return fail('alert.reason-required', 'Say why the alert is escalated, so whoever picks it up knows what is asked of them.');
  }
  if (action === 'resolve') {
    if (outcome === undefined) {
      return fail('alert.outcome-required', 'Resolving an alert records its outcome (contacted patient, visit arranged, escalated, false alarm, device problem).');
    }
    const systemOutcome = SYSTEM_ALERT_OUTCOMES.includes(outcome);
    if (by.type === 'system' && (!request.selfResolving || !systemOutcome)) {
      return fail('alert.self-resolution-not-allowed', 'This alert needs a person to resolve it; its rule does not resolve itself.', { outcome });
    }
    if (by.type === 'user' && systemOutcome) {
      return fail('alert.outcome-not-allowed', `"${outcome}" is recorded by the system when it sees the reading; choose what was done.`, { outcome });
    }
  }
  return ok(to);
}

/** An alert as stored: one episode of one rule for one patient. */
export interface Alert {
  readonly id: string;
  readonly patientId: string;
  readonly wardId: string;
  readonly rule: string;
  /** The episode key within the rule ("news2", "spo2:at-or-below", "overdue:body_weight"). */
  readonly subject: string;
  /** The highest severity the episode has reached. */
  readonly severity: AlertSeverityBand;
  readonly state: AlertState;
  /** The nurse the alert is assigned to, if any. */
  readonly ownerId: string | null;
  /** The latest explanation, in words a nurse can act on. */
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly latestValue: number | null;
  /** Measurement time of the earliest and latest evidence behind the episode. */
  readonly firstMeasuredAt: Date;
  readonly latestMeasuredAt: Date;
  /** How many times the rule has fired with new evidence in this episode (1 when raised). */
  readonly occurrences: number;
  /** Ids of the readings behind it, over the whole episode, ascending. */
  readonly readingIds: readonly string[];
  readonly openedAt: Date;
  readonly updatedAt: Date;
  /** When the engine last took new evidence into it: raised, repeated or worsened (decideAlert's refresh of a device problem counts from it). */
  readonly evidenceTakenAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly escalatedAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly outcome: AlertOutcome | null;
  /** When it escalates if still unacknowledged; null when no timer runs. */
  readonly escalationDueAt: Date | null;
  /** When the next reminder is due while it stays unresolved; null when none. */
  readonly nextReminderAt: Date | null;
  readonly reminders: number;
  /**
   * When a finding worse than the alert last raised its severity (re-opening it if a person had
   * it), and the severity it had before; null while it has not worsened. The worklist says so.
   */
  readonly worsenedAt: Date | null;
  readonly worsenedFrom: AlertSeverityBand | null;
}

export interface AlertEvent {
  readonly id: string;
  readonly alertId: string;
  readonly at: Date;
  readonly kind: AlertEventKind;
  readonly actor: AlertActor;
  readonly fromState: AlertState | null;
  readonly toState: AlertState;
  /** Why, or the note's text. */
  readonly note: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}
