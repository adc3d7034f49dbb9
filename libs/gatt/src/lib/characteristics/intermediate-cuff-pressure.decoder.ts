import { ByteReader } from '../byte-reader';
import type { DateTime } from '../date-time';
import { guardDecode, type GattResult } from '../errors';
import type { MderFloat } from '../ieee-11073-float';
import type { ReadingSet } from '../readings';
import { readBloodPressureFrame, type BloodPressureMeasurementStatus, type PressureUnit } from './blood-pressure-measurement.decoder';

/**
 * Intermediate Cuff Pressure, 0x2A36 (notified by the Blood Pressure Service while the cuff
 * inflates). GSS "Intermediate Cuff Pressure": the same layout and Flags as Blood Pressure
 * Measurement, but the first medfloat16 is the current cuff pressure and the other two are unused
 * (sent as NaN). It is progress, not a result: it never becomes a reading.
 */
export interface IntermediateCuffPressure {
  readonly unit: PressureUnit;
  readonly cuffPressure: MderFloat;
  readonly timestamp: DateTime | null;
  readonly pulseRate: MderFloat | null;
  readonly userId: number | null;
  readonly status: BloodPressureMeasurementStatus | null;
}

const NAME = 'Intermediate Cuff Pressure';

/** Field names for the three medfloat16 fields; the last two are read (they must be present) and dropped. */
export const ICP_COMPOUND_FIELDS = ['Current Cuff Pressure', 'Unused (Diastolic)', 'Unused (Mean Arterial Pressure)'] as const;

export function decodeIntermediateCuffPressure(bytes: Uint8Array): GattResult<IntermediateCuffPressure> {
  return guardDecode(NAME, () => {
    const frame = readBloodPressureFrame(new ByteReader(bytes, NAME), ICP_COMPOUND_FIELDS);
    return {
      unit: frame.unit,
      cuffPressure: frame.compound[0],
      timestamp: frame.timestamp,
      pulseRate: frame.pulseRate,
      userId: frame.userId,
      status: frame.status,
    };
  });
}

export function intermediateCuffPressureReadings(): ReadingSet {
  return { readings: [], absent: [] };
}
