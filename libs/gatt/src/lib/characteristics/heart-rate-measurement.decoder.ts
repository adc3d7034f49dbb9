import type { ReadingStatusFlag } from '@homeward/domain';
import { bitsAt, isSet } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { guardDecode, type GattResult } from '../errors';
import { ReadingCollector, type ReadingSet } from '../readings';

/**
 * Heart Rate Measurement, 0x2A37 (notified by the Heart Rate Service, 0x180D).
 * GSS "Heart Rate Measurement":
 *
 *   Flags                 uint8             mandatory
 *   Heart Rate Value      uint8 or uint16   mandatory: beats per minute; width by Flags bit 0
 *   Energy Expended       uint16            if Flags bit 3: kJ (0xFFFF once it saturates)
 *   RR-Interval           uint16 × n        if Flags bit 4: 1/1024 s each, to the end of the frame
 *
 * Flags bits 1–2, Sensor Contact Status: 0 or 1 = not supported, 2 = supported but contact not
 * detected, 3 = supported and contact detected. Bits 5–7 are reserved for future use.
 * No timestamp: the time is the receipt time.
 */
export type SensorContact = 'not-supported' | 'not-detected' | 'detected';

export interface HeartRateMeasurement {
  /** Beats per minute. */
  readonly heartRate: number;
  /** The width the value was sent in (Flags bit 0). */
  readonly valueFormat: 'uint8' | 'uint16';
  readonly sensorContact: SensorContact;
  /** Cumulative kJ since the last reset. */
  readonly energyExpended: number | null;
  /** Seconds, oldest first (raw 1/1024 s, so exact in binary). */
  readonly rrIntervals: readonly number[] | null;
}

export const HEART_RATE_FLAG = {
  /** Bit 0, Heart Rate Value Format: 0 = uint8, 1 = uint16. */
  uint16: 0,
  /** Bits 1–2, Sensor Contact Status. */
  sensorContact: 1,
  /** Bit 3, Energy Expended Status: present. */
  energyExpended: 3,
  /** Bit 4, RR-Interval present. */
  rrInterval: 4,
} as const;

export const RR_INTERVAL_DIVISOR = 1024;

const NAME = 'Heart Rate Measurement';

export function decodeHeartRateMeasurement(bytes: Uint8Array): GattResult<HeartRateMeasurement> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const flags = reader.uint8('Flags');
    const valueFormat = isSet(flags, HEART_RATE_FLAG.uint16) ? 'uint16' : 'uint8';
    const heartRate = valueFormat === 'uint16' ? reader.uint16('Heart Rate Value') : reader.uint8('Heart Rate Value');
    const contact = bitsAt(flags, HEART_RATE_FLAG.sensorContact, 2);
    const energyExpended = isSet(flags, HEART_RATE_FLAG.energyExpended) ? reader.uint16('Energy Expended', 'Flags bit 3') : null;
    let rrIntervals: number[] | null = null;
    if (isSet(flags, HEART_RATE_FLAG.rrInterval)) {
      // The RR-Interval field fills the rest of the frame: at least one, and whole uint16s only.
      rrIntervals = [reader.uint16('RR-Interval', 'Flags bit 4') / RR_INTERVAL_DIVISOR];
      while (reader.remaining > 0) rrIntervals.push(reader.uint16('RR-Interval') / RR_INTERVAL_DIVISOR);
    }
    reader.end();
    return {
      heartRate,
      valueFormat,
      sensorContact: contact === 3 ? 'detected' : contact === 2 ? 'not-detected' : 'not-supported',
      energyExpended,
      rrIntervals,
    };
  });
}

/** Heart rate; a value from a sensor that reports no skin contact is questionable. */
export function heartRateMeasurementReadings(measurement: HeartRateMeasurement): ReadingSet {
  const collector = new ReadingCollector();
  const flags: ReadingStatusFlag[] = measurement.sensorContact === 'not-detected' ? ['questionable'] : [];
  collector.add('heart_rate', measurement.heartRate, '/min', null, flags);
  return collector.result();
}
