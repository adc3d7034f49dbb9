import type { AlertSeverityBand } from '@homeward/domain';
import type { ReadingLane } from '@homeward/storage';
import type { Clock } from './clock';
import type { PatientRules } from './readings.pass';
import type { ReadingProblems, ReadingsAnswer } from './silence-and-device.checks';

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
  /**
   * Late readings per batch while no fresh reading is waiting (default 5,000; 50 while fresh ones
   * flow). A page's cost is mostly per patient: on the ingest bench (400 devices, every reading
   * late) pages of 500 evaluated ~1,000 readings/s and pages of 5,000 ~4,000/s.
   */
  readonly latePageSize?: number;
  /**
   * After a late page that had readings but was not full, the next waits this long, gathering late
   * readings (ReadingStreamConsumer laterLaneGatherMs; default 0: at once; an empty page ends the
   * gathering). Fresh readings never wait.
   */
  readonly latePageGatherMs?: number;
  /** Wake on LISTEN homeward_readings when the driver can (default true). */
  readonly listen?: boolean;
  /** Poll for readings this often anyway, in case a notification was lost (default 5 s). */
  readonly pollIntervalMs?: number;
  /** Escalations, reminders, silence and device problems are checked this often (default 30 s). */
  readonly timerIntervalMs?: number;
  /** Timers of particular wards, by ward id, over the defaults. */
  readonly wards?: Readonly<Record<string, WardAlertTimers>>;
  /** A hub or app not heard from for longer than this is offline (isDeviceOffline; default 30 min), here and on the patient page. */
  readonly hubOfflineAfterMinutes?: number;
  readonly clock?: Clock;
  /**
   * Split patients between several workers: each patient belongs to one of `partitions`
   * partitions (a stable hash of its id), each partition has its own cursor and is evaluated by
   * the one worker holding its lease in PostgreSQL, renewed every leaseMs / 3. Every worker of a
   * consumer must use the same number. Absent: this engine evaluates everyone through the single
   * cursor `consumer` (one process, or several taking turns on that cursor's row lock).
   */
  readonly partitioning?: {
    readonly partitions: number;
    /** A worker that stops renewing loses its partitions after this long (default 15 s). */
    readonly leaseMs?: number;
    /** This worker's name in the lease table (default host-pid-random). */
    readonly workerId?: string;
  };
  /**
   * Raise the pipeline-stall technical alert on the worklist when readings wait unevaluated
   * longer than this (PipelineStallMonitor). Checked even with enabled: false, so an api whose
   * rules run in other processes notices when they stop. Absent: not checked.
   */
  readonly stallAlertAfterMs?: number;
  /** How often the stall check runs (default a quarter of stallAlertAfterMs, at most 30 s). */
  readonly stallCheckIntervalMs?: number;
  /**
   * Test seam: called inside each page's transaction after its alerts are written and before it
   * commits, with the page's lane. Throwing rolls the page back, as a crash at that moment would.
   */
  readonly beforeCommit?: (batch: { readonly readings: number; readonly alerts: number; readonly lane: ReadingLane }) => void | Promise<void>;
  /**
   * Test seam: the clinical rules run at each moment (default evaluatePatientRules of
   * @homeward/rules). A test gives rules that fail for one patient, as a fault would.
   */
  readonly clinicalRules?: PatientRules;
  /**
   * Test seam: the device problems found in each page's new readings (default readingProblems of
   * @homeward/rules). A test gives checks that fail for one patient, as a fault would.
   */
  readonly readingProblems?: ReadingProblems;
  /** Test seam, as readingProblems: the open silence and device alerts the new readings end (default readingsAnswer). */
  readonly readingsAnswer?: ReadingsAnswer;
}

/** Defaults from the issue: high unacknowledged after 15 min, medium after 60. */
export const DEFAULT_ESCALATE_AFTER_MINUTES: MinutesBySeverity = { high: 15, medium: 60, 'low-medium': 120, low: null };
export const DEFAULT_REMIND_EVERY_MINUTES: MinutesBySeverity = { high: 15, medium: 60, 'low-medium': 120, low: 240 };

export const RULES_ENGINE_OPTIONS = Symbol('homeward.rules-engine.options');
export const RULES_ENGINE_STORAGE = Symbol('homeward.rules-engine.storage');
