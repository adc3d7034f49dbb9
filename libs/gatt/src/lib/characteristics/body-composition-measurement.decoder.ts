import { isSet } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { dateTimeToDate, type DateTime } from '../date-time';
import { guardDecode, type GattResult } from '../errors';
import { ReadingCollector, type ReadingSet } from '../readings';
import { HEIGHT_DIVISOR, MEASUREMENT_UNSUCCESSFUL, massUnit, readMass, readScaled, readWeight, type UnitSystem } from './mass';

/**
 * Body Composition Measurement, 0x2A9C (indicated by the Body Composition Service, 0x181B).
 * GSS "Body Composition Measurement":
 *
 *   Flags                 uint16    mandatory
 *   Body Fat Percentage   uint16    mandatory: 0.1 %; 0xFFFF = Measurement Unsuccessful
 *   Time Stamp            Date Time if Flags bit 1
 *   User ID               uint8     if Flags bit 2 (0xFF = unknown user)
 *   Basal Metabolism      uint16    if Flags bit 3: kJ, resolution 1
 *   Muscle Percentage     uint16    if Flags bit 4: 0.1 %
 *   Muscle Mass           uint16    if Flags bit 5: mass
 *   Fat Free Mass         uint16    if Flags bit 6: mass
 *   Soft Lean Mass        uint16    if Flags bit 7: mass
 *   Body Water Mass       uint16    if Flags bit 8: mass
 *   Impedance             uint16    if Flags bit 9: 0.1 Ω
 *   Weight                uint16    if Flags bit 10: mass
 *   Height                uint16    if Flags bit 11: 0.001 m (SI) or 0.1 in (imperial)
 *
 * Mass is 0.005 kg (SI) or 0.01 lb (imperial) by Flags bit 0, Measurement Units. Flags bit 12,
 * Multiple Packet Measurement: the measurement is split over several frames (an ATT MTU of 23
 * cannot carry every field); each frame is decoded on its own and says so. Bits 13–15 are reserved.
 */
export interface BodyCompositionMeasurement {
  readonly unitSystem: UnitSystem;
  /** Percent, or 'unsuccessful' for the raw value 0xFFFF. */
  readonly bodyFatPercentage: number | 'unsuccessful';
  readonly timestamp: DateTime | null;
  /** 0xFF (255) means "unknown user". */
  readonly userId: number | null;
  /** kJ. */
  readonly basalMetabolism: number | null;
  /** Percent. */
  readonly musclePercentage: number | null;
  /** kg (SI) or lb (imperial), like every mass below. */
  readonly muscleMass: number | null;
  readonly fatFreeMass: number | null;
  readonly softLeanMass: number | null;
  readonly bodyWaterMass: number | null;
  /** Ω. */
  readonly impedance: number | null;
  /** 'unsuccessful' for 0xFFFF, as in Weight Measurement. */
  readonly weight: number | 'unsuccessful' | null;
  /** m (SI) or in (imperial). */
  readonly height: number | null;
  readonly multiplePacketMeasurement: boolean;
}

export const BODY_COMPOSITION_FLAG = {
  /** Bit 0, Measurement Units: 0 = SI, 1 = imperial. */
  imperial: 0,
  /** Bit 1, Time Stamp present. */
  timeStamp: 1,
  /** Bit 2, User ID present. */
  userId: 2,
  /** Bit 3, Basal Metabolism present. */
  basalMetabolism: 3,
  /** Bit 4, Muscle Percentage present. */
  musclePercentage: 4,
  /** Bit 5, Muscle Mass present. */
  muscleMass: 5,
  /** Bit 6, Fat Free Mass present. */
  fatFreeMass: 6,
  /** Bit 7, Soft Lean Mass present. */
  softLeanMass: 7,
  /** Bit 8, Body Water Mass present. */
  bodyWaterMass: 8,
  /** Bit 9, Impedance present. */
  impedance: 9,
  /** Bit 10, Weight present. */
  weight: 10,
  /** Bit 11, Height present. */
  height: 11,
  /** Bit 12, Multiple Packet Measurement. */
  multiplePacket: 12,
} as const;

/** 0.1 % and 0.1 Ω. */
export const TENTHS = 10;

const NAME = 'Body Composition Measurement';

export function decodeBodyCompositionMeasurement(bytes: Uint8Array): GattResult<BodyCompositionMeasurement> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const flags = reader.uint16('Flags');
    const has = (bit: number): boolean => isSet(flags, bit);
    const by = (bit: number): string => `Flags bit ${bit}`;
    const F = BODY_COMPOSITION_FLAG;
    const unitSystem: UnitSystem = has(F.imperial) ? 'imperial' : 'SI';
    const fatRaw = reader.uint16('Body Fat Percentage');
    const mass = (bit: number, field: string): number | null => (has(bit) ? readMass(reader, field, unitSystem, by(bit)) : null);
    const measurement: BodyCompositionMeasurement = {
      unitSystem,
      bodyFatPercentage: fatRaw === MEASUREMENT_UNSUCCESSFUL ? 'unsuccessful' : fatRaw / TENTHS,
      timestamp: has(F.timeStamp) ? reader.dateTime('Time Stamp', by(F.timeStamp)) : null,
      userId: has(F.userId) ? reader.uint8('User ID', by(F.userId)) : null,
      basalMetabolism: has(F.basalMetabolism) ? reader.uint16('Basal Metabolism', by(F.basalMetabolism)) : null,
      musclePercentage: has(F.musclePercentage) ? readScaled(reader, 'Muscle Percentage', TENTHS, by(F.musclePercentage)) : null,
      muscleMass: mass(F.muscleMass, 'Muscle Mass'),
      fatFreeMass: mass(F.fatFreeMass, 'Fat Free Mass'),
      softLeanMass: mass(F.softLeanMass, 'Soft Lean Mass'),
      bodyWaterMass: mass(F.bodyWaterMass, 'Body Water Mass'),
      impedance: has(F.impedance) ? readScaled(reader, 'Impedance', TENTHS, by(F.impedance)) : null,
      weight: has(F.weight) ? readWeight(reader, 'Weight', unitSystem, by(F.weight)) : null,
      height: has(F.height) ? readScaled(reader, 'Height', HEIGHT_DIVISOR[unitSystem], by(F.height)) : null,
      multiplePacketMeasurement: has(F.multiplePacket),
    };
    reader.end();
    return measurement;
  });
}

/**
 * Body weight when the frame carries it. Body fat and the other composition values are not vital
 * signs Homeward records; they stay in the measurement. An unsuccessful body-fat analysis (bare
 * feet not on the electrodes, say) does not spoil the weight, which the load cell measured alone.
 */
export function bodyCompositionMeasurementReadings(measurement: BodyCompositionMeasurement): ReadingSet {
  const collector = new ReadingCollector();
  if (measurement.weight === 'unsuccessful') {
    collector.absent('body_weight', 'error', 'The scale reported Measurement Unsuccessful (Weight 0xFFFF).');
  } else if (measurement.weight !== null) {
    const time = measurement.timestamp === null ? null : dateTimeToDate(measurement.timestamp);
    collector.add('body_weight', measurement.weight, massUnit(measurement.unitSystem), time);
  }
  return collector.result();
}
