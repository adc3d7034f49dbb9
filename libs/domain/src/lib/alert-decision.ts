import { type AlertSeverityBand, type AlertState, alertSeverityRank } from './alert';

/**
 * What to do with a rule's finding for one episode (patient, rule, subject), decided here and
 * only here (ARCHITECTURE.md, "Alert decisions are pure too"): storage reads the episode,
 * calls decideAlert and writes what it says, with values and no decisions of its own.
 *
 * Nothing is swallowed (issue 15): a finding worse than the episode's unresolved alert is always
 * shown again. An open alert takes the new severity and is marked worsened; an acknowledged or
 * escalated one is re-opened, because acknowledged is not resolved: the nurse took on the milder
 * finding, not this one.
 */

/** The episode's unresolved alert, as far as the decision needs it. */
export interface UnresolvedAlertSnapshot {
  readonly state: Exclude<AlertState, 'resolved'>;
  readonly severity: AlertSeverityBand;
  readonly readingIds: readonly string[];
  readonly latestMeasuredAt: Date;
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly latestValue: number | null;
  readonly escalationDueAt: Date | null;
  readonly nextReminderAt: Date | null;
  /** When the alert last took in new evidence: raised, repeated or worsened (by the engine's clock). */
  readonly evidenceTakenAt: Date;
}

/** A rule's finding for the episode, with the timers of its severity counted from now. */
export interface AlertFinding {
  readonly severity: AlertSeverityBand;
  /** Stored readings behind it; none for a finding about time (an overdue reading). */
  readonly readingIds: readonly string[];
  /** Measurement time of its latest evidence (for an overdue reading: when it fell due). */
  readonly measuredAt: Date;
  /** When its newest evidence reached Homeward. */
  readonly evidenceReceivedAt: Date;
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly latestValue: number | null;
  /** When an alert of this severity escalates if nobody takes it on; null without a timer. */
  readonly escalationDueAt: Date | null;
  readonly nextReminderAt: Date | null;
}

export interface AlertDecisionInput {
  /** The episode's alert in open, acknowledged or escalated; null when it has none. */
  readonly unresolved: UnresolvedAlertSnapshot | null;
  /** The episode's latest resolved alert; null when none was ever resolved. */
  readonly recentlyResolved: { readonly id: string; readonly resolvedAt: Date } | null;
  /** A suppression of this rule (and subject) for the patient is in force now. */
  readonly suppressed: boolean;
  readonly finding: AlertFinding;
  readonly now: Date;
}

/** How the unresolved alert takes in the finding (shared by update and re-open). */
export interface AlertChange {
  /** The finding brings evidence the alert did not have: occurrences + 1 and a 'repeated' event. */
  readonly countsAsNew: boolean;
  /** The finding is at least as recent as what the alert shows: its explanation, details and value replace the alert's. */
  readonly takeLatest: boolean;
  /** Reading ids the alert did not list, ascending. */
  readonly newReadingIds: readonly string[];
  /** The episode's severity after the finding: the highest it has reached. */
  readonly severity: AlertSeverityBand;
  readonly escalationDueAt: Date | null;
  readonly nextReminderAt: Date | null;
}

export type AlertDecision =
  /** No unresolved alert for the episode: open one with the finding. */
  | { readonly kind: 'raise' }
  /** The open alert takes the finding in; with severityRaisedFrom it worsened, and is marked so at worsenedAt. */
  | (AlertChange & { readonly kind: 'update'; readonly severityRaisedFrom?: AlertSeverityBand; readonly worsenedAt?: Date })
  /** An acknowledged or escalated alert, and a finding of strictly higher severity: back to open, needing attention again. */
  | (AlertChange & {
      readonly kind: 'reopen-worsened';
      readonly from: 'acknowledged' | 'escalated';
      readonly severityRaisedFrom: AlertSeverityBand;
      readonly worsenedAt: Date;
    })
  | { readonly kind: 'ignore'; readonly reason: 'suppressed' | 'already-resolved' | 'no-new-evidence' | 'recently-refreshed' };

/**
 * How often a device problem's alert (a technical finding whose evidence is capped: a clock off,
 * late delivery, low battery, malformed frames) takes in more of the same: at most once in this
 * long, unless the finding is worse. A hub uploading a week of readings brings the same problem in
 * every page of the rules engine; writing each into the alert (its row, a `repeated` event, a
 * live-stream change) told the nurse nothing new and cost the engine a fifth of its time in the
 * ingest bench. The alert stays open and shown at its severity; a finding held back is not added
 * later (the next finding after the five minutes brings its own readings and details), so when an
 * upload ends within five minutes of the alert's last refresh, its evidence (already only the
 * latest few reading ids) and details stop at that refresh. The readings themselves are stored and
 * checked by the clinical rules like any other. Clinical alerts and the rules-failed alert (whose
 * every unchecked reading is evidence) always take a finding in.
 */
export const TECHNICAL_REFRESH_MS = 5 * 60_000;

/**
 * A finding about a device problem: technical, about a device (`details.deviceId`), its evidence
 * capped (episodeReadingIds). Not the pipeline-stalled alert (its backlog count is news each time)
 * nor the rules-failed alert (every unchecked reading is evidence).
 */
export function isDeviceProblemFinding(finding: Pick<AlertFinding, 'details'>): boolean {
  return finding.details['technical'] === true && typeof finding.details['deviceId'] === 'string' && finding.details['allEvidence'] !== true;
}

export function decideAlert(input: AlertDecisionInput): AlertDecision {
  const { unresolved, finding, now } = input;
  // A clinician's explicit, reasoned suppression is the one thing that silences a rule.
  if (input.suppressed) return { kind: 'ignore', reason: 'suppressed' };

  if (unresolved === null) {
    // A person who closed the episode at or after the evidence arrived had it in front of them;
    // the same evidence must not reopen it. Later evidence is a new episode.
    const resolved = input.recentlyResolved;
    if (resolved !== null && resolved.resolvedAt.getTime() >= finding.evidenceReceivedAt.getTime()) {
      return { kind: 'ignore', reason: 'already-resolved' };
    }
    return { kind: 'raise' };
  }

  const known = new Set(unresolved.readingIds);
  const newReadingIds = sortedReadingIds(finding.readingIds.filter((id) => !known.has(id)));
  const measured = finding.measuredAt.getTime();
  const latest = unresolved.latestMeasuredAt.getTime();
  // A finding about time (no readings) is new when it is about a later moment.
  const countsAsNew = finding.readingIds.length > 0 ? newReadingIds.length > 0 : measured > latest;
  const takeLatest = measured >= latest;
  const worse = alertSeverityRank(finding.severity) > alertSeverityRank(unresolved.severity);

  if (worse && unresolved.state !== 'open') {
    return {
      kind: 'reopen-worsened',
      from: unresolved.state,
      severityRaisedFrom: unresolved.severity,
      worsenedAt: now,
      countsAsNew,
      takeLatest,
      newReadingIds,
      severity: finding.severity,
      // Restarted on the new severity's timer: nobody has taken on the worse finding yet.
      escalationDueAt: finding.escalationDueAt,
      nextReminderAt: earliest(unresolved.nextReminderAt, finding.nextReminderAt),
    };
  }

  if (worse) {
    return {
      kind: 'update',
      severityRaisedFrom: unresolved.severity,
      worsenedAt: now,
      countsAsNew,
      takeLatest,
      newReadingIds,
      severity: finding.severity,
      // Still unacknowledged: it escalates on the shorter timer of its new severity, never later than it would have.
      escalationDueAt: earliest(unresolved.escalationDueAt, finding.escalationDueAt),
      nextReminderAt: earliest(unresolved.nextReminderAt, finding.nextReminderAt),
    };
  }

  // Same or milder: the severity stays the highest reached, and the timers run on.
  // Held back only within the five minutes after it last took evidence in: an alert whose evidence
  // is stamped after `now` (another process's clock, a clock stepped back) takes the finding in.
  const sinceTaken = now.getTime() - unresolved.evidenceTakenAt.getTime();
  if (isDeviceProblemFinding(finding) && sinceTaken >= 0 && sinceTaken < TECHNICAL_REFRESH_MS) {
    return { kind: 'ignore', reason: 'recently-refreshed' };
  }
  const shownChanges =
    takeLatest &&
    (measured > latest ||
      explanationAfter(unresolved, finding, unresolved.severity) !== unresolved.explanation ||
      finding.latestValue !== unresolved.latestValue ||
      !jsonEqual(finding.details, unresolved.details));
  if (!countsAsNew && !shownChanges) return { kind: 'ignore', reason: 'no-new-evidence' };
  return {
    kind: 'update',
    countsAsNew,
    takeLatest,
    newReadingIds,
    severity: unresolved.severity,
    escalationDueAt: unresolved.escalationDueAt,
    nextReminderAt: unresolved.nextReminderAt,
  };
}

/** Introduces a milder latest finding after the words that set the episode's severity. */
const MILDER_LATEST = ' Latest finding, milder on its own';

const SEVERITY_WORDS: Readonly<Record<AlertSeverityBand, string>> = { low: 'low', 'low-medium': 'low–medium', medium: 'medium', high: 'high' };

/**
 * The explanation an unresolved alert shows once it takes in a finding (when the decision says
 * takeLatest), given the episode's severity after it. The words beside a badge must say what the
 * badge says (issue 19): a finding at the episode's severity speaks for itself, but a milder one
 * (NEWS2 back to 5 in an episode that reached 7, still high until a person resolves it) must not
 * lead with "medium risk" beside a high badge. The words that set the severity stay first, and
 * the milder finding follows, introduced as such; a later milder finding replaces the earlier one.
 */
export function explanationAfter(
  unresolved: Pick<UnresolvedAlertSnapshot, 'explanation'>,
  finding: Pick<AlertFinding, 'explanation' | 'severity'>,
  severity: AlertSeverityBand,
): string {
  if (alertSeverityRank(finding.severity) >= alertSeverityRank(severity)) return finding.explanation;
  const marker = unresolved.explanation.indexOf(MILDER_LATEST);
  const settingSeverity = marker === -1 ? unresolved.explanation : unresolved.explanation.slice(0, marker);
  return `${settingSeverity}${MILDER_LATEST} (${SEVERITY_WORDS[finding.severity]}; the alert stays ${SEVERITY_WORDS[severity]} until resolved): ${finding.explanation}`;
}

/** The earlier of two optional times: a timer already due sooner is never pushed back. */
function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

/** Reading ids (bigint identities as strings) ascending, once each. */
export function sortedReadingIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((a, b) => Number(a) - Number(b));
}

/**
 * Whether two details objects store the same JSON: compared as they come back from jsonb (dates as
 * ISO strings, undefined dropped), ignoring key order, which jsonb does not keep.
 */
function jsonEqual(a: unknown, b: unknown): boolean {
  return sameJson(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && sameJson(left[key], right[key]));
}
