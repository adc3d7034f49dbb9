import { writeBloodPressureFrame } from './blood-pressure-measurement.encoder';
import { ICP_COMPOUND_FIELDS, type IntermediateCuffPressure } from './intermediate-cuff-pressure.decoder';

/** Encodes an Intermediate Cuff Pressure (0x2A36); the unused diastolic and MAP fields are NaN. */
export function encodeIntermediateCuffPressure(measurement: IntermediateCuffPressure): Uint8Array {
  return writeBloodPressureFrame({
    unit: measurement.unit,
    compound: [measurement.cuffPressure, { special: 'NaN' }, { special: 'NaN' }],
    compoundFields: ICP_COMPOUND_FIELDS,
    timestamp: measurement.timestamp,
    pulseRate: measurement.pulseRate,
    userId: measurement.userId,
    status: measurement.status,
  });
}
