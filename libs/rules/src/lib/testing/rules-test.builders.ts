import { type Reading, type VitalKey, VITAL_SIGNS, readingIdempotencyKey } from '@homeward/domain';
import type { CarePlan } from '../model/care-plan.model';
import type { ClinicalObservation } from '../model/clinical-observation.model';
import type { Acvpu, AirOrOxygen } from '../news2/news2.model';
import { HOUR_MS } from '../shared/reading-window';

/** Test data for the rules' specs: real values, no mocks. Not exported from the library. */

export const PATIENT = 'patient-1';
export const NOW = new Date('2026-03-10T12:00:00.000Z');

let sequence = 0;

/** A stored reading of `vital` measured `hoursAgo` before NOW (received a minute later unless told). */
export function reading(vital: VitalKey, value: number, hoursAgo: number, overrides: Partial<Reading> = {}): Reading {
  sequence += 1;
  const measuredAt = new Date(NOW.getTime() - hoursAgo * HOUR_MS);
  const base = {
    id: `r${sequence}`,
    patientId: PATIENT,
    deviceId: 'device-1',
    vital,
    value,
    unit: VITAL_SIGNS[vital].unit,
    measuredAt,
    deviceTime: measuredAt,
    receivedAt: new Date(measuredAt.getTime() + 60_000),
    source: 'mqtt' as const,
    status: [],
    ...overrides,
  };
  return { ...base, idempotencyKey: readingIdempotencyKey(base) };
}

export function consciousness(value: Acvpu, hoursAgo: number, patientId = PATIENT): ClinicalObservation {
  return { kind: 'consciousness', value, patientId, observedAt: new Date(NOW.getTime() - hoursAgo * HOUR_MS), recordedBy: 'nurse-1' };
}

export function airOrOxygen(value: AirOrOxygen, hoursAgo: number, patientId = PATIENT): ClinicalObservation {
  return { kind: 'air-or-oxygen', value, patientId, observedAt: new Date(NOW.getTime() - hoursAgo * HOUR_MS), recordedBy: 'patient' };
}

export function carePlan(overrides: Partial<CarePlan> = {}, news2: Partial<CarePlan['news2']> = {}): CarePlan {
  return {
    patientId: PATIENT,
    pathway: 'general',
    ...overrides,
    news2: { windowHours: 12, spo2Scale: { scale: 1 }, supplementalOxygen: 'none', ...overrides.news2, ...news2 },
  };
}

export const SCALE_2_DECISION = {
  scale: 2,
  decidedBy: 'clinician-7',
  decidedAt: new Date('2026-03-01T09:00:00.000Z'),
  reason: 'Hypercapnic respiratory failure on blood gas, target 88–92 %',
} as const;

/** A full set of normal observations (aggregate 0), to vary one parameter at a time. */
export function normalSet(hoursAgo = 1): Reading[] {
  return [
    reading('respiration_rate', 16, hoursAgo),
    reading('spo2', 97, hoursAgo),
    reading('systolic_bp', 125, hoursAgo),
    reading('heart_rate', 72, hoursAgo),
    reading('body_temperature', 36.8, hoursAgo),
  ];
}
