import type { Pathway, VitalKey } from '@homeward/domain';

/** Scripted events, placed on the cohort's timeline by day (day 0 is the first simulated day). */
export type ScriptedEvent =
  /** Fluid retention: weight climbs over days, SpO2 falls, pulse and breathing rise. */
  | { readonly kind: 'heart-failure-decompensation'; readonly startDay: number; readonly days: number }
  /** Fever within a day, then raised pulse and breathing and a lower SpO2 while it lasts. */
  | { readonly kind: 'chest-infection'; readonly startDay: number; readonly days: number }
  /** The patient stops measuring: no readings at all. */
  | { readonly kind: 'non-adherence'; readonly startDay: number; readonly days: number }
  /** The home hub is offline: readings are measured and queued, then delivered when it returns. */
  | { readonly kind: 'hub-outage'; readonly startDay: number; readonly days: number }
  /** The device's clock is wrong by a fixed amount (device time and sent-at both carry it). */
  | { readonly kind: 'wrong-clock'; readonly offsetMs: number }
  /** Besides its readings, the device sends a truncated GATT frame at each session. */
  | { readonly kind: 'malformed-frames'; readonly startDay: number; readonly days: number };

export type ScriptedEventKind = ScriptedEvent['kind'];

/** The patient's usual values: what their readings vary around. */
export interface Baseline {
  readonly systolic: number;
  readonly diastolic: number;
  readonly heartRate: number;
  readonly spo2: number;
  readonly respirationRate: number;
  readonly temperature: number;
  readonly weight: number;
  /** Only for people with diabetes. */
  readonly glucose: number | null;
}

/** How the patient's readings reach Homeward: a home hub forwarding BLE devices, or a phone app. */
export type SimulatedDeviceKind = 'hub' | 'patient-app';

export interface CohortPatient {
  readonly index: number;
  readonly givenName: string;
  readonly familyName: string;
  readonly nhsNumber: string;
  readonly dateOfBirth: string;
  readonly pathway: Pathway;
  readonly diabetic: boolean;
  readonly device: SimulatedDeviceKind;
  readonly baseline: Baseline;
  readonly events: readonly ScriptedEvent[];
}

export interface Cohort {
  readonly seed: number;
  readonly patients: readonly CohortPatient[];
}

/** A reading as it really was (true time, canonical unit), before any device got it wrong. */
export interface TrueReading {
  readonly vital: VitalKey;
  readonly value: number;
  readonly unit: string;
  readonly measuredAt: Date;
}

/** The JSON a device publishes on its readings topic (ReadingsPayloadDto's shape). */
export interface SimulatedPayload {
  readonly messageId: string;
  readonly sentAt: string;
  readonly readings?: ReadonlyArray<{ readonly vital: VitalKey; readonly value: number; readonly unit: string; readonly deviceTime: string }>;
  readonly frames?: ReadonlyArray<{ readonly characteristic: string; readonly hex: string; readonly deviceTime?: string }>;
}

/** One message a patient's device sends, and when (true time). */
export interface SimulatedMessage {
  readonly patientIndex: number;
  readonly kind: 'readings' | 'malformed';
  /** True time the device sends it (later than the measurement after an outage). */
  readonly sendAt: Date;
  /** The device clock's error, added to every time it writes (0 for a correct clock). */
  readonly clockOffsetMs: number;
  /** The readings behind it, as they really were; empty for a malformed frame. */
  readonly truth: readonly TrueReading[];
  /** Builds the payload; sentAt is the device clock at the moment it really sends. */
  payload(sentAt: Date): SimulatedPayload;
}
