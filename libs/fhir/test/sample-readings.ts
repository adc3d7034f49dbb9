import { type ReadingInput, type ReadingStatusFlag, buildReading } from '@homeward/domain';
import type { StoredReadingLike } from '../src';

export const PATIENT = '6f1c2a54-3b0e-4f8e-9d55-0a1b2c3d4e5f';
export const CUFF = '0b6c4d1e-8a2f-4c3b-9e7d-112233445566';
export const OXIMETER = '1c7d5e2f-9b30-4d4c-8f8e-223344556677';
export const HUB = '2d8e6f30-ac41-4e5d-908f-334455667788';

let nextId = 100;

/** A reading as the store would hold it, built through the domain (canonical unit, key). */
export function stored(input: Partial<ReadingInput> & { vital: string; value: number; unit: string }, id = String(nextId++)): StoredReadingLike {
  const measuredAt = input.measuredAt ?? new Date('2026-11-21T07:30:00Z');
  const built = buildReading({
    patientId: PATIENT,
    deviceId: null,
    measuredAt,
    deviceTime: measuredAt,
    receivedAt: new Date(measuredAt.getTime() + 5_000),
    source: 'mqtt',
    ...input,
  });
  if (!built.ok) throw new Error(built.error.message);
  return { ...built.value, id };
}

/** One reading of every vital, with a BP measurement (systolic, diastolic, mean) from the cuff. */
export function everyVital(status: ReadingStatusFlag[] = []): StoredReadingLike[] {
  const at = new Date('2026-11-21T07:30:00Z');
  return [
    stored({ vital: 'systolic_bp', value: 132, unit: 'mm[Hg]', deviceId: CUFF, measuredAt: at, status }),
    stored({ vital: 'diastolic_bp', value: 84, unit: 'mm[Hg]', deviceId: CUFF, measuredAt: at, status }),
    stored({ vital: 'mean_arterial_pressure', value: 100, unit: 'mm[Hg]', deviceId: CUFF, measuredAt: at }),
    stored({ vital: 'heart_rate', value: 72, unit: '/min', deviceId: CUFF, measuredAt: at }),
    stored({ vital: 'spo2', value: 95, unit: '%', deviceId: OXIMETER, measuredAt: new Date('2026-11-21T07:31:00Z') }),
    stored({ vital: 'respiration_rate', value: 18, unit: '/min', source: 'manual', measuredAt: new Date('2026-11-21T07:32:00Z') }),
    stored({ vital: 'body_temperature', value: 37.2, unit: 'Cel', source: 'manual', measuredAt: new Date('2026-11-21T07:33:00Z') }),
    stored({ vital: 'body_weight', value: 71.25, unit: 'kg', source: 'manual', measuredAt: new Date('2026-11-21T07:34:00Z') }),
    stored({ vital: 'blood_glucose', value: 6.4, unit: 'mmol/L', source: 'manual', measuredAt: new Date('2026-11-21T07:35:00Z') }),
    stored({ vital: 'news2_score', value: 3, unit: '{score}', source: 'manual', measuredAt: new Date('2026-11-21T07:36:00Z') }),
  ];
}
