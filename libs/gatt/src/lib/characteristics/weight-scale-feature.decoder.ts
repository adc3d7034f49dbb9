import { bitsAt, isSet } from '../bit-table';
import { ByteReader } from '../byte-reader';
import { guardDecode, type GattResult } from '../errors';
import type { ReadingSet } from '../readings';

/**
 * Weight Scale Feature, 0x2A9E (read from the Weight Scale Service). GSS "Weight Scale Feature",
 * one uint32:
 *
 *   bit 0     Time Stamp Supported
 *   bit 1     Multiple Users Supported
 *   bit 2     BMI Supported
 *   bits 3–6  Weight Measurement Resolution (table below; 0 = not specified, 8–15 reserved)
 *   bits 7–9  Height Measurement Resolution (table below; 0 = not specified, 4–7 reserved)
 *   bits 10–31 reserved for future use
 *
 * The resolution is how finely the scale measures, NOT the unit of the raw Weight field, which
 * the spec fixes at 0.005 kg / 0.01 lb. Decoders that scale by it are wrong by up to 100×.
 */
export interface WeightResolution {
  readonly kg: number;
  readonly lb: number;
}

export interface HeightResolution {
  readonly m: number;
  readonly in: number;
}

export interface WeightScaleFeature {
  readonly timeStampSupported: boolean;
  readonly multipleUsersSupported: boolean;
  readonly bmiSupported: boolean;
  readonly weightResolution: WeightResolution | 'not-specified';
  readonly heightResolution: HeightResolution | 'not-specified';
}

/** Weight Measurement Resolution values 1–7. */
export const WEIGHT_RESOLUTIONS: readonly WeightResolution[] = [
  { kg: 0.5, lb: 1 }, // 1
  { kg: 0.2, lb: 0.5 }, // 2
  { kg: 0.1, lb: 0.2 }, // 3
  { kg: 0.05, lb: 0.1 }, // 4
  { kg: 0.02, lb: 0.05 }, // 5
  { kg: 0.01, lb: 0.02 }, // 6
  { kg: 0.005, lb: 0.01 }, // 7
];

/** Height Measurement Resolution values 1–3. */
export const HEIGHT_RESOLUTIONS: readonly HeightResolution[] = [
  { m: 0.01, in: 1 }, // 1
  { m: 0.005, in: 0.5 }, // 2
  { m: 0.001, in: 0.1 }, // 3
];

const NAME = 'Weight Scale Feature';

export function decodeWeightScaleFeature(bytes: Uint8Array): GattResult<WeightScaleFeature> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const raw = reader.uint32('Weight Scale Feature');
    reader.end();
    const weightCode = bitsAt(raw, 3, 4);
    const heightCode = bitsAt(raw, 7, 3);
    return {
      timeStampSupported: isSet(raw, 0),
      multipleUsersSupported: isSet(raw, 1),
      bmiSupported: isSet(raw, 2),
      weightResolution: WEIGHT_RESOLUTIONS[weightCode - 1] ?? 'not-specified',
      heightResolution: HEIGHT_RESOLUTIONS[heightCode - 1] ?? 'not-specified',
    };
  });
}

/** A feature description, not a measurement. */
export function weightScaleFeatureReadings(): ReadingSet {
  return { readings: [], absent: [] };
}
