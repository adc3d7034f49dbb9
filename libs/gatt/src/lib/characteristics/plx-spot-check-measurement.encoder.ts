import { flag, writeBits } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import { PLX_DEVICE_AND_SENSOR_STATUS_BITS, PLX_MEASUREMENT_STATUS_BITS } from './plx-status';
import { PLX_SPOT_CHECK_FLAG, type PlxSpotCheckMeasurement } from './plx-spot-check-measurement.decoder';

/** Encodes a PLX Spot-Check Measurement (0x2A5E); optional fields are sent when not null. */
export function encodePlxSpotCheckMeasurement(measurement: PlxSpotCheckMeasurement): Uint8Array {
  const flags =
    flag(measurement.timestamp !== null, PLX_SPOT_CHECK_FLAG.timestamp) +
    flag(measurement.measurementStatus !== null, PLX_SPOT_CHECK_FLAG.measurementStatus) +
    flag(measurement.deviceAndSensorStatus !== null, PLX_SPOT_CHECK_FLAG.deviceAndSensorStatus) +
    flag(measurement.pulseAmplitudeIndex !== null, PLX_SPOT_CHECK_FLAG.pulseAmplitudeIndex) +
    flag(measurement.deviceClockNotSet, PLX_SPOT_CHECK_FLAG.deviceClockNotSet);
  const writer = new ByteWriter()
    .uint8(flags, 'Flags')
    .sfloat(measurement.spo2, 'SpO2PR-Spot-Check - SpO2')
    .sfloat(measurement.pulseRate, 'SpO2PR-Spot-Check - PR');
  if (measurement.timestamp !== null) writer.dateTime(measurement.timestamp, 'Timestamp');
  if (measurement.measurementStatus !== null) writer.uint16(writeBits(measurement.measurementStatus, PLX_MEASUREMENT_STATUS_BITS), 'Measurement Status');
  if (measurement.deviceAndSensorStatus !== null) {
    writer.uint24(writeBits(measurement.deviceAndSensorStatus, PLX_DEVICE_AND_SENSOR_STATUS_BITS), 'Device and Sensor Status');
  }
  if (measurement.pulseAmplitudeIndex !== null) writer.sfloat(measurement.pulseAmplitudeIndex, 'Pulse Amplitude Index');
  return writer.toBytes();
}
