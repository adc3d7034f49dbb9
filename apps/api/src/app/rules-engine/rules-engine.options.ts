import type { AlertSeverityBand } from '@homeward/domain';
import type { Clock } from './clock';

/** Minutes per severity; null: no timer for that severity. */
export type MinutesBySeverity = Readonly<Record<AlertSeverityBand, number | null>>;

export interface WardAlertTimers {
  /** An open (unacknowledged) alert escalates after this long. */
  readonly escalateAfterMinutes?: Partial<MinutesBySeverity>;
  /** An unresolved alert reminds its ward (and owner) this often. */
  readonly remindEveryMinutes?: Partial<MinutesBySeverity>;
}

export interface RulesEngineOptions extends WardAlertTimers {
  /** Start consuming readings and running timers when the application boots (default true). */
  readonly enabled?: boolean;
  /** Name of the cursor in reading_consumers (default "rules-engine"). */
  readonly consumer?: string;
  /** Readings per batch; one batch is one transaction (default 500). */
  readonly pageSize?: number;
  /** Wake on LISTEN homeward_readings when the driver can (default true). */
  readonly listen?: boolean;
  /** Poll for readings this often anyway, in case a notification was lost (default 5 s). */
  readonly pollIntervalMs?: number;
  /** Escalations, reminders and overdue readings are checked this often (default 30 s). */
  readonly timerIntervalMs?: number;
  /** Timers of particular wards, by ward id, over the defaults. */
  readonly wards?: Readonly<Record<string, WardAlertTimers>>;
  /** A hub silent for longer than this is offline (default 30 min). */
  readonly hubOfflineAfterMinutes?: number;
  readonly clock?: Clock;
  /**
   * Test seam: called inside each batch's transaction after its alerts are written and before it
   * commits. Throwing rolls the batch back, as a crash at that moment would.
   */
  readonly beforeCommit?: (batch: { readonly readings: number; readonly alerts: number }) => void | Promise<void>;
}

/** Defaults from the issue: high unacknowledged after 15 min, medium after 60. */
export const DEFAULT_ESCALATE_AFTER_MINUTES: MinutesBySeverity = { high: 15, medium: 60, 'low-medium': 120, low: null };
export const DEFAULT_REMIND_EVERY_MINUTES: MinutesBySeverity = { high: 15, medium: 60, 'low-medium': 120, low: 240 };

export const RULES_ENGINE_OPTIONS = Symbol('homeward.rules-engine.options');
export const RULES_ENGINE_STORAGE = Symbol('homeward.rules-engine.storage');
