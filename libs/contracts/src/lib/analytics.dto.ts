import { IsIn, IsObject, IsOptional, Matches } from 'class-validator';
import { type AlertSeverityBand, type DischargeOutcome, PATHWAYS } from '@homeward/domain';
import { IsZonedTimestamp } from './zoned-timestamp';

/** `GET /api/analytics/wards/{wardId}/alert-burden|outcomes?from=&to=[&format=csv]` */
export class AnalyticsQueryDto {
  @IsZonedTimestamp()
  from!: string;

  @IsZonedTimestamp()
  to!: string;

  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

/** `POST /api/analytics/wards/{wardId}/backtest`: a care plan to try on the ward's past readings (at most 93 days). */
export class BacktestRequestDto {
  @IsZonedTimestamp()
  from!: string;

  @IsZonedTimestamp()
  to!: string;

  /** As PUT /api/patients/{id}/care-plan takes it. */
  @IsObject()
  carePlan!: Record<string, unknown>;

  @IsOptional()
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'patientId must be a patient id' })
  patientId?: string;

  @IsOptional()
  @IsIn(PATHWAYS as unknown as string[])
  pathway?: string;
}

/** One row of a breakdown: a count and its rate per patient-day of the population it belongs to. */
export interface RateRow {
  readonly key: string;
  readonly count: number;
  readonly perPatientDay: number | null;
}

/** p50/p90 in minutes over the alerts that reached the step (linear interpolation, as percentile_cont). */
export interface DurationSummary {
  readonly count: number;
  readonly p50Minutes: number | null;
  readonly p90Minutes: number | null;
}

export interface AdherenceRow {
  readonly key: string;
  readonly expected: number;
  readonly received: number;
  /** Readings counted towards the expected ones (at most `expected` per patient and vital). */
  readonly counted: number;
  /** counted / expected; null when nothing was expected. */
  readonly adherence: number | null;
}

export interface DeviceModelProblems {
  readonly model: string;
  readonly deviceType: string;
  readonly devices: number;
  readonly technicalAlerts: number;
  readonly byRule: readonly { readonly rule: string; readonly count: number }[];
  readonly rejectedMessages: number;
}

export interface AlertBurdenReport {
  readonly wardId: string;
  readonly wardName: string;
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  /** Where reading counts came from: the readings_hourly continuous aggregate (TimescaleDB) or the readings table. */
  readonly readingSource: 'continuous-aggregate' | 'readings-table';
  readonly patientDays: number;
  readonly patients: number;
  readonly alerts: {
    readonly total: number;
    readonly perPatientDay: number | null;
    readonly byKind: readonly RateRow[];
    readonly byRule: readonly RateRow[];
    readonly bySeverity: readonly RateRow[];
    /** Per patient-day of that pathway's patients. */
    readonly byPathway: readonly RateRow[];
  };
  readonly response: {
    readonly acknowledge: DurationSummary;
    readonly resolve: DurationSummary;
  };
  readonly escalations: {
    readonly alertsEscalated: number;
    readonly byTimer: number;
    readonly byPerson: number;
  };
  readonly resolutions: {
    readonly resolvedByPerson: number;
    readonly noActionNeeded: number;
    readonly noActionNeededShare: number | null;
    readonly byOutcome: readonly { readonly key: string; readonly count: number }[];
  };
  readonly adherence: {
    readonly overall: AdherenceRow;
    readonly byVital: readonly AdherenceRow[];
    readonly byPathway: readonly AdherenceRow[];
  };
  readonly silence: {
    readonly episodes: number;
    readonly byRule: readonly RateRow[];
  };
  readonly technicalByDeviceModel: readonly DeviceModelProblems[];
  readonly definitions: readonly AnalyticsDefinition[];
}

export interface AnalyticsDefinition {
  readonly term: string;
  readonly meaning: string;
}

export type DischargeOutcomeColumn = DischargeOutcome | 'not-recorded';

export interface WardOutcomeMonth {
  /** YYYY-MM (UTC). */
  readonly month: string;
  readonly patientDays: number;
  readonly admissions: number;
  readonly discharges: number;
  readonly dischargeOutcomes: Readonly<Record<DischargeOutcomeColumn, number>>;
  /** Alerts resolved this month as escalated to 999 or to a hospital ward, and to the GP. */
  readonly escalationsToHospitalOrUrgentCare: number;
  readonly escalationsToGp: number;
  readonly lengthOfStay: { readonly discharges: number; readonly meanDays: number | null; readonly medianDays: number | null };
  readonly readmissionsWithin30Days: number;
}

export interface WardOutcomesReport {
  readonly wardId: string;
  readonly wardName: string;
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly months: readonly WardOutcomeMonth[];
  readonly definitions: readonly AnalyticsDefinition[];
}

/**
 * A backtest answer (POST /api/analytics/wards/{id}/backtest and POST /api/patients/{id}/care-plan/backtest),
 * as the dashboard reads it. The api's RuleBacktestReport (apps/api/src/app/analytics/rule-backtest.ts)
 * extends it with every finding of both plans (`findings`), which the answer carries for machines.
 */
export interface BacktestFinding {
  /** The moment judged: a reading's measurement time. */
  readonly at: string;
  /** Measurement time of the latest evidence behind the finding. */
  readonly evidenceAt: string;
  readonly rule: string;
  readonly subject: string;
  readonly severity: string;
  /** The readings behind the finding (GET /api/patients/{id}/readings/by-id?ids=). */
  readonly readingIds: readonly string[];
}

export interface BacktestPlanFindings {
  readonly findings: number;
  readonly perPatientDay: number | null;
  readonly byRule: readonly RateRow[];
  readonly bySeverity: readonly RateRow[];
}

/** A past alert resolved as needing clinical action, and when each plan first flagged the patient near it. */
export interface BacktestCatch {
  readonly alertId: string;
  readonly patientId: string;
  readonly rule: string;
  readonly outcome: string;
  readonly liveFirstMeasuredAt: string;
  /** null: that plan found nothing within the catch window. */
  readonly currentAt: string | null;
  readonly proposedAt: string | null;
  /** proposed − current in hours (negative: earlier); null when either missed. */
  readonly shiftHours: number | null;
}

/**
 * How a backtest knew when the engine's timer pass ran (silence and device checks): `recorded`, the
 * engine's record of its ticks covers the period; `partly-recorded`, it starts inside the period
 * (before it, inferred); `inferred`, no record (at each moment a decision could change: a silence
 * alert may open up to one timer interval earlier than it did live).
 */
export type TimerTicksKind = 'recorded' | 'partly-recorded' | 'inferred';

export interface BacktestReport {
  readonly wardId: string;
  readonly wardName: string;
  readonly from: string;
  readonly to: string;
  readonly patientDays: number;
  /** Absent from reports of older versions. */
  readonly timerTicks?: TimerTicksKind;
  readonly current: BacktestPlanFindings;
  readonly proposed: BacktestPlanFindings;
  readonly differences: readonly { readonly patientId: string; readonly appear: readonly BacktestFinding[]; readonly disappear: readonly BacktestFinding[] }[];
  readonly catches: readonly BacktestCatch[];
  /**
   * The alert history each plan gives: findings become alerts through the engine's decisions, with
   * the recorded acknowledgements, escalations, resolutions and suppressions replayed between the
   * moments (apps/api rule-backtest.ts); and its burden.
   */
  readonly alerts: { readonly current: readonly BacktestAlert[]; readonly proposed: readonly BacktestAlert[] };
  readonly alertBurden: { readonly current: BacktestPlanAlerts; readonly proposed: BacktestPlanAlerts };
}

/** One alert of a plan's replayed history, as the engine would have raised and people handled it. */
export interface BacktestAlert {
  readonly patientId: string;
  readonly rule: string;
  readonly subject: string;
  /** The highest severity the alert reached, and each rise with when. */
  readonly severity: AlertSeverityBand;
  readonly severityHistory: readonly { readonly at: string; readonly severity: AlertSeverityBand }[];
  /** State at the end of the period. */
  readonly state: string;
  /** When the engine would have raised it: when the moment's newest reading was received. */
  readonly openedAt: string;
  readonly acknowledgedAt: string | null;
  readonly escalatedAt: string | null;
  readonly resolvedAt: string | null;
  readonly outcome: string | null;
  readonly firstMeasuredAt: string;
  readonly latestMeasuredAt: string;
  readonly occurrences: number;
  readonly readingIds: readonly string[];
  readonly explanation: string;
  /** The live alerts whose recorded actions were replayed on it: for the stored plans, the alert it reproduces. */
  readonly liveAlertIds: readonly string[];
}

/** A plan's alerts per patient-day by rule and severity, and how many recorded actions found an alert to act on. */
export interface BacktestPlanAlerts {
  readonly alerts: number;
  readonly perPatientDay: number | null;
  readonly byRule: readonly RateRow[];
  readonly bySeverity: readonly RateRow[];
  readonly actionsReplayed: number;
  readonly actionsUnmatched: number;
}
