import { flag } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import { HEIGHT_DIVISOR, writeScaled, writeWeight } from './mass';
import { BMI_DIVISOR, WEIGHT_FLAG, type WeightMeasurement } from './weight-measurement.decoder';

/** Encodes a Weight Measurement (0x2A9D) at the spec's fixed resolution. */
export function encodeWeightMeasurement(measurement: WeightMeasurement): Uint8Array {
  const flags =
    flag(measurement.unitSystem === 'imperial', WEIGHT_FLAG.imperial) +
    flag(measurement.timestamp !== null, WEIGHT_FLAG.timeStamp) +
    flag(measurement.userId !== null, WEIGHT_FLAG.userId) +
    flag(measurement.bmiAndHeight !== null, WEIGHT_FLAG.bmiAndHeight);
  const writer = new ByteWriter().uint8(flags, 'Flags');
  writeWeight(writer, measurement.weight, measurement.unitSystem, 'Weight');
  if (measurement.timestamp !== null) writer.dateTime(measurement.timestamp, 'Time Stamp');
  if (measurement.userId !== null) writer.uint8(measurement.userId, 'User ID');
  if (measurement.bmiAndHeight !== null) {
    writeScaled(writer, measurement.bmiAndHeight.bmi, BMI_DIVISOR, 'BMI');
    writeScaled(writer, measurement.bmiAndHeight.height, HEIGHT_DIVISOR[measurement.unitSystem], 'Height');
  }
  return writer.toBytes();
}
