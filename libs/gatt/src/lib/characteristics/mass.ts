import type { ByteReader } from '../byte-reader';
import type { ByteWriter } from '../byte-writer';

/**
 * Mass, length and percentage fields of the Weight Scale and Body Composition services. Their raw
 * resolution is fixed by the spec whatever the Weight Scale Feature advertises (the feature only
 * says how finely the scale actually measures): GSS "Weight Measurement" and "Body Composition
 * Measurement", Weight field: "kilograms with a resolution of 0.005 if the Measurement Units bit
 * is 0, pounds with a resolution of 0.01 if it is 1". Dividing by the divisor (×200, ×100) rather
 * than multiplying by 0.005 keeps decimals exact: 14470 / 200 = 72.35, 14470 × 0.005 is not.
 */
export type UnitSystem = 'SI' | 'imperial';

/** The raw value of a Weight field that means "Measurement Unsuccessful". */
export const MEASUREMENT_UNSUCCESSFUL = 0xffff;

export const MASS_DIVISOR: Readonly<Record<UnitSystem, number>> = { SI: 200, imperial: 100 }; // 0.005 kg, 0.01 lb
export const HEIGHT_DIVISOR: Readonly<Record<UnitSystem, number>> = { SI: 1000, imperial: 10 }; // 0.001 m, 0.1 in

/** The UCUM code of mass in a unit system, as @homeward/domain accepts it. */
export function massUnit(system: UnitSystem): 'kg' | '[lb_av]' {
  return system === 'SI' ? 'kg' : '[lb_av]';
}

export function readMass(reader: ByteReader, field: string, system: UnitSystem, promisedBy?: string): number {
  return reader.uint16(field, promisedBy) / MASS_DIVISOR[system];
}

/** A Weight field, where 0xFFFF means the measurement was unsuccessful. */
export function readWeight(reader: ByteReader, field: string, system: UnitSystem, promisedBy?: string): number | 'unsuccessful' {
  const raw = reader.uint16(field, promisedBy);
  return raw === MEASUREMENT_UNSUCCESSFUL ? 'unsuccessful' : raw / MASS_DIVISOR[system];
}

export function readScaled(reader: ByteReader, field: string, divisor: number, promisedBy?: string): number {
  return reader.uint16(field, promisedBy) / divisor;
}

export function writeScaled(writer: ByteWriter, value: number, divisor: number, field: string): void {
  writer.uint16(Math.round(value * divisor), field);
}

export function writeWeight(writer: ByteWriter, value: number | 'unsuccessful', system: UnitSystem, field: string): void {
  if (value === 'unsuccessful') {
    writer.uint16(MEASUREMENT_UNSUCCESSFUL, field);
    return;
  }
  const raw = Math.round(value * MASS_DIVISOR[system]);
  if (raw === MEASUREMENT_UNSUCCESSFUL) throw new RangeError(`${field}: ${value} would encode as 0xFFFF, which means "Measurement Unsuccessful".`);
  writer.uint16(raw, field);
}
