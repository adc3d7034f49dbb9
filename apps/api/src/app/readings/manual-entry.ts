import type { PatientAdvice } from '@homeward/contracts';
import type { IngestPipeline, PatientAdvisor, SubmissionOutcome } from '@homeward/ingest';

export interface ManualReading {
  readonly vital: string;
  readonly value: number;
  readonly unit: string;
  readonly measuredAt: Date;
}

/**
 * A person's typed-in readings (the JSON entry and the no-JavaScript form alike) through the
 * ingest pipeline, source "manual", and the ward's advice when one of them, stored now or before
 * (a resend after a lost answer), is in the red band.
 */
export async function submitManualReadings(
  ingest: IngestPipeline,
  advisor: PatientAdvisor,
  patientId: string,
  readings: readonly ManualReading[],
  raw: { readonly payload: Uint8Array; readonly topic: string },
): Promise<{ outcome: SubmissionOutcome; advice: PatientAdvice | undefined }> {
  const outcome = await ingest.submit({
    source: 'manual',
    patientId,
    deviceId: null,
    receivedAt: new Date(),
    deviceClockAt: null,
    readings: readings.map((r) => ({ vital: r.vital, value: r.value, unit: r.unit, deviceTime: r.measuredAt })),
    raw,
  });
  const advice = await advisor.adviceFor(patientId, [...outcome.stored, ...outcome.duplicates]);
  return { outcome, advice };
}
