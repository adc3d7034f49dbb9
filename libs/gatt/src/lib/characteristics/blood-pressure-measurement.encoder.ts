import { flag } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import type { DateTime } from '../date-time';
import type { MderFloat } from '../ieee-11073-float';
import { BPM_FLAG, type BloodPressureMeasurement, type BloodPressureMeasurementStatus, type PressureUnit } from './blood-pressure-measurement.decoder';

/** Encodes a Blood Pressure Measurement (0x2A35); optional fields are sent when not null. */
export function encodeBloodPressureMeasurement(measurement: BloodPressureMeasurement): Uint8Array {
  return writeBloodPressureFrame({
    unit: measurement.unit,
    compound: [measurement.systolic, measurement.diastolic, measurement.meanArterialPressure],
    compoundFields: ['Systolic', 'Diastolic', 'Mean Arterial Pressure'],
    timestamp: measurement.timestamp,
    pulseRate: measurement.pulseRate,
    userId: measurement.userId,
    status: measurement.status,
  });
}

export function writeBloodPressureFrame(frame: {
  readonly unit: PressureUnit;
  readonly compound: readonly [MderFloat, MderFloat, MderFloat];
  readonly compoundFields: readonly [string, string, string];
  readonly timestamp: DateTime | null;
  readonly pulseRate: MderFloat | null;
  readonly userId: number | null;
  readonly status: BloodPressureMeasurementStatus | null;
}): Uint8Array {
  const flags =
    flag(frame.unit === 'kPa', BPM_FLAG.unitsKpa) +
    flag(frame.timestamp !== null, BPM_FLAG.timeStamp) +
    flag(frame.pulseRate !== null, BPM_FLAG.pulseRate) +
    flag(frame.userId !== null, BPM_FLAG.userId) +
    flag(frame.status !== null, BPM_FLAG.measurementStatus);
  const writer = new ByteWriter().uint8(flags, 'Flags');
  frame.compound.forEach((value, i) => writer.sfloat(value, frame.compoundFields[i] ?? 'compound'));
  if (frame.timestamp !== null) writer.dateTime(frame.timestamp, 'Time Stamp');
  if (frame.pulseRate !== null) writer.sfloat(frame.pulseRate, 'Pulse Rate');
  if (frame.userId !== null) writer.uint8(frame.userId, 'User ID');
  if (frame.status !== null) writer.uint16(encodeBloodPressureStatus(frame.status), 'Measurement Status');
  return writer.toBytes();
}

export function encodeBloodPressureStatus(status: BloodPressureMeasurementStatus): number {
  const range = { 'within-range': 0, 'exceeds-upper-limit': 1, 'below-lower-limit': 2, reserved: 3 }[status.pulseRateRange];
  return flag(status.bodyMovement, 0) + flag(status.cuffTooLoose, 1) + flag(status.irregularPulse, 2) + range * 2 ** 3 + flag(status.improperPosition, 5);
}
