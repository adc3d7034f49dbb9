import { flag } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import { TEMPERATURE_FLAG, TEMPERATURE_TYPES, type TemperatureMeasurement } from './temperature-measurement.decoder';

/** Encodes a Temperature Measurement (0x2A1C); optional fields are sent when not null. */
export function encodeTemperatureMeasurement(measurement: TemperatureMeasurement): Uint8Array {
  const flags =
    flag(measurement.unit === 'fahrenheit', TEMPERATURE_FLAG.fahrenheit) +
    flag(measurement.timestamp !== null, TEMPERATURE_FLAG.timeStamp) +
    flag(measurement.temperatureType !== null, TEMPERATURE_FLAG.temperatureType);
  const writer = new ByteWriter().uint8(flags, 'Flags').float(measurement.value, 'Temperature Measurement Value');
  if (measurement.timestamp !== null) writer.dateTime(measurement.timestamp, 'Time Stamp');
  // 'reserved' encodes as 0, itself reserved, so it decodes back to 'reserved'.
  if (measurement.temperatureType !== null) writer.uint8(TEMPERATURE_TYPES.indexOf(measurement.temperatureType) + 1, 'Temperature Type');
  return writer.toBytes();
}
