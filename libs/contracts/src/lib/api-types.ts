// The REST answers as the browser receives them (JSON: dates as ISO strings). Types only, so the
// dashboard can import them without pulling class-validator into its bundle; the API builds the
// newer answers (the worklist by patient, the care-plan editor) to these same types.
import type { Alert, AlertEvent, AlertOutcome, AlertSeverityBand, Pathway, Patient, Role } from '@homeward/domain';
import type { EscalationDeliveryView } from './escalation-contacts.dto';
import type { ReadingsPage } from './trend-query.dto';

/** A server type as it arrives over JSON: every Date is an ISO 8601 string. */
export type Wire<T> = T extends Date
  ? string
  : T extends string & { readonly __brand: string } // branded strings (NhsNumber) arrive plain
    ? string
  : T extends readonly (infer U)[]
    ? readonly Wire<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Wire<T[K]> }
      : T;

export type AlertDto = Wire<Alert>;
export type AlertEventDto = Wire<AlertEvent>;
export type { AlertOutcome, AlertSeverityBand, Pathway, Role };

export interface WorklistItem {
  readonly alert: AlertDto;
  readonly patient: { readonly id: string; readonly name: string; readonly nhsNumber: string } | null;
  readonly waitingMinutes: number;
}

export interface SignedIn {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: { readonly id: string; readonly role: Role; readonly displayName: string };
}

export interface Me {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly wardIds: readonly string[];
  readonly patientId: string | null;
}

export interface WardMember {
  readonly id: string;
  readonly displayName: string;
  readonly role: Role;
}

export interface AdmissionDto {
  readonly id: string;
  readonly patientId: string;
  readonly wardId: string;
  readonly pathway: Pathway;
  readonly admittedAt: string;
  readonly dischargedAt: string | null;
  readonly carePlan: Readonly<Record<string, unknown>>;
}

export type PatientDto = Wire<Patient>;

export interface PatientSummary extends PatientDto {
  readonly admission: AdmissionDto | null;
}

export interface DeviceStatus {
  readonly id: string;
  readonly type: string;
  readonly serial: string;
  readonly model: string | null;
  readonly lastSeenAt: string | null;
  readonly batteryLevel: number | null;
  readonly batteryAt: string | null;
  /** The last status `state` received ("offline": its last will), and when. */
  readonly connection?: { readonly state: 'online' | 'offline'; readonly at: string } | null;
  /** offline: a hub or app, by the rules engine's one definition (the hub-offline alert's). */
  readonly status: 'ok' | 'battery-low' | 'not-seen' | 'offline';
}

export interface ChartThreshold {
  readonly vital: string;
  readonly direction: 'at-or-above' | 'at-or-below';
  readonly value: number;
  readonly severity: string;
  readonly source: 'pathway' | 'override';
}

export interface PatientRecord {
  readonly patient: PatientDto;
  readonly admission: AdmissionDto | null;
  readonly devices: readonly DeviceStatus[];
  readonly thresholds: readonly ChartThreshold[];
  readonly carePlanProblems?: readonly string[];
}

export interface StoredReading {
  readonly id: string;
  readonly patientId: string;
  readonly deviceId: string | null;
  readonly vital: string;
  readonly value: number;
  readonly unit: string;
  readonly measuredAt: string;
  readonly deviceTime: string | null;
  readonly receivedAt: string;
  readonly source: string;
  readonly status: readonly string[];
}

/** `GET /api/patients/:id/readings`: newest first; `next` is the cursor for the older ones. */
export type ReadingsPageDto = ReadingsPage<StoredReading>;

export interface TrendBucket {
  readonly start: string;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly count: number;
}

export interface Trend {
  readonly vital: string;
  readonly bucket: 'hour' | 'day' | 'week';
  readonly buckets: readonly TrendBucket[];
}

export type News2Band = 'low' | 'low-medium' | 'medium' | 'high';

export interface News2Point {
  readonly at: string;
  readonly score: number;
  readonly band: News2Band;
  readonly complete: boolean;
  readonly missing?: readonly string[];
  readonly parameters: Readonly<Record<string, { readonly value: unknown; readonly score: number } | undefined>>;
}

/** `GET /api/alerts/:id`: the worklist item with the readings behind it and its history. */
export interface AlertDetail extends WorklistItem {
  readonly readings: readonly StoredReading[];
  readonly events: readonly AlertEventDto[];
  /** Who its escalations were sent to, and how that went. */
  readonly deliveries: readonly EscalationDeliveryView[];
}

/** One unresolved alert behind a worklist row, in the words and times a nurse acts on. */
export interface PatientWorklistAlert {
  readonly id: string;
  readonly rule: string;
  readonly kind: 'clinical' | 'silence' | 'technical';
  readonly severity: AlertSeverityBand;
  readonly state: 'open' | 'acknowledged' | 'escalated';
  readonly explanation: string;
  /** The triggering reading: its value and unit (null for a silence), and when it was measured. */
  readonly value: number | null;
  readonly unit: string | null;
  readonly vital: string | null;
  readonly measuredAt: string;
  readonly openedAt: string;
  readonly escalatedAt: string | null;
  /** When it escalates if still unacknowledged (open alerts with a timer). */
  readonly escalationDueAt: string | null;
  readonly worsenedAt: string | null;
  readonly worsenedFrom: AlertSeverityBand | null;
  readonly owner: { readonly id: string; readonly displayName: string } | null;
}

/** `GET /api/worklist/patients`: one patient, at the highest severity of the alerts behind the row. */
export interface PatientWorklistRow {
  readonly patient: { readonly id: string; readonly name: string; readonly nhsNumber: string; readonly pathway: Pathway | null };
  readonly severity: AlertSeverityBand;
  /** Most severe first, then longest waiting; the first is the one the row shows. */
  readonly alerts: readonly PatientWorklistAlert[];
  /** Since the oldest of these alerts opened, in whole minutes when the page was made. */
  readonly waitingSince: string;
  readonly waitingMinutes: number;
  readonly escalated: boolean;
  readonly worsened: boolean;
  /** Everyone any of these alerts is assigned to. */
  readonly assignees: readonly { readonly id: string; readonly displayName: string }[];
}

export interface PatientWorklistPage {
  readonly rows: readonly PatientWorklistRow[];
  /** Patients matching the filters (all pages), and the alerts behind them. Never truncated. */
  readonly total: number;
  readonly alertTotal: number;
  readonly page: number;
  readonly pageSize: number;
  readonly pages: number;
  /** Patients per highest severity under every filter but severity (what the severity chips show). */
  readonly counts: Readonly<Record<AlertSeverityBand, number>>;
  readonly generatedAt: string;
}

/** `POST /api/worklist/bulk`: what happened to each alert (an alert already acknowledged is refused, not an error for the rest). */
export interface BulkAlertResult {
  readonly done: readonly string[];
  readonly refused: readonly { readonly alertId: string; readonly code: string; readonly message: string }[];
}

/** One limit as the care-plan editor shows it (a pathway default or a personal override). */
export interface CarePlanLimitView {
  readonly direction: 'at-or-below' | 'at-or-above';
  readonly value: number;
  readonly severity: AlertSeverityBand;
}

/** `GET /api/patients/{id}/care-plan/edit`: the form's starting point, with the pathway's defaults beside it. */
export interface CarePlanEditorView {
  readonly patientId: string;
  readonly pathway: Pathway;
  readonly spo2Scale: 1 | 2;
  /** Scale 2's decision, when the patient is on it. */
  readonly spo2ScaleDecision: { readonly decidedBy: string; readonly decidedAt: string; readonly reason: string } | null;
  /** The COPD pathway offers scale 2 (a clinician must confirm it). */
  readonly offerScale2: boolean;
  readonly vitals: readonly {
    readonly vital: string;
    readonly pathwayLimits: readonly CarePlanLimitView[];
    /** The patient's own limits, or null when the pathway's apply. */
    readonly personalLimits: readonly CarePlanLimitView[] | null;
    readonly pathwayEveryHours: number | null;
    readonly everyHours: number | null;
  }[];
  readonly scheduleFrom: 'care-plan' | 'pathway';
  /** Weight gain of more than `kg` within `days` (libs/rules weight-gain.rule), as in force now (defaults filled in). */
  readonly weightGain: { readonly enabled: boolean; readonly kg: number; readonly days: number; readonly severity: AlertSeverityBand };
  /** SpO2 drop from the patient's own baseline (libs/rules spo2-baseline-drop.rule), as in force now. */
  readonly spo2Baseline: CarePlanSpo2BaselineView;
  readonly reviewBy: string | null;
  readonly reason: string | null;
  readonly problems: readonly string[];
  /** The plan's version: a save names the version it was based on, and is refused if someone saved since. */
  readonly version: number;
}

export interface CarePlanSpo2BaselineView {
  readonly enabled: boolean;
  readonly days: number;
  readonly minReadings: number;
  readonly minDropPoints: number;
  readonly spreadMultiplier: number;
  readonly severity: AlertSeverityBand;
}

/** One change of a saved plan in a clinician's words: "SpO2 lower limit", "94 %", "92 %". */
export interface CarePlanChange {
  readonly what: string;
  readonly before: string;
  readonly after: string;
}

/** `PUT /api/patients/{id}/care-plan/edit`: what changed (also in the audit log, with who and why). */
export interface CarePlanEditResult {
  readonly changes: readonly CarePlanChange[];
  readonly editor: CarePlanEditorView;
}

/** `GET /api/worklist/overview`: the ward at a glance, for handover (printable). */
export interface WardOverview {
  readonly generatedAt: string;
  /** Unresolved alerts by severity and kind (clinical, silence, technical). */
  readonly openAlerts: Readonly<Record<'clinical' | 'silence' | 'technical', Readonly<Record<AlertSeverityBand, number>>>>;
  readonly escalated: readonly { readonly alertId: string; readonly patientId: string; readonly patientName: string; readonly severity: AlertSeverityBand; readonly explanation: string; readonly escalatedAt: string | null }[];
  /** On the ward now, with no reading measured in the last 24 hours. */
  readonly noRecentReadings: readonly { readonly patientId: string; readonly patientName: string; readonly lastMeasuredAt: string | null }[];
  /** A clinician's decision in the care plan is due for review within 2 days (or overdue). */
  readonly dueForReview: readonly { readonly patientId: string; readonly patientName: string; readonly reviewBy: string; readonly overdue: boolean }[];
  /** Admitted or discharged in the last 7 days. */
  readonly admissions: readonly { readonly patientId: string; readonly patientName: string; readonly pathway: Pathway; readonly at: string }[];
  readonly discharges: readonly { readonly patientId: string; readonly patientName: string; readonly at: string; readonly reason: string | null }[];
}
