import type { ReadingStatusFlag } from '@homeward/domain';
import { bitsAt, isSet, readBits, type BitTable } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { dateTimeToDate, type DateTime } from '../date-time';
import { guardDecode, type GattResult } from '../errors';
import type { MderFloat } from '../ieee-11073-float';
import { ReadingCollector, shiftDecimal, type ReadingSet } from '../readings';

/**
 * Glucose Measurement, 0x2A18 (notified by the Glucose Service, 0x1808, live or when stored
 * records are requested through the Record Access Control Point, 0x2A52).
 * GSS "Glucose Measurement":
 *
 *   Flags                          uint8      mandatory
 *   Sequence Number                uint16     mandatory
 *   Base Time                      Date Time  mandatory
 *   Time Offset                    sint16     if Flags bit 0: minutes, added to Base Time
 *   Glucose Concentration          medfloat16 if Flags bit 1: kg/L (Flags bit 2 = 0) or mol/L (= 1)
 *   Type-Sample Location           uint8      if Flags bit 1: Type low nibble, Sample Location high nibble
 *   Sensor Status Annunciation     uint16     if Flags bit 3
 *
 * Flags bit 4, Context Information Follows: a Glucose Measurement Context (0x2A34) with the same
 * sequence number comes next. Bits 5–7 are reserved for future use.
 */

export type GlucoseConcentrationUnit = 'kg/L' | 'mol/L';

export type GlucoseSampleType =
  | 'capillary-whole-blood'
  | 'capillary-plasma'
  | 'venous-whole-blood'
  | 'venous-plasma'
  | 'arterial-whole-blood'
  | 'arterial-plasma'
  | 'undetermined-whole-blood'
  | 'undetermined-plasma'
  | 'interstitial-fluid'
  | 'control-solution'
  | 'reserved';

export type GlucoseSampleLocation = 'finger' | 'alternate-site-test' | 'earlobe' | 'control-solution' | 'subcutaneous-tissue' | 'not-available' | 'reserved';

export type GlucoseSensorStatusFlag =
  | 'device-battery-low'
  | 'sensor-malfunction'
  | 'sample-size-insufficient'
  | 'strip-insertion-error'
  | 'strip-type-incorrect'
  | 'result-too-high'
  | 'result-too-low'
  | 'temperature-too-high'
  | 'temperature-too-low'
  | 'read-interrupted'
  | 'general-device-fault'
  | 'time-fault';

export interface GlucoseConcentration {
  readonly value: MderFloat;
  readonly unit: GlucoseConcentrationUnit;
  readonly type: GlucoseSampleType;
  readonly sampleLocation: GlucoseSampleLocation;
}

export interface GlucoseMeasurement {
  readonly sequenceNumber: number;
  readonly baseTime: DateTime;
  readonly timeOffsetMinutes: number | null;
  readonly concentration: GlucoseConcentration | null;
  readonly sensorStatus: readonly GlucoseSensorStatusFlag[] | null;
  readonly contextInformationFollows: boolean;
}

export const GLUCOSE_FLAG = {
  /** Bit 0, Time Offset present. */
  timeOffset: 0,
  /** Bit 1, Glucose Concentration, Type and Sample Location present. */
  concentration: 1,
  /** Bit 2, Glucose Concentration Units: 0 = kg/L, 1 = mol/L. */
  unitsMolPerLitre: 2,
  /** Bit 3, Sensor Status Annunciation present. */
  sensorStatus: 3,
  /** Bit 4, Context Information Follows. */
  contextFollows: 4,
} as const;

/** Type nibble values 1–10 (0 and 11–15 are reserved for future use). */
export const GLUCOSE_SAMPLE_TYPES: readonly GlucoseSampleType[] = [
  'capillary-whole-blood', // 1 Capillary Whole blood
  'capillary-plasma', // 2 Capillary Plasma
  'venous-whole-blood', // 3 Venous Whole blood
  'venous-plasma', // 4 Venous Plasma
  'arterial-whole-blood', // 5 Arterial Whole blood
  'arterial-plasma', // 6 Arterial Plasma
  'undetermined-whole-blood', // 7 Undetermined Whole blood
  'undetermined-plasma', // 8 Undetermined Plasma
  'interstitial-fluid', // 9 Interstitial Fluid (ISF)
  'control-solution', // 10 Control Solution
];

/** Sample Location nibble values (0 and 6–14 are reserved for future use). */
export const GLUCOSE_SAMPLE_LOCATIONS: ReadonlyMap<number, GlucoseSampleLocation> = new Map([
  [1, 'finger'], // 1 Finger
  [2, 'alternate-site-test'], // 2 Alternate Site Test (AST)
  [3, 'earlobe'], // 3 Earlobe
  [4, 'control-solution'], // 4 Control solution
  [5, 'subcutaneous-tissue'], // 5 Subcutaneous tissue (shared with CGM)
  [15, 'not-available'], // 15 Sample Location value not available
]);

/** GSS, Glucose Measurement, Sensor Status Annunciation field. Bits 12–15 are reserved. */
export const GLUCOSE_SENSOR_STATUS_BITS: BitTable<GlucoseSensorStatusFlag> = [
  [0, 'device-battery-low'], // bit 0 Device battery low at time of measurement
  [1, 'sensor-malfunction'], // bit 1 Sensor malfunction or faulting at time of measurement
  [2, 'sample-size-insufficient'], // bit 2 Sample size for blood or control solution insufficient
  [3, 'strip-insertion-error'], // bit 3 Strip insertion error
  [4, 'strip-type-incorrect'], // bit 4 Strip type incorrect for device
  [5, 'result-too-high'], // bit 5 Sensor result higher than the device can process
  [6, 'result-too-low'], // bit 6 Sensor result lower than the device can process
  [7, 'temperature-too-high'], // bit 7 Sensor temperature too high for valid test/result
  [8, 'temperature-too-low'], // bit 8 Sensor temperature too low for valid test/result
  [9, 'read-interrupted'], // bit 9 Sensor read interrupted because strip was pulled too soon
  [10, 'general-device-fault'], // bit 10 General device fault has occurred in the sensor
  [11, 'time-fault'], // bit 11 Time fault has occurred in the sensor and time may be inaccurate
];

const NAME = 'Glucose Measurement';

export function decodeGlucoseMeasurement(bytes: Uint8Array): GattResult<GlucoseMeasurement> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const flags = reader.uint8('Flags');
    const sequenceNumber = reader.uint16('Sequence Number');
    const baseTime = reader.dateTime('Base Time');
    const timeOffsetMinutes = isSet(flags, GLUCOSE_FLAG.timeOffset) ? reader.int16('Time Offset', 'Flags bit 0') : null;
    let concentration: GlucoseConcentration | null = null;
    if (isSet(flags, GLUCOSE_FLAG.concentration)) {
      const value = reader.sfloat('Glucose Concentration', 'Flags bit 1');
      const typeAndLocation = reader.uint8('Type-Sample Location', 'Flags bit 1');
      concentration = {
        value,
        unit: isSet(flags, GLUCOSE_FLAG.unitsMolPerLitre) ? 'mol/L' : 'kg/L',
        type: GLUCOSE_SAMPLE_TYPES[bitsAt(typeAndLocation, 0, 4) - 1] ?? 'reserved',
        sampleLocation: GLUCOSE_SAMPLE_LOCATIONS.get(bitsAt(typeAndLocation, 4, 4)) ?? 'reserved',
      };
    }
    const sensorStatus = isSet(flags, GLUCOSE_FLAG.sensorStatus)
      ? readBits(reader.uint16('Sensor Status Annunciation', 'Flags bit 3'), GLUCOSE_SENSOR_STATUS_BITS)
      : null;
    reader.end();
    return {
      sequenceNumber,
      baseTime,
      timeOffsetMinutes,
      concentration,
      sensorStatus,
      contextInformationFollows: isSet(flags, GLUCOSE_FLAG.contextFollows),
    };
  });
}

/** Sensor statuses that mean the meter produced no valid result. */
const INVALIDATING: readonly GlucoseSensorStatusFlag[] = [
  'sensor-malfunction',
  'sample-size-insufficient',
  'strip-insertion-error',
  'strip-type-incorrect',
  'temperature-too-high',
  'temperature-too-low',
  'read-interrupted',
  'general-device-fault',
];

/** The time the record names: Base Time plus Time Offset (GSS Glucose Measurement, Time Offset). */
export function glucoseMeasurementTime(measurement: GlucoseMeasurement): Date | null {
  return dateTimeToDate(measurement.baseTime, measurement.timeOffsetMinutes ?? 0);
}

/**
 * Blood glucose in mmol/L. kg/L is converted through mg/dL (×10^5, exact on the decimal digits);
 * mol/L through mmol/L (×10^3). Control solution is a meter check, not the patient; interstitial
 * fluid is not the capillary blood glucose Homeward records. A result beyond what the meter can
 * process ("HI"/"LO") is kept, flagged questionable: the meter's limit is a bound, not a value,
 * but dropping it would hide the most dangerous readings.
 */
export function glucoseMeasurementReadings(measurement: GlucoseMeasurement): ReadingSet {
  const collector = new ReadingCollector();
  const concentration = measurement.concentration;
  if (concentration === null) return collector.result();
  const status = measurement.sensorStatus ?? [];
  if (concentration.type === 'control-solution' || concentration.sampleLocation === 'control-solution') {
    collector.absent('blood_glucose', 'not-applicable', 'The record is a control-solution test of the meter, not a patient sample.');
    return collector.result();
  }
  if (concentration.type === 'interstitial-fluid') {
    collector.absent('blood_glucose', 'unsupported', 'The record is interstitial-fluid glucose, not capillary blood glucose.');
    return collector.result();
  }
  const invalid = status.filter((s) => INVALIDATING.includes(s));
  if (invalid.length > 0) {
    collector.absent('blood_glucose', 'error', `The meter reported no valid result: ${invalid.join(', ')}.`);
    return collector.result();
  }
  const flags: ReadingStatusFlag[] = status.includes('result-too-high') || status.includes('result-too-low') ? ['questionable'] : [];
  const value = concentration.value;
  const time = glucoseMeasurementTime(measurement);
  if (typeof value !== 'number') {
    collector.add('blood_glucose', value, 'mmol/L', time, flags);
  } else if (concentration.unit === 'kg/L') {
    collector.add('blood_glucose', shiftDecimal(value, 5), 'mg/dL', time, flags);
  } else {
    collector.add('blood_glucose', shiftDecimal(value, 3), 'mmol/L', time, flags);
  }
  return collector.result();
}
