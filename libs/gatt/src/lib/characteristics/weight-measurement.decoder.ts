import { isSet } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { dateTimeToDate, type DateTime } from '../date-time';
import { guardDecode, type GattResult } from '../errors';
import { ReadingCollector, type ReadingSet } from '../readings';
import { HEIGHT_DIVISOR, massUnit, readScaled, readWeight, type UnitSystem } from './mass';

/**
 * Weight Measurement, 0x2A9D (indicated by the Weight Scale Service, 0x181D).
 * GSS "Weight Measurement":
 *
 *   Flags            uint8      mandatory
 *   Weight           uint16     mandatory: 0.005 kg (SI) or 0.01 lb (imperial); 0xFFFF = Measurement Unsuccessful
 *   Time Stamp       Date Time  if Flags bit 1
 *   User ID          uint8      if Flags bit 2 (0xFF = unknown user)
 *   BMI              uint16     if Flags bit 3: 0.1 kg/m²
 *   Height           uint16     if Flags bit 3: 0.001 m (SI) or 0.1 in (imperial)
 *
 * Flags bit 0, Measurement Units: 0 = SI (kg, m), 1 = imperial (lb, in). Bits 4–7 are reserved.
 * The raw weight resolution is fixed, whatever Weight Scale Feature (0x2A9E) advertises.
 */
export interface WeightMeasurement {
  readonly unitSystem: UnitSystem;
  /** kg (SI) or lb (imperial), or 'unsuccessful' for the raw value 0xFFFF. */
  readonly weight: number | 'unsuccessful';
  readonly timestamp: DateTime | null;
  /** 0xFF (255) means "unknown user". */
  readonly userId: number | null;
  /** BMI (kg/m²) and height (m for SI, in for imperial), sent together. */
  readonly bmiAndHeight: { readonly bmi: number; readonly height: number } | null;
}

export const WEIGHT_FLAG = {
  /** Bit 0, Measurement Units: 0 = SI, 1 = imperial. */
  imperial: 0,
  /** Bit 1, Time Stamp present. */
  timeStamp: 1,
  /** Bit 2, User ID present. */
  userId: 2,
  /** Bit 3, BMI and Height present. */
  bmiAndHeight: 3,
} as const;

/** BMI resolution 0.1 kg/m². */
export const BMI_DIVISOR = 10;

const NAME = 'Weight Measurement';

export function decodeWeightMeasurement(bytes: Uint8Array): GattResult<WeightMeasurement> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const flags = reader.uint8('Flags');
    const unitSystem: UnitSystem = isSet(flags, WEIGHT_FLAG.imperial) ? 'imperial' : 'SI';
    const weight = readWeight(reader, 'Weight', unitSystem);
    const timestamp = isSet(flags, WEIGHT_FLAG.timeStamp) ? reader.dateTime('Time Stamp', 'Flags bit 1') : null;
    const userId = isSet(flags, WEIGHT_FLAG.userId) ? reader.uint8('User ID', 'Flags bit 2') : null;
    const bmiAndHeight = isSet(flags, WEIGHT_FLAG.bmiAndHeight)
      ? { bmi: readScaled(reader, 'BMI', BMI_DIVISOR, 'Flags bit 3'), height: readScaled(reader, 'Height', HEIGHT_DIVISOR[unitSystem], 'Flags bit 3') }
      : null;
    reader.end();
    return { unitSystem, weight, timestamp, userId, bmiAndHeight };
  });
}

/** Body weight, or its absence when the scale reports Measurement Unsuccessful. */
export function weightMeasurementReadings(measurement: WeightMeasurement): ReadingSet {
  const collector = new ReadingCollector();
  if (measurement.weight === 'unsuccessful') {
    collector.absent('body_weight', 'error', 'The scale reported Measurement Unsuccessful (Weight 0xFFFF).');
  } else {
    const time = measurement.timestamp === null ? null : dateTimeToDate(measurement.timestamp);
    collector.add('body_weight', measurement.weight, massUnit(measurement.unitSystem), time);
  }
  return collector.result();
}
