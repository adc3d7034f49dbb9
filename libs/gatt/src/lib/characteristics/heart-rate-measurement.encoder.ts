import { flag } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import { HEART_RATE_FLAG, RR_INTERVAL_DIVISOR, type HeartRateMeasurement } from './heart-rate-measurement.decoder';

/** Encodes a Heart Rate Measurement (0x2A37). */
export function encodeHeartRateMeasurement(measurement: HeartRateMeasurement): Uint8Array {
  if (measurement.rrIntervals !== null && measurement.rrIntervals.length === 0) {
    throw new RangeError('RR-Interval: send null rather than an empty list (the flag promises at least one).');
  }
  const contact = { 'not-supported': 0, 'not-detected': 2, detected: 3 }[measurement.sensorContact];
  const flags =
    flag(measurement.valueFormat === 'uint16', HEART_RATE_FLAG.uint16) +
    contact * 2 ** HEART_RATE_FLAG.sensorContact +
    flag(measurement.energyExpended !== null, HEART_RATE_FLAG.energyExpended) +
    flag(measurement.rrIntervals !== null, HEART_RATE_FLAG.rrInterval);
  const writer = new ByteWriter().uint8(flags, 'Flags');
  if (measurement.valueFormat === 'uint16') writer.uint16(measurement.heartRate, 'Heart Rate Value');
  else writer.uint8(measurement.heartRate, 'Heart Rate Value');
  if (measurement.energyExpended !== null) writer.uint16(measurement.energyExpended, 'Energy Expended');
  for (const interval of measurement.rrIntervals ?? []) writer.uint16(Math.round(interval * RR_INTERVAL_DIVISOR), 'RR-Interval');
  return writer.toBytes();
}
