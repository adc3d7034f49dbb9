import type { BacktestAlert } from '@homeward/contracts';
import type { Alert } from '@homeward/domain';
import type { Storage } from '@homeward/storage';

/**
 * One alert as a backtest equivalence test compares it with the live engine's: episode, lifetime,
 * severity history (as "<at> <severity>") and evidence, every column a replay decides (words aside).
 */
export type ComparableAlert = Omit<BacktestAlert, 'patientId' | 'state' | 'explanation' | 'liveAlertIds' | 'severityHistory'> & { readonly severityHistory: readonly string[] };

/** The live engine's alerts as compared, their severity history read from the alerts' event trail. */
export async function liveAlertHistory(storage: Storage, alerts: readonly Alert[]): Promise<ComparableAlert[]> {
  const out: ComparableAlert[] = [];
  for (const a of alerts) {
    const history: string[] = [];
    for (const e of await storage.alerts.events(a.id)) {
      const severity = e.details['severity'];
      if (e.kind === 'raised' || ((e.kind === 'repeated' || e.kind === 'worsened') && e.details['severityRaisedFrom'] !== undefined)) history.push(`${e.at.toISOString()} ${String(severity)}`);
    }
    out.push({
      rule: a.rule,
      subject: a.subject,
      severity: a.severity,
      severityHistory: history,
      openedAt: a.openedAt.toISOString(),
      acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
      escalatedAt: a.escalatedAt?.toISOString() ?? null,
      resolvedAt: a.resolvedAt?.toISOString() ?? null,
      outcome: a.outcome,
      firstMeasuredAt: a.firstMeasuredAt.toISOString(),
      latestMeasuredAt: a.latestMeasuredAt.toISOString(),
      occurrences: a.occurrences,
      readingIds: [...a.readingIds].sort(),
    });
  }
  return out;
}

/** A backtest's replayed alerts as compared. */
export function replayedAlertHistory(alerts: readonly BacktestAlert[]): ComparableAlert[] {
  return alerts.map((a) => ({
    rule: a.rule,
    subject: a.subject,
    severity: a.severity,
    severityHistory: a.severityHistory.map((h) => `${h.at} ${h.severity}`),
    openedAt: a.openedAt,
    acknowledgedAt: a.acknowledgedAt,
    escalatedAt: a.escalatedAt,
    resolvedAt: a.resolvedAt,
    outcome: a.outcome,
    firstMeasuredAt: a.firstMeasuredAt,
    latestMeasuredAt: a.latestMeasuredAt,
    occurrences: a.occurrences,
    readingIds: [...a.readingIds].sort(),
  }));
}

/** Sorts compared alerts by opening, then rule and subject. */
export const byOpening = (x: ComparableAlert, y: ComparableAlert): number => x.openedAt.localeCompare(y.openedAt) || x.rule.localeCompare(y.rule) || x.subject.localeCompare(y.subject);
