import type { Alert, AlertEvent, AlertOutcome, AlertSeverityBand, Pathway, Patient, Role } from '@homeward/domain';
import type { EscalationDeliveryView, ReadingsPage } from '@homeward/contracts';

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
