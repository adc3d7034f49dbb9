import type { Pathway, VitalKey } from '@homeward/domain';
import type { News2RiskBand } from '../news2/news2.model';
import type { AlertSeverity } from './alert-candidate.model';

/**
 * A patient's care plan as the rules see it: pathway defaults plus what clinicians decided for
 * this patient. Built by the api from the registry; the rules only read it.
 */
export interface CarePlan {
  readonly patientId: string;
  readonly pathway: Pathway;
  readonly news2: News2CarePlan;
  /**
   * How recent a reading must be for the threshold and baseline rules to treat it as the
   * patient's current value (default 24 hours). Older ones were judged when they arrived.
   */
  readonly currentWithinHours?: number;
  /** Per-vital limits a clinician set for this patient in place of the pathway's. */
  readonly thresholdOverrides?: readonly ThresholdOverride[];
  /** Weight-gain rule; on by default (2 kg in 3 days) for heart failure only. */
  readonly weightGain?: WeightGainSettings;
  /** SpO2 drop from personal baseline; on by default for every pathway. */
  readonly spo2Baseline?: Spo2BaselineSettings;
}

/** Who decided something clinical for this patient, why, and when it must be looked at again. */
export interface ClinicianDecision {
  /** The clinician's user id. */
  readonly decidedBy: string;
  readonly decidedAt: Date;
  readonly reason: string;
}

/**
 * SpO2 scale 1 unless a clinician has put the patient on scale 2 (hypercapnic respiratory
 * failure, target 88–92 %). The decision travels with the plan so it can be shown and audited.
 */
export type Spo2ScaleDecision = { readonly scale: 1 } | ({ readonly scale: 2 } & ClinicianDecision);

/**
 * The standing oxygen prescription. "none": on air unless an observation says otherwise;
 * "continuous" (e.g. long-term oxygen therapy used all day): on oxygen unless an observation
 * says otherwise; "intermittent": only an observation inside the window counts.
 */
export type SupplementalOxygen = 'none' | 'continuous' | 'intermittent';

export interface News2CarePlan {
  /** A reading or observation counts towards the home NEWS2 if measured this many hours before `now`, or less. */
  readonly windowHours: number;
  readonly spo2Scale: Spo2ScaleDecision;
  readonly supplementalOxygen: SupplementalOxygen;
  /**
   * "low" makes an aggregate of 1–4 raise a low alert too (more sensitive than the home severity
   * table, home-severity.policy.ts). Any other value changes nothing: a red parameter or 5+ always
   * alerts, and only a ThresholdOverride with `lowersSeverity` can quieten one parameter.
   */
  readonly alertFrom?: News2RiskBand;
}

export type ThresholdDirection = 'at-or-below' | 'at-or-above';

/** One alert limit for one vital. Compared at the vital's comparison precision (see vital-display.ts). */
export interface VitalThreshold {
  readonly vital: VitalKey;
  readonly direction: ThresholdDirection;
  /** In the vital's canonical unit. */
  readonly value: number;
  readonly severity: AlertSeverity;
  /** What the nurse should do, appended to the explanation. */
  readonly action: string;
}

/**
 * A clinician's limits for one vital of one patient. They replace all of the pathway's limits
 * for that vital (an empty list means this vital raises no threshold alert for this patient).
 * Past its review date the override still applies, since the clinician's decision stands until
 * changed, and every alert it shapes says the review is overdue.
 */
export interface ThresholdOverride extends ClinicianDecision {
  readonly vital: VitalKey;
  readonly thresholds: readonly Omit<VitalThreshold, 'vital'>[];
  readonly reviewBy: Date;
  /**
   * The clinician's explicit decision that this vital's own limits may set a severity below the
   * home severity table (e.g. a patient whose usual SpO2 of 89 % would otherwise be red at every
   * reading). Without it an override only makes alerting more sensitive: a value scoring 3 stays
   * high. With it, this vital scoring 3 no longer makes the NEWS2 alert high on its own (the
   * aggregate bands still apply), and every alert it shapes carries the decision and review date.
   */
  readonly lowersSeverity?: boolean;
}

/**
 * A reading the care plan expects, and how often: the clinician's list, or the pathway's schedule
 * (pathway-schedules.defaults.ts) when the plan lists none. Silence is judged against it.
 */
export interface ExpectedReading {
  readonly vital: VitalKey;
  readonly everyHours: number;
  /** Slack after the expected time before it counts as missing. */
  readonly graceHours: number;
  /** Severity of the alert when it is missing (patient silent, device unused). */
  readonly severity: AlertSeverity;
}

export interface WeightGainSettings {
  /** Default true when settings are given. */
  readonly enabled?: boolean;
  /** Alert when weight rises by more than this many kg ... (default 2) */
  readonly kg?: number;
  /** ... within this many days (default 3). */
  readonly days?: number;
  /**
   * Hours beyond the window's far edge a reading may lie and still count as the edge reading
   * (default 12): home weights come once a day at roughly the same time, so a strict 72-hour
   * window misses a gain between readings 73 hours apart.
   */
  readonly toleranceHours?: number;
  readonly severity?: AlertSeverity;
  /** Who changed the defaults, if anyone. */
  readonly decision?: ClinicianDecision;
}

export interface Spo2BaselineSettings {
  readonly enabled?: boolean;
  /** Baseline = SpO2 readings of the last N days before the current one (default 7). */
  readonly days?: number;
  /** Fewer readings than this and there is no baseline, so no alert (default 5). */
  readonly minReadings?: number;
  /** Alert when the current value is at least this many points below the baseline mean (default 3) ... */
  readonly minDropPoints?: number;
  /** ... and at least this many standard deviations below it (default 2). */
  readonly spreadMultiplier?: number;
  readonly severity?: AlertSeverity;
  readonly decision?: ClinicianDecision;
}
