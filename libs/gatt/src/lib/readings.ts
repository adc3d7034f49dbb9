import { toCanonicalUnit, type ReadingStatusFlag, type VitalKey } from '@homeward/domain';
import type { MderFloat, MderSpecial } from './ieee-11073-float';

/**
 * A reading as a GATT frame gives it: what was measured, in the vital's canonical unit, when the
 * device says it was measured, and the device's status bits. The gateway adds patient, device and
 * receipt time, corrects the clock, and builds the domain Reading (which also checks plausibility).
 */
export interface ReadingDraft {
  readonly vital: VitalKey;
  /** In the canonical UCUM unit of the vital (VITAL_SIGNS[vital].unit). */
  readonly value: number;
  readonly unit: string;
  /** The frame's own timestamp; null when it has none, or its date is "not known". */
  readonly deviceTime: Date | null;
  readonly status: readonly ReadingStatusFlag[];
}

/**
 * Why a vital the frame carries gave no reading. Codes from FHIR's data-absent-reason code system,
 * used as the HL7 PHD IG maps IEEE 11073 special values and measurement status:
 * NaN → not-a-number, ±INF → positive-/negative-infinity, NRes and reserved → error, an invalid or
 * unsuccessful measurement → error, "measurement unavailable" → not-performed, "measurement
 * ongoing" → temp-unknown. 'not-applicable' marks values that are not a patient's (control
 * solution, demonstration or test data), 'unsupported' values of a kind Homeward does not record.
 */
export type DataAbsentReason =
  | 'unknown'
  | 'temp-unknown'
  | 'not-performed'
  | 'error'
  | 'not-a-number'
  | 'positive-infinity'
  | 'negative-infinity'
  | 'not-applicable'
  | 'unsupported';

export interface AbsentReading {
  readonly vital: VitalKey;
  readonly reason: DataAbsentReason;
  /** A sentence saying what the device sent. */
  readonly detail: string;
}

export interface ReadingSet {
  readonly readings: ReadingDraft[];
  readonly absent: AbsentReading[];
}

const SPECIAL_REASONS: Readonly<Record<MderSpecial, DataAbsentReason>> = {
  NaN: 'not-a-number',
  NRes: 'error',
  '+INF': 'positive-infinity',
  '-INF': 'negative-infinity',
  reserved: 'error',
};

export function absentReasonForSpecial(special: MderSpecial): DataAbsentReason {
  return SPECIAL_REASONS[special];
}

/** Collects the readings and absences of one frame. */
export class ReadingCollector {
  private readonly readings: ReadingDraft[] = [];
  private readonly absences: AbsentReading[] = [];

  /**
   * Adds a reading from a decoded value in the unit the device used (a UCUM code or alias
   * @homeward/domain accepts), converted to the canonical unit; a special value becomes an
   * absence instead.
   */
  add(vital: VitalKey, value: MderFloat, unit: string, deviceTime: Date | null, status: readonly ReadingStatusFlag[] = []): void {
    if (typeof value !== 'number') {
      this.absent(vital, absentReasonForSpecial(value.special), `The device sent the IEEE 11073 special value ${value.special} instead of a number.`);
      return;
    }
    const canonical = toCanonicalUnit(vital, value, unit);
    if (!canonical.ok) {
      this.absent(vital, 'error', canonical.error.message);
      return;
    }
    // A value far outside any body's range (1e19 °C from a corrupt FLOAT) can come back from the
    // unit conversion as NaN; it is an error, never a number to store.
    if (!Number.isFinite(canonical.value.value)) {
      this.absent(vital, 'error', `The device sent ${value} ${unit}, which cannot be expressed in ${canonical.value.unit}.`);
      return;
    }
    this.readings.push({
      vital,
      value: canonical.value.value,
      unit: canonical.value.unit,
      deviceTime: deviceTime === null ? null : new Date(deviceTime.getTime()),
      status: [...new Set(status)],
    });
  }

  absent(vital: VitalKey, reason: DataAbsentReason, detail: string): void {
    this.absences.push({ vital, reason, detail });
  }

  result(): ReadingSet {
    return { readings: [...this.readings], absent: [...this.absences] };
  }
}

/**
 * Moves the decimal point: shiftDecimal(0.0012, 5) = 120. Done on the decimal text, because
 * 0.0012 × 100000 in binary floating point is 120.00000000000001.
 */
export function shiftDecimal(value: number, places: number): number {
  const [mantissa = '0', exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + places}`);
}
