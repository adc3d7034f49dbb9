import { isSet, readBits } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { guardDecode, type GattResult } from '../errors';
import type { MderFloat } from '../ieee-11073-float';
import type { ReadingSet } from '../readings';
import {
  PLX_DEVICE_AND_SENSOR_STATUS_BITS,
  PLX_MEASUREMENT_STATUS_BITS,
  plxReadings,
  type PlxDeviceAndSensorStatusFlag,
  type PlxMeasurementStatusFlag,
} from './plx-status';

/**
 * PLX Continuous Measurement, 0x2A5F (notified by the Pulse Oximeter Service, 0x1822).
 * GSS "PLX Continuous Measurement":
 *
 *   Flags                       uint8      mandatory
 *   SpO2PR-Normal - SpO2, PR    2 × medfloat16 mandatory
 *   SpO2PR-Fast   - SpO2, PR    2 × medfloat16 if Flags bit 0
 *   SpO2PR-Slow   - SpO2, PR    2 × medfloat16 if Flags bit 1
 *   Measurement Status          uint16     if Flags bit 2
 *   Device and Sensor Status    uint24     if Flags bit 3
 *   Pulse Amplitude Index       medfloat16 if Flags bit 4
 *
 * Flags bits 5–7 are reserved for future use. There is no timestamp: the time is the receipt time.
 */
export interface SpO2PulseRate {
  readonly spo2: MderFloat;
  readonly pulseRate: MderFloat;
}

export interface PlxContinuousMeasurement {
  readonly normal: SpO2PulseRate;
  readonly fast: SpO2PulseRate | null;
  readonly slow: SpO2PulseRate | null;
  readonly measurementStatus: readonly PlxMeasurementStatusFlag[] | null;
  readonly deviceAndSensorStatus: readonly PlxDeviceAndSensorStatusFlag[] | null;
  readonly pulseAmplitudeIndex: MderFloat | null;
}

export const PLX_CONTINUOUS_FLAG = {
  /** Bit 0, SpO2PR-Fast field present. */
  fast: 0,
  /** Bit 1, SpO2PR-Slow field present. */
  slow: 1,
  /** Bit 2, Measurement Status field present. */
  measurementStatus: 2,
  /** Bit 3, Device and Sensor Status field present. */
  deviceAndSensorStatus: 3,
  /** Bit 4, Pulse Amplitude Index field present. */
  pulseAmplitudeIndex: 4,
} as const;

const NAME = 'PLX Continuous Measurement';

export function decodePlxContinuousMeasurement(bytes: Uint8Array): GattResult<PlxContinuousMeasurement> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const flags = reader.uint8('Flags');
    const pair = (name: string, promisedBy?: string): SpO2PulseRate => ({
      spo2: reader.sfloat(`${name} - SpO2`, promisedBy),
      pulseRate: reader.sfloat(`${name} - PR`, promisedBy),
    });
    const normal = pair('SpO2PR-Normal');
    const fast = isSet(flags, PLX_CONTINUOUS_FLAG.fast) ? pair('SpO2PR-Fast', 'Flags bit 0') : null;
    const slow = isSet(flags, PLX_CONTINUOUS_FLAG.slow) ? pair('SpO2PR-Slow', 'Flags bit 1') : null;
    const measurementStatus = isSet(flags, PLX_CONTINUOUS_FLAG.measurementStatus)
      ? readBits(reader.uint16('Measurement Status', 'Flags bit 2'), PLX_MEASUREMENT_STATUS_BITS)
      : null;
    const deviceAndSensorStatus = isSet(flags, PLX_CONTINUOUS_FLAG.deviceAndSensorStatus)
      ? readBits(reader.uint24('Device and Sensor Status', 'Flags bit 3'), PLX_DEVICE_AND_SENSOR_STATUS_BITS)
      : null;
    const pulseAmplitudeIndex = isSet(flags, PLX_CONTINUOUS_FLAG.pulseAmplitudeIndex) ? reader.sfloat('Pulse Amplitude Index', 'Flags bit 4') : null;
    reader.end();
    return { normal, fast, slow, measurementStatus, deviceAndSensorStatus, pulseAmplitudeIndex };
  });
}

/**
 * SpO2 and pulse rate from SpO2PR-Normal, the sensor's standard averaging (PLXS). Fast and Slow are
 * alternative averagings of the same signal, kept in the measurement but not stored twice.
 * Continuous frames arrive about once a second: thinning them is the source's job, not the decoder's.
 */
export function plxContinuousMeasurementReadings(measurement: PlxContinuousMeasurement): ReadingSet {
  return plxReadings(measurement.normal.spo2, measurement.normal.pulseRate, null, measurement.measurementStatus, measurement.deviceAndSensorStatus);
}
