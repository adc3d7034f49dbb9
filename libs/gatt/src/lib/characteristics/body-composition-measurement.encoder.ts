import { flag } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import { HEIGHT_DIVISOR, MASS_DIVISOR, MEASUREMENT_UNSUCCESSFUL, writeScaled, writeWeight } from './mass';
import { BODY_COMPOSITION_FLAG as F, TENTHS, type BodyCompositionMeasurement } from './body-composition-measurement.decoder';

/** Encodes a Body Composition Measurement (0x2A9C); optional fields are sent when not null. */
export function encodeBodyCompositionMeasurement(m: BodyCompositionMeasurement): Uint8Array {
  const flags =
    flag(m.unitSystem === 'imperial', F.imperial) +
    flag(m.timestamp !== null, F.timeStamp) +
    flag(m.userId !== null, F.userId) +
    flag(m.basalMetabolism !== null, F.basalMetabolism) +
    flag(m.musclePercentage !== null, F.musclePercentage) +
    flag(m.muscleMass !== null, F.muscleMass) +
    flag(m.fatFreeMass !== null, F.fatFreeMass) +
    flag(m.softLeanMass !== null, F.softLeanMass) +
    flag(m.bodyWaterMass !== null, F.bodyWaterMass) +
    flag(m.impedance !== null, F.impedance) +
    flag(m.weight !== null, F.weight) +
    flag(m.height !== null, F.height) +
    flag(m.multiplePacketMeasurement, F.multiplePacket);
  const writer = new ByteWriter().uint16(flags, 'Flags');
  if (m.bodyFatPercentage === 'unsuccessful') writer.uint16(MEASUREMENT_UNSUCCESSFUL, 'Body Fat Percentage');
  else writeScaled(writer, m.bodyFatPercentage, TENTHS, 'Body Fat Percentage');
  if (m.timestamp !== null) writer.dateTime(m.timestamp, 'Time Stamp');
  if (m.userId !== null) writer.uint8(m.userId, 'User ID');
  if (m.basalMetabolism !== null) writer.uint16(m.basalMetabolism, 'Basal Metabolism');
  if (m.musclePercentage !== null) writeScaled(writer, m.musclePercentage, TENTHS, 'Muscle Percentage');
  const massDivisor = MASS_DIVISOR[m.unitSystem];
  if (m.muscleMass !== null) writeScaled(writer, m.muscleMass, massDivisor, 'Muscle Mass');
  if (m.fatFreeMass !== null) writeScaled(writer, m.fatFreeMass, massDivisor, 'Fat Free Mass');
  if (m.softLeanMass !== null) writeScaled(writer, m.softLeanMass, massDivisor, 'Soft Lean Mass');
  if (m.bodyWaterMass !== null) writeScaled(writer, m.bodyWaterMass, massDivisor, 'Body Water Mass');
  if (m.impedance !== null) writeScaled(writer, m.impedance, TENTHS, 'Impedance');
  if (m.weight !== null) writeWeight(writer, m.weight, m.unitSystem, 'Weight');
  if (m.height !== null) writeScaled(writer, m.height, HEIGHT_DIVISOR[m.unitSystem], 'Height');
  return writer.toBytes();
}
