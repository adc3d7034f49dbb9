import type { BacktestAlert } from '@homeward/contracts';
import type { Alert } from '@homeward/domain';
import type { Storage } from '@homeward/storage';

/**
 * One alert as a backtest equivalence test compares it with the live engine's, without the
 * people's actions: episode, lifetime and evidence (the silence and timer specs, whose alerts
 * nobody acts on).
 */
export type ComparableAlertColumns = Pick<BacktestAlert, 'rule' | 'subject' | 'severity' | 'openedAt' | 'resolvedAt' | 'outcome' | 'firstMeasuredAt' | 'latestMeasuredAt' | 'occurrences' | 'readingIds'>;

/**
 * One alert as compared with everything a replay decides (words aside): the columns, when people
 * acknowledged and escalated it, and its severity history (as "<at> <severity>").
 */
export type ComparableAlert = ComparableAlertColumns & Pick<BacktestAlert, 'acknowledgedAt' | 'escalatedAt'> & { readonly severityHistory: readonly string[] };

/** A live alert's columns as compared. */
export function liveAlertColumns(a: Alert): ComparableAlertColumns {
  return {
    rule: a.rule,
    subject: a.subject,
    severity: a.severity,
    openedAt: a.openedAt.toISOString(),
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
    outcome: a.outcome,
    firstMeasuredAt: a.firstMeasuredAt.toISOString(),
    latestMeasuredAt: a.latestMeasuredAt.toISOString(),
    occurrences: a.occurrences,
    readingIds: [...a.readingIds].sort(),
  };
}

/** A replayed alert's columns as compared. */
export function replayedAlertColumns(a: BacktestAlert): ComparableAlertColumns {
  return {
    rule: a.rule,
    subject: a.subject,
    severity: a.severity,
    openedAt: a.openedAt,
    resolvedAt: a.resolvedAt,
    outcome: a.outcome,
    firstMeasuredAt: a.firstMeasuredAt,
    latestMeasuredAt: a.latestMeasuredAt,
    occurrences: a.occurrences,
    readingIds: [...a.readingIds].sort(),
  };
}

/** The live engine's alerts as compared, their severity history read from the alerts' event trail. */
export async function liveAlertHistory(storage: Storage, alerts: readonly Alert[]): Promise<ComparableAlert[]> {
  const out: ComparableAlert[] = [];
  for (const a of alerts) {
    const history: string[] = [];
    for (const e of await storage.alerts.events(a.id)) {
      const severity = e.details['severity'];
      if (e.kind === 'raised' || ((e.kind === 'repeated' || e.kind === 'worsened') && e.details['severityRaisedFrom'] !== undefined)) history.push(`${e.at.toISOString()} ${String(severity)}`);
    }
    out.push({ ...liveAlertColumns(a), severityHistory: history, acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null, escalatedAt: a.escalatedAt?.toISOString() ?? null });
  }
  return out;
}

/** A backtest's replayed alerts as compared. */
export function replayedAlertHistory(alerts: readonly BacktestAlert[]): ComparableAlert[] {
  return alerts.map((a) => ({
    ...replayedAlertColumns(a),
    severityHistory: a.severityHistory.map((h) => `${h.at} ${h.severity}`),
    acknowledgedAt: a.acknowledgedAt,
    escalatedAt: a.escalatedAt,
  }));
}

/** Sorts compared alerts by opening, then rule and subject. */
export const byOpening = (x: ComparableAlertColumns, y: ComparableAlertColumns): number =>
  x.openedAt.localeCompare(y.openedAt) || x.rule.localeCompare(y.rule) || x.subject.localeCompare(y.subject);
