import { flag, writeBits } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import { PLX_DEVICE_AND_SENSOR_STATUS_BITS, PLX_MEASUREMENT_STATUS_BITS } from './plx-status';
import { PLX_CONTINUOUS_FLAG, type PlxContinuousMeasurement } from './plx-continuous-measurement.decoder';

/** Encodes a PLX Continuous Measurement (0x2A5F); optional fields are sent when not null. */
export function encodePlxContinuousMeasurement(measurement: PlxContinuousMeasurement): Uint8Array {
  const flags =
    flag(measurement.fast !== null, PLX_CONTINUOUS_FLAG.fast) +
    flag(measurement.slow !== null, PLX_CONTINUOUS_FLAG.slow) +
    flag(measurement.measurementStatus !== null, PLX_CONTINUOUS_FLAG.measurementStatus) +
    flag(measurement.deviceAndSensorStatus !== null, PLX_CONTINUOUS_FLAG.deviceAndSensorStatus) +
    flag(measurement.pulseAmplitudeIndex !== null, PLX_CONTINUOUS_FLAG.pulseAmplitudeIndex);
  const writer = new ByteWriter().uint8(flags, 'Flags');
  writer.sfloat(measurement.normal.spo2, 'SpO2PR-Normal - SpO2').sfloat(measurement.normal.pulseRate, 'SpO2PR-Normal - PR');
  if (measurement.fast !== null) writer.sfloat(measurement.fast.spo2, 'SpO2PR-Fast - SpO2').sfloat(measurement.fast.pulseRate, 'SpO2PR-Fast - PR');
  if (measurement.slow !== null) writer.sfloat(measurement.slow.spo2, 'SpO2PR-Slow - SpO2').sfloat(measurement.slow.pulseRate, 'SpO2PR-Slow - PR');
  if (measurement.measurementStatus !== null) writer.uint16(writeBits(measurement.measurementStatus, PLX_MEASUREMENT_STATUS_BITS), 'Measurement Status');
  if (measurement.deviceAndSensorStatus !== null) {
    writer.uint24(writeBits(measurement.deviceAndSensorStatus, PLX_DEVICE_AND_SENSOR_STATUS_BITS), 'Device and Sensor Status');
  }
  if (measurement.pulseAmplitudeIndex !== null) writer.sfloat(measurement.pulseAmplitudeIndex, 'Pulse Amplitude Index');
  return writer.toBytes();
}
