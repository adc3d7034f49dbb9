import type { ReadingStatusFlag } from '@homeward/domain';
import type { BitTable } from '../bit-table';
import type { MderFloat } from '../ieee-11073-float';
import { ReadingCollector, type DataAbsentReason, type ReadingSet } from '../readings';

/**
 * The status fields the Pulse Oximeter Service's two measurement characteristics share
 * (GSS "PLX Spot-Check Measurement" and "PLX Continuous Measurement"). Which bits a sensor actually
 * supports is in PLX Features (0x2A60); a bit it does not support is sent as 0, so reading the
 * fields without the features is safe.
 */

export type PlxMeasurementStatusFlag =
  | 'measurement-ongoing'
  | 'early-estimated-data'
  | 'validated-data'
  | 'fully-qualified-data'
  | 'data-from-measurement-storage'
  | 'data-for-demonstration'
  | 'data-for-testing'
  | 'calibration-ongoing'
  | 'measurement-unavailable'
  | 'questionable-measurement-detected'
  | 'invalid-measurement-detected';

/** GSS, PLX Measurement Status field (uint16). Bits 0–4 are reserved for future use. */
export const PLX_MEASUREMENT_STATUS_BITS: BitTable<PlxMeasurementStatusFlag> = [
  [5, 'measurement-ongoing'], // bit 5 Measurement Ongoing
  [6, 'early-estimated-data'], // bit 6 Early Estimated Data
  [7, 'validated-data'], // bit 7 Validated Data
  [8, 'fully-qualified-data'], // bit 8 Fully Qualified Data
  [9, 'data-from-measurement-storage'], // bit 9 Data from Measurement Storage
  [10, 'data-for-demonstration'], // bit 10 Data for Demonstration
  [11, 'data-for-testing'], // bit 11 Data for Testing
  [12, 'calibration-ongoing'], // bit 12 Calibration Ongoing
  [13, 'measurement-unavailable'], // bit 13 Measurement Unavailable
  [14, 'questionable-measurement-detected'], // bit 14 Questionable Measurement Detected
  [15, 'invalid-measurement-detected'], // bit 15 Invalid Measurement Detected
];

export type PlxDeviceAndSensorStatusFlag =
  | 'extended-display-update-ongoing'
  | 'equipment-malfunction-detected'
  | 'signal-processing-irregularity-detected'
  | 'inadequate-signal-detected'
  | 'poor-signal-detected'
  | 'low-perfusion-detected'
  | 'erratic-signal-detected'
  | 'nonpulsatile-signal-detected'
  | 'questionable-pulse-detected'
  | 'signal-analysis-ongoing'
  | 'sensor-interference-detected'
  | 'sensor-unconnected-to-user'
  | 'unknown-sensor-connected'
  | 'sensor-displaced'
  | 'sensor-malfunctioning'
  | 'sensor-disconnected';

/** GSS, PLX Device and Sensor Status field (uint24). Bits 16–23 are reserved for future use. */
export const PLX_DEVICE_AND_SENSOR_STATUS_BITS: BitTable<PlxDeviceAndSensorStatusFlag> = [
  [0, 'extended-display-update-ongoing'], // bit 0 Extended Display Update Ongoing
  [1, 'equipment-malfunction-detected'], // bit 1 Equipment Malfunction Detected
  [2, 'signal-processing-irregularity-detected'], // bit 2 Signal Processing Irregularity Detected
  [3, 'inadequate-signal-detected'], // bit 3 Inadequate Signal Detected
  [4, 'poor-signal-detected'], // bit 4 Poor Signal Detected
  [5, 'low-perfusion-detected'], // bit 5 Low Perfusion Detected
  [6, 'erratic-signal-detected'], // bit 6 Erratic Signal Detected
  [7, 'nonpulsatile-signal-detected'], // bit 7 Nonpulsatile Signal Detected
  [8, 'questionable-pulse-detected'], // bit 8 Questionable Pulse Detected
  [9, 'signal-analysis-ongoing'], // bit 9 Signal Analysis Ongoing
  [10, 'sensor-interference-detected'], // bit 10 Sensor Interference Detected
  [11, 'sensor-unconnected-to-user'], // bit 11 Sensor Unconnected to User
  [12, 'unknown-sensor-connected'], // bit 12 Unknown Sensor Connected
  [13, 'sensor-displaced'], // bit 13 Sensor Displaced
  [14, 'sensor-malfunctioning'], // bit 14 Sensor Malfunctioning
  [15, 'sensor-disconnected'], // bit 15 Sensor Disconnected
];

/**
 * Measurement status that means there is no value to keep, most serious first (HL7 PHD IG,
 * measurement status mapping: invalid → error, not-available → not-performed, ongoing →
 * temp-unknown; test and demonstration data are not a patient's and are not uploaded).
 */
const WITHHOLDING: readonly (readonly [PlxMeasurementStatusFlag, DataAbsentReason, string])[] = [
  ['invalid-measurement-detected', 'error', 'The oximeter marked the measurement invalid.'],
  ['measurement-unavailable', 'not-performed', 'The oximeter marked the measurement unavailable.'],
  ['measurement-ongoing', 'temp-unknown', 'The oximeter is still measuring; this value is not a result.'],
  ['data-for-demonstration', 'not-applicable', 'The oximeter marked the data as for demonstration, not from a patient.'],
  ['data-for-testing', 'not-applicable', 'The oximeter marked the data as for testing, not from a patient.'],
];

/** Measurement status that qualifies a value we keep (PHD IG: interpretation). */
const MEASUREMENT_FLAGS: readonly (readonly [PlxMeasurementStatusFlag, ReadingStatusFlag])[] = [
  ['early-estimated-data', 'early-estimate'],
  ['questionable-measurement-detected', 'questionable'],
  ['calibration-ongoing', 'calibration-ongoing'],
];

/**
 * Device and sensor status that qualifies both SpO2 and pulse rate. Signal problems are artefact;
 * a displaced sensor is an improper position; faults and a sensor off the finger make the value
 * questionable. Informational bits (display update, analysis ongoing) add nothing.
 */
const SENSOR_FLAGS: readonly (readonly [PlxDeviceAndSensorStatusFlag, ReadingStatusFlag])[] = [
  ['low-perfusion-detected', 'low-perfusion'],
  ['signal-processing-irregularity-detected', 'signal-artefact'],
  ['inadequate-signal-detected', 'signal-artefact'],
  ['poor-signal-detected', 'signal-artefact'],
  ['erratic-signal-detected', 'signal-artefact'],
  ['nonpulsatile-signal-detected', 'signal-artefact'],
  ['sensor-interference-detected', 'signal-artefact'],
  ['sensor-displaced', 'improper-position'],
  ['equipment-malfunction-detected', 'questionable'],
  ['sensor-malfunctioning', 'questionable'],
  ['unknown-sensor-connected', 'questionable'],
  ['sensor-unconnected-to-user', 'questionable'],
  ['sensor-disconnected', 'questionable'],
];

/** SpO2 and pulse rate from one SpO2PR pair, qualified by the status fields. */
export function plxReadings(
  spo2: MderFloat,
  pulseRate: MderFloat,
  deviceTime: Date | null,
  measurementStatus: readonly PlxMeasurementStatusFlag[] | null,
  deviceAndSensorStatus: readonly PlxDeviceAndSensorStatusFlag[] | null,
): ReadingSet {
  const collector = new ReadingCollector();
  const measurement = measurementStatus ?? [];
  const sensor = deviceAndSensorStatus ?? [];
  const withheld = WITHHOLDING.find(([status]) => measurement.includes(status));
  if (withheld !== undefined) {
    const [, reason, detail] = withheld;
    collector.absent('spo2', reason, detail);
    collector.absent('heart_rate', reason, detail);
    return collector.result();
  }
  const flags: ReadingStatusFlag[] = [
    ...MEASUREMENT_FLAGS.filter(([status]) => measurement.includes(status)).map(([, f]) => f),
    ...SENSOR_FLAGS.filter(([status]) => sensor.includes(status)).map(([, f]) => f),
  ];
  collector.add('spo2', spo2, '%', deviceTime, flags);
  const pulseFlags: ReadingStatusFlag[] = sensor.includes('questionable-pulse-detected') ? [...flags, 'questionable'] : flags;
  collector.add('heart_rate', pulseRate, '/min', deviceTime, pulseFlags);
  return collector.result();
}
