import { isSet } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { dateTimeToDate, type DateTime } from '../date-time';
import { guardDecode, type GattResult } from '../errors';
import type { MderFloat } from '../ieee-11073-float';
import { ReadingCollector, type ReadingSet } from '../readings';

/**
 * Temperature Measurement, 0x2A1C (indicated by the Health Thermometer Service, 0x1809).
 * GSS "Temperature Measurement":
 *
 *   Flags                          uint8      mandatory
 *   Temperature Measurement Value  medfloat32 mandatory: °C (Flags bit 0 = 0) or °F (= 1)
 *   Time Stamp                     Date Time  if Flags bit 1
 *   Temperature Type               uint8      if Flags bit 2
 *
 * Flags bits 3–7 are reserved for future use. (A thermometer with a fixed site may instead expose
 * the site in the Temperature Type characteristic, 0x2A1D.)
 */
export type TemperatureUnit = 'celsius' | 'fahrenheit';

export type TemperatureType = 'armpit' | 'body' | 'ear' | 'finger' | 'gastrointestinal-tract' | 'mouth' | 'rectum' | 'toe' | 'tympanum' | 'reserved';

export interface TemperatureMeasurement {
  readonly unit: TemperatureUnit;
  readonly value: MderFloat;
  readonly timestamp: DateTime | null;
  readonly temperatureType: TemperatureType | null;
}

export const TEMPERATURE_FLAG = {
  /** Bit 0, Temperature Units: 0 = Celsius, 1 = Fahrenheit. */
  fahrenheit: 0,
  /** Bit 1, Time Stamp present. */
  timeStamp: 1,
  /** Bit 2, Temperature Type present. */
  temperatureType: 2,
} as const;

/** GSS "Temperature Type" values 1–9 (0 and 10–255 are reserved for future use). */
export const TEMPERATURE_TYPES: readonly TemperatureType[] = [
  'armpit', // 1 Armpit
  'body', // 2 Body (general)
  'ear', // 3 Ear (usually earlobe)
  'finger', // 4 Finger
  'gastrointestinal-tract', // 5 Gastro-intestinal Tract
  'mouth', // 6 Mouth
  'rectum', // 7 Rectum
  'toe', // 8 Toe
  'tympanum', // 9 Tympanum (ear drum)
];

const NAME = 'Temperature Measurement';

export function decodeTemperatureMeasurement(bytes: Uint8Array): GattResult<TemperatureMeasurement> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const flags = reader.uint8('Flags');
    const value = reader.float('Temperature Measurement Value');
    const timestamp = isSet(flags, TEMPERATURE_FLAG.timeStamp) ? reader.dateTime('Time Stamp', 'Flags bit 1') : null;
    const temperatureType = isSet(flags, TEMPERATURE_FLAG.temperatureType)
      ? (TEMPERATURE_TYPES[reader.uint8('Temperature Type', 'Flags bit 2') - 1] ?? 'reserved')
      : null;
    reader.end();
    return { unit: isSet(flags, TEMPERATURE_FLAG.fahrenheit) ? 'fahrenheit' : 'celsius', value, timestamp, temperatureType };
  });
}

/** Body temperature in Cel. The measurement site stays in the measurement. */
export function temperatureMeasurementReadings(measurement: TemperatureMeasurement): ReadingSet {
  const collector = new ReadingCollector();
  const time = measurement.timestamp === null ? null : dateTimeToDate(measurement.timestamp);
  collector.add('body_temperature', measurement.value, measurement.unit === 'celsius' ? 'Cel' : '[degF]', time);
  return collector.result();
}
