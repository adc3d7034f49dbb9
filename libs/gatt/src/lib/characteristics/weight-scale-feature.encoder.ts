import { flag } from '../bit-table';
import { ByteWriter } from '../byte-writer';
import { HEIGHT_RESOLUTIONS, WEIGHT_RESOLUTIONS, type WeightScaleFeature } from './weight-scale-feature.decoder';

/** Encodes a Weight Scale Feature (0x2A9E). */
export function encodeWeightScaleFeature(feature: WeightScaleFeature): Uint8Array {
  const weightCode = code(feature.weightResolution, WEIGHT_RESOLUTIONS, (a, b) => a.kg === b.kg && a.lb === b.lb, 'Weight Measurement Resolution');
  const heightCode = code(feature.heightResolution, HEIGHT_RESOLUTIONS, (a, b) => a.m === b.m && a.in === b.in, 'Height Measurement Resolution');
  const raw =
    flag(feature.timeStampSupported, 0) + flag(feature.multipleUsersSupported, 1) + flag(feature.bmiSupported, 2) + weightCode * 2 ** 3 + heightCode * 2 ** 7;
  return new ByteWriter().uint32(raw, 'Weight Scale Feature').toBytes();
}

function code<T>(value: T | 'not-specified', table: readonly T[], same: (a: T, b: T) => boolean, field: string): number {
  if (value === 'not-specified') return 0;
  const index = table.findIndex((entry) => same(entry, value));
  if (index < 0) throw new RangeError(`${field}: ${JSON.stringify(value)} is not a resolution the spec defines.`);
  return index + 1;
}
