import type { Alert } from '@homeward/domain';
import type { BacktestAlert } from '../src';

// The comparison of a live alert history with a backtest's, shared by the silence and timer specs.

/** An alert as the comparison sees it: every column a replay decides (words and timers aside). */
export type Comparable = Pick<BacktestAlert, 'rule' | 'subject' | 'severity' | 'openedAt' | 'resolvedAt' | 'outcome' | 'firstMeasuredAt' | 'latestMeasuredAt' | 'occurrences' | 'readingIds'>;

export const live = (a: Alert): Comparable => ({
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
});
export const replayed = (a: BacktestAlert): Comparable => ({
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
});
export const order = (x: Comparable, y: Comparable) => x.openedAt.localeCompare(y.openedAt) || x.rule.localeCompare(y.rule) || x.subject.localeCompare(y.subject);
