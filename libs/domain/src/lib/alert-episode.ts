import { type AlertSeverityBand, type AlertState, alertTransitionTarget } from './alert';
import { type AlertDecision, type AlertFinding, type UnresolvedAlertSnapshot, decideAlert, explanationAfter, isDeviceProblemFinding, sortedReadingIds } from './alert-decision';

/**
 * The engine's alert orchestration at one moment, as pure functions shared by the live engine (its
 * AlertRepository.raise writes what applyAlertChange computes) and the rule backtest (which keeps
 * the episodes in memory and replays the people's recorded actions between the moments): the
 * alert history a plan gives is the same function of (findings, actions, suppressions) in both.
 */

/** What an update or a re-open changes on the episode's unresolved alert. */
export interface AlertChangeBase {
  readonly state: AlertState;
  readonly severity: AlertSeverityBand;
  readonly occurrences: number;
  readonly readingIds: readonly string[];
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly latestValue: number | null;
  readonly firstMeasuredAt: Date;
  readonly latestMeasuredAt: Date;
  readonly escalationDueAt: Date | null;
  readonly nextReminderAt: Date | null;
  readonly worsenedAt: Date | null;
  readonly worsenedFrom: AlertSeverityBand | null;
}

/**
 * How many reading ids a technical alert (details.technical: a device's clock, late delivery …)
 * keeps as its evidence: the most recent ones. A hub uploading a million readings after an outage
 * would otherwise grow one alert's id list by every page and rewrite it each time; the problem is
 * the device, and the latest readings show it (details count them all). Fifty ids keep the alert's
 * row well under PostgreSQL's 2 kB TOAST threshold, so a backfill's rewrite of it each page is a
 * small row, not an array compressed and stored out of line (with 200, that UPDATE took a rules
 * worker 2.4 times as long in the ingest bench, where every reading arrives late). Clinical
 * alerts keep every reading behind them.
 */
export const TECHNICAL_EVIDENCE_IDS_KEPT = 50;

/**
 * The episode's reading ids after a finding: all of them, or for a device problem's alert
 * (isDeviceProblemFinding) the latest kept (never with `details.allEvidence`: readings the rules
 * could not check are each evidence a nurse must review).
 */
export function episodeReadingIds(kept: readonly string[], finding: Pick<AlertFinding, 'readingIds' | 'details'>): string[] {
  const ids = sortedReadingIds([...kept, ...finding.readingIds]);
  return isDeviceProblemFinding(finding) && ids.length > TECHNICAL_EVIDENCE_IDS_KEPT ? ids.slice(ids.length - TECHNICAL_EVIDENCE_IDS_KEPT) : ids;
}

/**
 * The alert's columns after decideAlert's update or re-open: the highest severity, the readings
 * of the whole episode, the latest explanation when the finding is at least as recent, the
 * evidence's first and latest measurement times. Storage writes exactly these values.
 */
export function applyAlertChange(alert: AlertChangeBase, decision: Extract<AlertDecision, { kind: 'update' | 'reopen-worsened' }>, finding: AlertFinding): AlertChangeBase {
  const worsened = decision.worsenedAt !== undefined && decision.severityRaisedFrom !== undefined;
  const latest = decision.takeLatest ? finding : alert;
  const measured = finding.measuredAt.getTime();
  return {
    // Re-opened: back to open (nextAlertState's 'reopen' of an acknowledged or escalated alert).
    state: decision.kind === 'reopen-worsened' ? 'open' : alert.state,
    severity: decision.severity,
    occurrences: alert.occurrences + (decision.countsAsNew ? 1 : 0),
    readingIds: episodeReadingIds(alert.readingIds, finding),
    // A milder finding taken in keeps the words that set the severity first (explanationAfter).
    explanation: decision.takeLatest ? explanationAfter(alert, finding, decision.severity) : alert.explanation,
    details: latest.details,
    latestValue: latest.latestValue,
    firstMeasuredAt: new Date(Math.min(alert.firstMeasuredAt.getTime(), measured)),
    latestMeasuredAt: new Date(Math.max(alert.latestMeasuredAt.getTime(), measured)),
    escalationDueAt: decision.escalationDueAt,
    nextReminderAt: decision.nextReminderAt,
    worsenedAt: worsened ? (decision.worsenedAt ?? null) : alert.worsenedAt,
    worsenedFrom: worsened ? (decision.severityRaisedFrom ?? null) : alert.worsenedFrom,
  };
}

/**
 * What an update or a re-open is in the alert's trail: `worsened` (a re-open), `repeated` (new
 * evidence, or a rise in severity), or `unchanged` (what is shown changed, with no event). A
 * `repeated` or `worsened` change is the alert taking in new evidence (its evidenceTakenAt).
 */
export function changeKind(decision: Extract<AlertDecision, { kind: 'update' | 'reopen-worsened' }>): 'repeated' | 'worsened' | 'unchanged' {
  if (decision.kind === 'reopen-worsened') return 'worsened';
  const worsened = decision.worsenedAt !== undefined && decision.severityRaisedFrom !== undefined;
  return decision.countsAsNew || worsened ? 'repeated' : 'unchanged';
}

/** An episode key: one rule about one subject for one patient. */
export interface EpisodeKey {
  readonly patientId: string;
  readonly rule: string;
  readonly subject: string;
}

/** A rule's finding at a moment, for its episode. */
export type EpisodeFinding = AlertFinding & EpisodeKey;

/**
 * Something a person (or the engine's escalation timer) did to an alert of an episode, as the
 * alert's trail recorded it. A backtest applies it to the replay's unresolved alert of the same
 * episode at that time, if there is one; assignments and notes change no decision and are not
 * replayed.
 */
export interface RecordedAlertAction extends EpisodeKey {
  readonly at: Date;
  readonly action: 'acknowledge' | 'escalate' | 'resolve';
  readonly outcome: string | null;
  /** The live alert it was done to. */
  readonly alertId: string;
}

/** A clinician's suppression of a rule (and subject, or every subject) for a patient, with when it was lifted. */
export interface RecordedSuppression {
  readonly patientId: string;
  readonly rule: string;
  readonly subject: string | null;
  readonly startsAt: Date;
  readonly expiresAt: Date;
  readonly liftedAt: Date | null;
}

/** Whether a suppression is in force at `at` (AlertRepository.activeSuppression, at a past time). */
export function suppressionInForce(s: RecordedSuppression, key: EpisodeKey, at: Date): boolean {
  const t = at.getTime();
  return (
    s.patientId === key.patientId &&
    s.rule === key.rule &&
    (s.subject === null || s.subject === key.subject) &&
    s.startsAt.getTime() <= t &&
    s.expiresAt.getTime() > t &&
    (s.liftedAt === null || s.liftedAt.getTime() > t)
  );
}

/** One alert of a replayed history: its episode, lifetime, severities and evidence. */
export interface ReplayedAlert extends EpisodeKey, AlertChangeBase {
  readonly openedAt: Date;
  /** When it last took in new evidence: raised, repeated or worsened (decideAlert's refresh of a device problem counts from it). */
  readonly evidenceTakenAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly escalatedAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly outcome: string | null;
  /** The severity it was raised with, then each rise, with when. */
  readonly severityHistory: readonly { readonly at: Date; readonly severity: AlertSeverityBand }[];
  /** The live alerts whose recorded actions were replayed on it (a backtest of the current plan: the one it reproduces). */
  readonly actedOnAs: readonly string[];
}

/** What happened to one finding or action in the replay, for counting. */
export type EpisodeStep =
  | { readonly kind: 'raised' | 'repeated' | 'worsened' | 'unchanged'; readonly alert: ReplayedAlert }
  | { readonly kind: 'suppressed' | 'already-resolved' }
  | { readonly kind: 'action-applied' | 'action-unmatched'; readonly action: RecordedAlertAction };

/**
 * The alert state of one patient (or a ward) through time, in memory: findings go through
 * decideAlert and applyAlertChange as AlertRepository.raise does, recorded actions change state
 * as AlertRepository.transition does. Feed it in time order: `act` for every action before a
 * moment, then `raise` for the moment's findings.
 */
export class AlertEpisodeLedger {
  private readonly unresolved = new Map<string, ReplayedAlert>();
  private readonly lastResolved = new Map<string, ReplayedAlert>();
  private readonly all: ReplayedAlert[] = [];
  /** Where each alert (its latest version) sits in `all`. */
  private readonly position = new Map<ReplayedAlert, number>();

  constructor(private readonly suppressions: readonly RecordedSuppression[] = []) {}

  /** Every alert replayed so far, in the order raised (resolved ones included). */
  alerts(): readonly ReplayedAlert[] {
    return this.all;
  }

  raise(finding: EpisodeFinding, now: Date): EpisodeStep {
    const key = keyOf(finding);
    const existing = this.unresolved.get(key) ?? null;
    const resolved = existing ? undefined : this.lastResolved.get(key);
    const decision = decideAlert({
      // Only unresolved alerts are kept in `unresolved`: the alert itself is the snapshot decideAlert reads.
      unresolved: existing && isUnresolved(existing) ? existing : null,
      recentlyResolved: resolved?.resolvedAt ? { id: key, resolvedAt: resolved.resolvedAt } : null,
      suppressed: this.suppressions.length > 0 && this.suppressions.some((s) => suppressionInForce(s, finding, now)),
      finding,
      now,
    });
    switch (decision.kind) {
      case 'ignore':
        if ((decision.reason === 'no-new-evidence' || decision.reason === 'recently-refreshed') && existing) return { kind: 'unchanged', alert: existing };
        return { kind: decision.reason === 'suppressed' ? 'suppressed' : 'already-resolved' };
      case 'raise': {
        const alert: ReplayedAlert = {
          patientId: finding.patientId,
          rule: finding.rule,
          subject: finding.subject,
          state: 'open',
          severity: finding.severity,
          occurrences: 1,
          readingIds: sortedReadingIds(finding.readingIds),
          explanation: finding.explanation,
          details: finding.details,
          latestValue: finding.latestValue,
          firstMeasuredAt: finding.measuredAt,
          latestMeasuredAt: finding.measuredAt,
          escalationDueAt: finding.escalationDueAt,
          nextReminderAt: finding.nextReminderAt,
          worsenedAt: null,
          worsenedFrom: null,
          openedAt: now,
          evidenceTakenAt: now,
          acknowledgedAt: null,
          escalatedAt: null,
          resolvedAt: null,
          outcome: null,
          severityHistory: [{ at: now, severity: finding.severity }],
          actedOnAs: [],
        };
        this.store(key, alert, existing);
        return { kind: 'raised', alert };
      }
      case 'update':
      case 'reopen-worsened': {
        if (!existing) throw new Error(`alert decision "${decision.kind}" without an unresolved alert`);
        const changed = applyAlertChange(existing, decision, finding);
        const rose = changed.severity !== existing.severity;
        const kind = changeKind(decision);
        const alert: ReplayedAlert = {
          ...existing,
          ...changed,
          evidenceTakenAt: kind === 'unchanged' ? existing.evidenceTakenAt : now,
          severityHistory: rose ? [...existing.severityHistory, { at: now, severity: changed.severity }] : existing.severityHistory,
        };
        this.store(key, alert, existing);
        return { kind, alert };
      }
    }
  }

  /**
   * A recorded action on the episode's unresolved alert: acknowledge an open one, escalate an open
   * or acknowledged one, resolve any; an action the replayed alert is not in a state for (or an
   * episode with no unresolved alert) is unmatched and changes nothing.
   */
  act(action: RecordedAlertAction): EpisodeStep {
    const key = keyOf(action);
    const existing = this.unresolved.get(key);
    if (!existing) return { kind: 'action-unmatched', action };
    const to = alertTransitionTarget(existing.state, action.action);
    if (to === undefined) return { kind: 'action-unmatched', action };
    const at = action.at;
    const actedOnAs = existing.actedOnAs.includes(action.alertId) ? existing.actedOnAs : [...existing.actedOnAs, action.alertId];
    const alert: ReplayedAlert = {
      ...existing,
      state: to,
      acknowledgedAt: to === 'acknowledged' ? at : existing.acknowledgedAt,
      escalatedAt: to === 'escalated' ? at : existing.escalatedAt,
      resolvedAt: to === 'resolved' ? at : existing.resolvedAt,
      outcome: to === 'resolved' ? action.outcome : existing.outcome,
      // The timer is for an alert nobody has taken on; any transition ends it (AlertRepository.transition).
      escalationDueAt: null,
      nextReminderAt: to === 'resolved' ? null : existing.nextReminderAt,
      actedOnAs,
    };
    this.store(key, alert, existing);
    return { kind: 'action-applied', action };
  }

  /** The unresolved alerts, in the order raised. */
  unresolvedAlerts(): ReplayedAlert[] {
    return [...this.unresolved.values()];
  }

  /**
   * The engine resolves an alert of a self-resolving rule whose condition has cleared (a silence
   * answered by a reading, a device problem gone): outcome `reading-received`, as
   * AlertWriter.resolveAnswered. Nothing when the episode has no unresolved alert.
   */
  resolveCleared(key: EpisodeKey, at: Date): ReplayedAlert | undefined {
    const existing = this.unresolved.get(keyOf(key));
    if (!existing) return undefined;
    const alert: ReplayedAlert = { ...existing, state: 'resolved', resolvedAt: at, outcome: 'reading-received', escalationDueAt: null, nextReminderAt: null };
    this.store(keyOf(key), alert, existing);
    return alert;
  }

  /**
   * An alert already unresolved when the replay starts (read as it stood then), carried in so the
   * first findings update it as the engine did instead of raising a new one.
   */
  carry(alert: ReplayedAlert): void {
    if (alert.state === 'resolved') throw new RangeError('Only an unresolved alert is carried into a replay.');
    this.store(keyOf(alert), alert, this.unresolved.get(keyOf(alert)) ?? null);
  }

  private store(key: string, alert: ReplayedAlert, replacing: ReplayedAlert | null): void {
    const at = replacing ? this.position.get(replacing) : undefined;
    if (replacing && at !== undefined) {
      this.all[at] = alert;
      this.position.delete(replacing);
      this.position.set(alert, at);
    } else {
      this.position.set(alert, this.all.push(alert) - 1);
    }
    if (alert.state === 'resolved') {
      this.unresolved.delete(key);
      this.lastResolved.set(key, alert);
    } else {
      this.unresolved.set(key, alert);
    }
  }
}

function isUnresolved(alert: ReplayedAlert): alert is ReplayedAlert & UnresolvedAlertSnapshot {
  return alert.state !== 'resolved';
}

function keyOf(k: EpisodeKey): string {
  return `${k.patientId}|${k.rule}|${k.subject}`;
}
