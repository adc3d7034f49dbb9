import { type CodedError, type Result, fail, ok } from './coded-error';
import { toCanonicalUnit, type UnitErrorCode } from './units';
import { VITAL_SIGNS, isVitalKey, type VitalKey } from './vital-signs';

export const READING_SOURCES = ['ble', 'mqtt', 'manual', 'fhir', 'sms'] as const;
export type ReadingSource = (typeof READING_SOURCES)[number];

/**
 * Status flags a reading may carry. Device-reported ones follow the measurement-status bits of
 * the GATT characteristics (HL7 PHD IG maps them to FHIR interpretation); clock ones are set by
 * the ingest pipeline when it corrects a device clock.
 */
export const READING_STATUS_FLAGS = [
  // clock (ingest pipeline)
  'clock-corrected', // measuredAt differs from deviceTime by the estimated device clock offset
  'clock-unset', // device sent no usable time; measuredAt is the receipt time
  'clock-skewed', // device clock was off by more than the configured bound
  'future-dated', // device time lies in the future even after correction
  // device-reported measurement status
  'body-movement',
  'cuff-fit-loose',
  'irregular-pulse',
  'pulse-rate-out-of-range',
  'improper-position',
  'early-estimate',
  'questionable',
  'low-perfusion',
  'signal-artefact',
  'calibration-ongoing',
  // provenance
  'entered-by-carer',
] as const;
export type ReadingStatusFlag = (typeof READING_STATUS_FLAGS)[number];

export interface Reading {
  /** Store-assigned identifier; absent until the reading has been written. */
  readonly id?: string;
  readonly patientId: string;
  /** Null for a reading typed in by hand. */
  readonly deviceId: string | null;
  readonly vital: VitalKey;
  /** In the vital's canonical UCUM unit. */
  readonly value: number;
  readonly unit: string;
  /** When it was measured: the device time corrected for clock skew. Rules run on this. */
  readonly measuredAt: Date;
  /** When the device said it was measured, as sent; null if the device sent no time. */
  readonly deviceTime: Date | null;
  /** When Homeward received it. */
  readonly receivedAt: Date;
  readonly source: ReadingSource;
  readonly status: readonly ReadingStatusFlag[];
  /** Same device, vital, device time and value ⇒ same key ⇒ stored once (see readingIdempotencyKey). */
  readonly idempotencyKey: string;
  /**
   * The Personal Health Gateway that relayed it (HL7 PHD IG gatewayDevice): the home hub that
   * published this device's reading, as the broker authenticated it. Null or absent when the
   * device (or a person) sent it directly, or when the relay is not known.
   */
  readonly gatewayId?: string | null;
}

/**
 * Which message a reading came in, as its sender identifies it: the payload's messageId (a hub's
 * is its queue entry id) and the reading's position in it. Stable across redeliveries, so a
 * reading without a device time can still be recognised when it comes again.
 */
export interface MessageIdentity {
  readonly messageId: string;
  readonly index: number;
}

export interface ReadingInput {
  readonly patientId: string;
  readonly deviceId: string | null;
  readonly vital: string;
  readonly value: number;
  /** Any unit accepted for the vital; converted to the canonical one. */
  readonly unit: string;
  readonly measuredAt: Date;
  readonly deviceTime: Date | null;
  readonly receivedAt: Date;
  readonly source: ReadingSource;
  readonly status?: readonly ReadingStatusFlag[];
  /** The sender's message identity; used for duplicate detection only when deviceTime is null. */
  readonly message?: MessageIdentity | null;
  /** The hub that relayed it, when known (Reading.gatewayId); not part of its identity. */
  readonly gatewayId?: string | null;
}

export type ReadingErrorCode = 'reading.unknown-vital' | 'reading.not-a-number' | 'reading.implausible' | 'reading.invalid-time' | UnitErrorCode;

/**
 * Builds a Reading from raw input: known vital, finite value, accepted unit converted to the
 * canonical one, value inside the plausibility range, valid times. Every rejection says why.
 */
export function buildReading(input: ReadingInput): Result<Reading, CodedError<ReadingErrorCode>> {
  if (!isVitalKey(input.vital)) {
    return fail('reading.unknown-vital', `"${input.vital}" is not a vital sign Homeward records.`, { vital: input.vital });
  }
  const vital = input.vital;
  if (typeof input.value !== 'number' || !Number.isFinite(input.value)) {
    return fail('reading.not-a-number', `${VITAL_SIGNS[vital].display} must be a finite number.`, { vital, value: String(input.value) });
  }
  for (const [name, time] of [['measuredAt', input.measuredAt], ['receivedAt', input.receivedAt], ['deviceTime', input.deviceTime]] as const) {
    if (time !== null && (!(time instanceof Date) || Number.isNaN(time.getTime()))) {
      return fail('reading.invalid-time', `${name} is not a valid time.`, { field: name });
    }
  }
  const canonical = toCanonicalUnit(vital, input.value, input.unit);
  if (!canonical.ok) return canonical;
  const implausible = checkPlausible(vital, canonical.value.value);
  if (implausible) return { ok: false, error: implausible };
  const reading: Reading = {
    patientId: input.patientId,
    deviceId: input.deviceId,
    vital,
    value: canonical.value.value,
    unit: canonical.value.unit,
    measuredAt: input.measuredAt,
    deviceTime: input.deviceTime,
    receivedAt: input.receivedAt,
    source: input.source,
    status: [...new Set(input.status ?? [])],
    idempotencyKey: '',
    ...(input.gatewayId ? { gatewayId: input.gatewayId } : {}),
  };
  return ok({ ...reading, idempotencyKey: readingIdempotencyKey(reading, input.message ?? null) });
}

/** Null when the canonical value is plausible, otherwise the coded rejection. */
export function checkPlausible(vital: VitalKey, canonicalValue: number): CodedError<'reading.implausible'> | null {
  const { plausible, display, unit } = VITAL_SIGNS[vital];
  if (canonicalValue >= plausible.min && canonicalValue <= plausible.max) return null;
  return {
    code: 'reading.implausible',
    message: `${display} of ${canonicalValue} ${unit} is outside the plausible range ${plausible.min}–${plausible.max} ${unit}; check the device or the entry.`,
    details: { vital, value: canonicalValue, unit, min: plausible.min, max: plausible.max },
  };
}

/**
 * The duplicate-detection key (HL7 PHD IG: device, measurement time, type and value). The device
 * time is used as sent, not corrected, so a redelivered reading maps to the same key however
 * the clock correction came out the second time. A reading with no device is keyed on the
 * patient.
 *
 * A reading with no device time has nothing of the measurement that survives redelivery (its
 * measuredAt is the receipt time, different each time), so it is keyed on the sender's message
 * identity instead: `…|message:<messageId>#<index>|…` (the id URI-encoded, so a `|` in it cannot
 * break the key apart). Without a message identity either, it falls back to its measurement
 * time, as before: such a reading redelivered later is stored again (a sender that wants
 * exactly-once storage sends a deviceTime or a messageId, unique per device).
 */
export function readingIdempotencyKey(
  reading: Pick<Reading, 'patientId' | 'deviceId' | 'vital' | 'deviceTime' | 'measuredAt' | 'value'>,
  message: MessageIdentity | null = null,
): string {
  const origin = reading.deviceId === null ? `patient:${reading.patientId}` : `device:${reading.deviceId}`;
  const time =
    reading.deviceTime !== null
      ? reading.deviceTime.toISOString()
      : message !== null
        ? `message:${encodeURIComponent(message.messageId)}#${message.index}`
        : reading.measuredAt.toISOString();
  return `${origin}|${reading.vital}|${time}|${reading.value}`;
}
