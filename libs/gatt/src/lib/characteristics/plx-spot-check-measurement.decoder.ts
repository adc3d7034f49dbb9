import { isSet, readBits } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { dateTimeToDate, type DateTime } from '../date-time';
import { guardDecode, type GattResult } from '../errors';
import type { MderFloat } from '../ieee-11073-float';
import type { ReadingSet } from '../readings';
import {
  PLX_DEVICE_AND_SENSOR_STATUS_BITS,
  PLX_MEASUREMENT_STATUS_BITS,
  plxReadings,
  type PlxDeviceAndSensorStatusFlag,
  type PlxMeasurementStatusFlag,
} from './plx-status';

/**
 * PLX Spot-Check Measurement, 0x2A5E (indicated by the Pulse Oximeter Service, 0x1822).
 * GSS "PLX Spot-Check Measurement":
 *
 *   Flags                       uint8      mandatory
 *   SpO2PR-Spot-Check - SpO2    medfloat16 mandatory (percent)
 *   SpO2PR-Spot-Check - PR      medfloat16 mandatory (beats per minute)
 *   Timestamp                   Date Time  if Flags bit 0
 *   Measurement Status          uint16     if Flags bit 1
 *   Device and Sensor Status    uint24     if Flags bit 2
 *   Pulse Amplitude Index       medfloat16 if Flags bit 3 (percent)
 *
 * Flags bit 4, Device Clock is Not Set: the timestamp is not a time we can use.
 * Flags bits 5–7 are reserved for future use.
 */
export interface PlxSpotCheckMeasurement {
  readonly spo2: MderFloat;
  readonly pulseRate: MderFloat;
  readonly timestamp: DateTime | null;
  readonly deviceClockNotSet: boolean;
  readonly measurementStatus: readonly PlxMeasurementStatusFlag[] | null;
  readonly deviceAndSensorStatus: readonly PlxDeviceAndSensorStatusFlag[] | null;
  readonly pulseAmplitudeIndex: MderFloat | null;
}

export const PLX_SPOT_CHECK_FLAG = {
  /** Bit 0, Timestamp field present. */
  timestamp: 0,
  /** Bit 1, Measurement Status field present. */
  measurementStatus: 1,
  /** Bit 2, Device and Sensor Status field present. */
  deviceAndSensorStatus: 2,
  /** Bit 3, Pulse Amplitude Index field present. */
  pulseAmplitudeIndex: 3,
  /** Bit 4, Device Clock is Not Set. */
  deviceClockNotSet: 4,
} as const;

const NAME = 'PLX Spot-Check Measurement';

export function decodePlxSpotCheckMeasurement(bytes: Uint8Array): GattResult<PlxSpotCheckMeasurement> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const flags = reader.uint8('Flags');
    const spo2 = reader.sfloat('SpO2PR-Spot-Check - SpO2');
    const pulseRate = reader.sfloat('SpO2PR-Spot-Check - PR');
    const timestamp = isSet(flags, PLX_SPOT_CHECK_FLAG.timestamp) ? reader.dateTime('Timestamp', 'Flags bit 0') : null;
    const measurementStatus = isSet(flags, PLX_SPOT_CHECK_FLAG.measurementStatus)
      ? readBits(reader.uint16('Measurement Status', 'Flags bit 1'), PLX_MEASUREMENT_STATUS_BITS)
      : null;
    const deviceAndSensorStatus = isSet(flags, PLX_SPOT_CHECK_FLAG.deviceAndSensorStatus)
      ? readBits(reader.uint24('Device and Sensor Status', 'Flags bit 2'), PLX_DEVICE_AND_SENSOR_STATUS_BITS)
      : null;
    const pulseAmplitudeIndex = isSet(flags, PLX_SPOT_CHECK_FLAG.pulseAmplitudeIndex) ? reader.sfloat('Pulse Amplitude Index', 'Flags bit 3') : null;
    reader.end();
    return {
      spo2,
      pulseRate,
      timestamp,
      deviceClockNotSet: isSet(flags, PLX_SPOT_CHECK_FLAG.deviceClockNotSet),
      measurementStatus,
      deviceAndSensorStatus,
      pulseAmplitudeIndex,
    };
  });
}

/**
 * SpO2 and pulse rate. A timestamp from a clock the device says is not set is kept in the
 * measurement but is no device time.
 */
export function plxSpotCheckMeasurementReadings(measurement: PlxSpotCheckMeasurement): ReadingSet {
  const time = measurement.timestamp === null || measurement.deviceClockNotSet ? null : dateTimeToDate(measurement.timestamp);
  return plxReadings(measurement.spo2, measurement.pulseRate, time, measurement.measurementStatus, measurement.deviceAndSensorStatus);
}
