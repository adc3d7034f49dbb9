import type { Reading } from '@homeward/domain';
import type { News2RiskBand } from '../news2/news2.model';

/**
 * Alert severities share NEWS2's four bands (RCP chart 3), so a NEWS2 alert and a threshold or
 * trend alert sit on one scale in the nurse's worklist and the escalation timers.
 */
export type AlertSeverity = News2RiskBand;
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['low', 'low-medium', 'medium', 'high'];

export function severityRank(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(severity);
}

/** The highest of some severities; null when none is given (no finding, so no alert). */
export function highestSeverity(severities: readonly (AlertSeverity | null | undefined)[]): AlertSeverity | null {
  let highest: AlertSeverity | null = null;
  for (const s of severities) if (s && (highest === null || severityRank(s) > severityRank(highest))) highest = s;
  return highest;
}

export const RULE_IDS = [
  'news2-band',
  'vital-threshold',
  'weight-gain',
  'spo2-baseline-drop',
  'overdue-reading',
  'patient-silent',
  'hub-offline',
  'device-unused',
  'reading-missing',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * What a rule returns: a proposed alert. The engine decides whether it opens a new alert or
 * updates an open one for the same episode (same patient, rule and `subject`).
 */
export interface AlertCandidate {
  readonly rule: RuleId;
  readonly severity: AlertSeverity;
  readonly patientId: string;
  /** What within the rule the alert is about, stable across repeats: "news2", "spo2:at-or-below". */
  readonly subject: string;
  /** The readings that caused it, latest measured last. */
  readonly readings: readonly Reading[];
  /** Ids of those readings that have been stored (a reading has no id until it is written). */
  readonly readingIds: readonly string[];
  /** Measurement time of the latest reading or observation behind it. */
  readonly measuredAt: Date;
  /** Words a nurse can act on: the value, what it was compared with, and what to do. */
  readonly explanation: string;
  /** The numbers behind the explanation, for the UI and the audit trail. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Ids of the readings that have them, in the order given. */
export function readingIdsOf(readings: readonly Reading[]): string[] {
  return readings.flatMap((r) => (r.id === undefined ? [] : [r.id]));
}
