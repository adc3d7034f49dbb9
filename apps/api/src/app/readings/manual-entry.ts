import type { ManualReadingsAnswer, PatientAdvice } from '@homeward/contracts';
import { CodedFailure } from '@homeward/domain';
import type { IngestPipeline, PatientAdvisor, Submission, SubmissionOutcome } from '@homeward/ingest';

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
  /** The message as received, and when (the api's clock: a reading measured after it, beyond the allowed skew, is refused). */
  raw: { readonly payload: Uint8Array; readonly topic: string; readonly receivedAt: Date },
  /** Flags every reading carries (a carer's entry: "entered-by-carer"). */
  status?: Submission['readings'][number]['status'],
): Promise<{ outcome: SubmissionOutcome; advice: PatientAdvice | undefined }> {
  const outcome = await ingest.submit({
    source: 'manual',
    patientId,
    deviceId: null,
    receivedAt: raw.receivedAt,
    deviceClockAt: null,
    readings: readings.map((r) => ({ vital: r.vital, value: r.value, unit: r.unit, deviceTime: r.measuredAt, ...(status ? { status } : {}) })),
    raw: { payload: raw.payload, topic: raw.topic },
  });
  const advice = await advisor.adviceFor(patientId, [...outcome.stored, ...outcome.duplicates]);
  return { outcome, advice };
}

/**
 * The answer to a person at a form: all or nothing, so a refused item is a 422 saying exactly what
 * to fix (valid items of the same submission were stored; submitting again after fixing is safe,
 * they come back as duplicates), with the advice either way.
 */
export function manualReadingsAnswer({ outcome, advice }: { outcome: SubmissionOutcome; advice: PatientAdvice | undefined }): ManualReadingsAnswer {
  if (outcome.rejected.length > 0) {
    throw new CodedFailure({
      code: outcome.rejected[0]?.error.code ?? 'reading.rejected',
      message: outcome.rejected.map((r) => `readings[${r.index}]: ${r.error.message}`).join(' '),
      details: { rejected: outcome.rejected.map((r) => ({ index: r.index, ...r.error })), stored: outcome.stored.length, ...(advice ? { advice } : {}) },
    });
  }
  return {
    stored: outcome.stored.length,
    duplicates: outcome.duplicates.length,
    readings: outcome.stored.map((r) => ({ id: r.id, vital: r.vital, value: r.value, unit: r.unit, measuredAt: r.measuredAt.toISOString(), status: r.status })),
    ...(advice ? { advice } : {}),
  };
}
