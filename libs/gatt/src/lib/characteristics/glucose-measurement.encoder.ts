import { flag, writeBits } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import {
  GLUCOSE_FLAG,
  GLUCOSE_SAMPLE_LOCATIONS,
  GLUCOSE_SAMPLE_TYPES,
  GLUCOSE_SENSOR_STATUS_BITS,
  type GlucoseMeasurement,
} from './glucose-measurement.decoder';

/** Encodes a Glucose Measurement (0x2A18); optional fields are sent when not null. */
export function encodeGlucoseMeasurement(measurement: GlucoseMeasurement): Uint8Array {
  const concentration = measurement.concentration;
  const flags =
    flag(measurement.timeOffsetMinutes !== null, GLUCOSE_FLAG.timeOffset) +
    flag(concentration !== null, GLUCOSE_FLAG.concentration) +
    flag(concentration?.unit === 'mol/L', GLUCOSE_FLAG.unitsMolPerLitre) +
    flag(measurement.sensorStatus !== null, GLUCOSE_FLAG.sensorStatus) +
    flag(measurement.contextInformationFollows, GLUCOSE_FLAG.contextFollows);
  const writer = new ByteWriter()
    .uint8(flags, 'Flags')
    .uint16(measurement.sequenceNumber, 'Sequence Number')
    .dateTime(measurement.baseTime, 'Base Time');
  if (measurement.timeOffsetMinutes !== null) writer.int16(measurement.timeOffsetMinutes, 'Time Offset');
  if (concentration !== null) {
    // 'reserved' encodes as 0, itself a reserved value, so it decodes back to 'reserved'.
    const type = GLUCOSE_SAMPLE_TYPES.indexOf(concentration.type) + 1;
    const location = [...GLUCOSE_SAMPLE_LOCATIONS].find(([, name]) => name === concentration.sampleLocation)?.[0] ?? 0;
    writer.sfloat(concentration.value, 'Glucose Concentration').uint8(type + location * 16, 'Type-Sample Location');
  }
  if (measurement.sensorStatus !== null) writer.uint16(writeBits(measurement.sensorStatus, GLUCOSE_SENSOR_STATUS_BITS), 'Sensor Status Annunciation');
  return writer.toBytes();
}
