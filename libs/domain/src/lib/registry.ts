import type { NhsNumber } from './nhs-number';

export const PATHWAYS = ['heart-failure', 'copd', 'acute-respiratory-infection', 'frailty', 'general'] as const;
export type Pathway = (typeof PATHWAYS)[number];

export const ROLES = ['patient', 'nurse', 'clinician', 'admin', 'carer'] as const;
export type Role = (typeof ROLES)[number];

export const DEVICE_TYPES = [
  'blood-pressure-monitor',
  'pulse-oximeter',
  'weight-scale',
  'thermometer',
  'glucose-meter',
  'hub',
  'patient-app',
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/**
 * Where a patient went when discharged from the virtual ward (the ward outcomes report, issue 21):
 * home (the stay ended as planned), admitted to hospital, died, moved to another virtual ward
 * (a transfer: never a readmission), or other.
 */
export const DISCHARGE_OUTCOMES = ['home', 'hospital-admission', 'death', 'transferred', 'other'] as const;
export type DischargeOutcome = (typeof DISCHARGE_OUTCOMES)[number];

export interface Ward {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
}

export interface Patient {
  readonly id: string;
  readonly nhsNumber: NhsNumber;
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string; // ISO date, no time zone: a birthday is a calendar date
  readonly createdAt: Date;
}

export interface Admission {
  readonly id: string;
  readonly patientId: string;
  readonly wardId: string;
  readonly pathway: Pathway;
  readonly admittedAt: Date;
  readonly dischargedAt: Date | null;
}

export interface Device {
  readonly id: string;
  readonly type: DeviceType;
  readonly serial: string;
  readonly model: string | null;
  readonly bleAddress: string | null;
  readonly patientId: string | null;
  readonly lastSeenAt: Date | null;
  readonly batteryLevel: number | null;
  readonly createdAt: Date;
}

export interface User {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly createdAt: Date;
}
