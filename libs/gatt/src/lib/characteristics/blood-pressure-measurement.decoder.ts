import type { ReadingStatusFlag } from '@homeward/domain';
import { bitsAt, isSet } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { dateTimeToDate, type DateTime } from '../date-time';
import { guardDecode, type GattResult } from '../errors';
import type { MderFloat } from '../ieee-11073-float';
import { ReadingCollector, type ReadingSet } from '../readings';

/**
 * Blood Pressure Measurement, 0x2A35 (indicated by the Blood Pressure Service, 0x1810).
 * GATT Specification Supplement (GSS), "Blood Pressure Measurement":
 *
 *   Flags                    uint8      mandatory
 *   Systolic                 medfloat16 mandatory   } unit by Flags bit 0
 *   Diastolic                medfloat16 mandatory   }
 *   Mean Arterial Pressure   medfloat16 mandatory   }
 *   Time Stamp               Date Time  if Flags bit 1
 *   Pulse Rate               medfloat16 if Flags bit 2 (beats per minute)
 *   User ID                  uint8      if Flags bit 3 (0xFF = unknown user)
 *   Measurement Status       uint16     if Flags bit 4
 */

export type PressureUnit = 'mmHg' | 'kPa';

/** GSS Blood Pressure Measurement, Measurement Status field, bits 3–4. */
export type PulseRateRange = 'within-range' | 'exceeds-upper-limit' | 'below-lower-limit' | 'reserved';

export interface BloodPressureMeasurementStatus {
  /** Bit 0, Body Movement Detection: body movement during measurement. */
  readonly bodyMovement: boolean;
  /** Bit 1, Cuff Fit Detection: cuff too loose. */
  readonly cuffTooLoose: boolean;
  /** Bit 2, Irregular Pulse Detection: irregular pulse detected. */
  readonly irregularPulse: boolean;
  /** Bits 3–4, Pulse Rate Range Detection. */
  readonly pulseRateRange: PulseRateRange;
  /** Bit 5, Measurement Position Detection: improper measurement position. */
  readonly improperPosition: boolean;
}

export interface BloodPressureMeasurement {
  readonly unit: PressureUnit;
  readonly systolic: MderFloat;
  readonly diastolic: MderFloat;
  readonly meanArterialPressure: MderFloat;
  readonly timestamp: DateTime | null;
  readonly pulseRate: MderFloat | null;
  /** 0xFF (255) means "unknown user". */
  readonly userId: number | null;
  readonly status: BloodPressureMeasurementStatus | null;
}

/** Flags field bits (GSS Blood Pressure Measurement, Flags). Bits 5–7 are reserved for future use. */
export const BPM_FLAG = {
  /** Bit 0, Blood Pressure Units: 0 = mmHg, 1 = kPa. */
  unitsKpa: 0,
  /** Bit 1, Time Stamp present. */
  timeStamp: 1,
  /** Bit 2, Pulse Rate present. */
  pulseRate: 2,
  /** Bit 3, User ID present. */
  userId: 3,
  /** Bit 4, Measurement Status present. */
  measurementStatus: 4,
} as const;

const NAME = 'Blood Pressure Measurement';

/** The parts Blood Pressure Measurement and Intermediate Cuff Pressure share (same layout). */
export interface BloodPressureFrame {
  readonly unit: PressureUnit;
  readonly compound: readonly [MderFloat, MderFloat, MderFloat];
  readonly timestamp: DateTime | null;
  readonly pulseRate: MderFloat | null;
  readonly userId: number | null;
  readonly status: BloodPressureMeasurementStatus | null;
}

export function readBloodPressureFrame(reader: ByteReader, compoundFields: readonly [string, string, string]): BloodPressureFrame {
  const flags = reader.uint8('Flags');
  const unit: PressureUnit = isSet(flags, BPM_FLAG.unitsKpa) ? 'kPa' : 'mmHg';
  const compound = [reader.sfloat(compoundFields[0]), reader.sfloat(compoundFields[1]), reader.sfloat(compoundFields[2])] as const;
  const timestamp = isSet(flags, BPM_FLAG.timeStamp) ? reader.dateTime('Time Stamp', 'Flags bit 1') : null;
  const pulseRate = isSet(flags, BPM_FLAG.pulseRate) ? reader.sfloat('Pulse Rate', 'Flags bit 2') : null;
  const userId = isSet(flags, BPM_FLAG.userId) ? reader.uint8('User ID', 'Flags bit 3') : null;
  const status = isSet(flags, BPM_FLAG.measurementStatus) ? decodeBloodPressureStatus(reader.uint16('Measurement Status', 'Flags bit 4')) : null;
  reader.end();
  return { unit, compound, timestamp, pulseRate, userId, status };
}

/** GSS Blood Pressure Measurement, Measurement Status field. Bits 6–15 are reserved and ignored. */
export function decodeBloodPressureStatus(raw: number): BloodPressureMeasurementStatus {
  const range = bitsAt(raw, 3, 2);
  return {
    bodyMovement: isSet(raw, 0),
    cuffTooLoose: isSet(raw, 1),
    irregularPulse: isSet(raw, 2),
    // 0 = within range, 1 = exceeds upper limit, 2 = less than lower limit, 3 = reserved.
    pulseRateRange: range === 0 ? 'within-range' : range === 1 ? 'exceeds-upper-limit' : range === 2 ? 'below-lower-limit' : 'reserved',
    improperPosition: isSet(raw, 5),
  };
}

export function decodeBloodPressureMeasurement(bytes: Uint8Array): GattResult<BloodPressureMeasurement> {
  return guardDecode(NAME, () => {
    const frame = readBloodPressureFrame(new ByteReader(bytes, NAME), ['Systolic', 'Diastolic', 'Mean Arterial Pressure']);
    const [systolic, diastolic, meanArterialPressure] = frame.compound;
    return {
      unit: frame.unit,
      systolic,
      diastolic,
      meanArterialPressure,
      timestamp: frame.timestamp,
      pulseRate: frame.pulseRate,
      userId: frame.userId,
      status: frame.status,
    };
  });
}

/** Status bits that qualify the whole measurement (HL7 PHD IG maps them to interpretation). */
export function bloodPressureStatusFlags(status: BloodPressureMeasurementStatus | null): ReadingStatusFlag[] {
  if (status === null) return [];
  const flags: ReadingStatusFlag[] = [];
  if (status.bodyMovement) flags.push('body-movement');
  if (status.cuffTooLoose) flags.push('cuff-fit-loose');
  // An irregular pulse (often atrial fibrillation) makes the oscillometric pressures less reliable too.
  if (status.irregularPulse) flags.push('irregular-pulse');
  if (status.improperPosition) flags.push('improper-position');
  return flags;
}

/** Systolic, diastolic and mean arterial pressure, and the pulse rate when present. */
export function bloodPressureMeasurementReadings(measurement: BloodPressureMeasurement): ReadingSet {
  const collector = new ReadingCollector();
  const time = measurement.timestamp === null ? null : dateTimeToDate(measurement.timestamp);
  const unit = measurement.unit === 'kPa' ? 'kPa' : 'mm[Hg]';
  const flags = bloodPressureStatusFlags(measurement.status);
  collector.add('systolic_bp', measurement.systolic, unit, time, flags);
  collector.add('diastolic_bp', measurement.diastolic, unit, time, flags);
  collector.add('mean_arterial_pressure', measurement.meanArterialPressure, unit, time, flags);
  if (measurement.pulseRate !== null) {
    const range = measurement.status?.pulseRateRange;
    const pulseFlags: ReadingStatusFlag[] =
      range === 'exceeds-upper-limit' || range === 'below-lower-limit' ? [...flags, 'pulse-rate-out-of-range'] : flags;
    collector.add('heart_rate', measurement.pulseRate, '/min', time, pulseFlags);
  }
  return collector.result();
}
