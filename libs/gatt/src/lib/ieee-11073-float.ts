/**
 * IEEE 11073-20601 (Annex F.8, "MDER") SFLOAT-Type and FLOAT-Type, as the GATT Specification
 * Supplement uses them for medfloat16 and medfloat32 fields.
 *
 *   SFLOAT: 16 bits = 4-bit signed exponent (high nibble) + 12-bit signed mantissa; value = m × 10^e.
 *   FLOAT:  32 bits = 8-bit signed exponent (high octet) + 24-bit signed mantissa.
 *
 * Special values are defined with exponent 0 and a reserved mantissa, so they are matched on the
 * whole word. They mean "no valid reading" and never become numbers (HL7 PHD IG, "MDER FLOATs and
 * SFLOATs": NaN → not-a-number, ±INF → positive/negative-infinity, NRes and reserved → error).
 */

export type MderSpecial = 'NaN' | 'NRes' | '+INF' | '-INF' | 'reserved';

/** A decoded MDER value: a finite number, or the special value the device sent instead. */
export type MderFloat = number | { readonly special: MderSpecial };

export function isMderNumber(value: MderFloat): value is number {
  return typeof value === 'number';
}

const SFLOAT_SPECIALS: ReadonlyMap<number, MderSpecial> = new Map([
  [0x07ff, 'NaN'], // mantissa +(2^11 − 1)
  [0x0800, 'NRes'], // mantissa −(2^11): not at this resolution
  [0x07fe, '+INF'], // mantissa +(2^11 − 2)
  [0x0802, '-INF'], // mantissa −(2^11 − 2)
  [0x0801, 'reserved'], // mantissa −(2^11 − 1): reserved for future use
]);

const FLOAT_SPECIALS: ReadonlyMap<number, MderSpecial> = new Map([
  [0x007fffff, 'NaN'], // mantissa +(2^23 − 1)
  [0x00800000, 'NRes'], // mantissa −(2^23)
  [0x007ffffe, '+INF'], // mantissa +(2^23 − 2)
  [0x00800002, '-INF'], // mantissa −(2^23 − 2)
  [0x00800001, 'reserved'], // mantissa −(2^23 − 1)
]);

const SFLOAT_SPECIAL_CODES = inverse(SFLOAT_SPECIALS);
const FLOAT_SPECIAL_CODES = inverse(FLOAT_SPECIALS);

interface Layout {
  readonly mantissaBits: number;
  readonly minExponent: number;
  readonly maxExponent: number;
  readonly specials: ReadonlyMap<number, MderSpecial>;
}

const SFLOAT: Layout = { mantissaBits: 12, minExponent: -8, maxExponent: 7, specials: SFLOAT_SPECIALS };
const FLOAT: Layout = { mantissaBits: 24, minExponent: -128, maxExponent: 127, specials: FLOAT_SPECIALS };

/** Decodes a 16-bit SFLOAT word (already assembled from its two little-endian octets). */
export function decodeSfloat(word: number): MderFloat {
  const special = SFLOAT_SPECIALS.get(word & 0xffff);
  if (special !== undefined) return { special };
  return fromParts(signed(word & 0x0fff, 12), signed((word >>> 12) & 0x0f, 4));
}

/** Decodes a 32-bit FLOAT word. */
export function decodeFloat(word: number): MderFloat {
  const unsigned = word >>> 0;
  const special = FLOAT_SPECIALS.get(unsigned);
  if (special !== undefined) return { special };
  return fromParts(signed(unsigned & 0x00ffffff, 24), signed((unsigned >>> 24) & 0xff, 8));
}

/**
 * m × 10^e, computed so that a decimal such as 36.6 comes out as the double nearest to 36.6:
 * dividing by an exact power of ten rounds once, multiplying by 10^-1 (inexact) would round twice.
 */
export function fromParts(mantissa: number, exponent: number): number {
  const value = exponent >= 0 ? mantissa * 10 ** exponent : mantissa / 10 ** -exponent;
  return value === 0 ? 0 : value; // never −0
}

/**
 * Encodes a value as an SFLOAT word. Chooses the exponent closest to zero (preferring decimals
 * over powers of ten) whose mantissa decodes back to exactly the same number; when none exists the
 * value is rounded to the finest resolution that fits. Throws a RangeError for a value that does
 * not fit at all or is not finite (send a special value instead).
 */
export function encodeSfloat(value: MderFloat, field = 'SFLOAT'): number {
  if (typeof value !== 'number') return specialCode(SFLOAT_SPECIAL_CODES, value.special);
  const { mantissa, exponent } = toParts(value, SFLOAT, field);
  return (((exponent & 0x0f) << 12) | (mantissa & 0x0fff)) >>> 0;
}

/** Encodes a value as a FLOAT word; see encodeSfloat. */
export function encodeFloat(value: MderFloat, field = 'FLOAT'): number {
  if (typeof value !== 'number') return specialCode(FLOAT_SPECIAL_CODES, value.special);
  const { mantissa, exponent } = toParts(value, FLOAT, field);
  return (((exponent & 0xff) << 24) | (mantissa & 0x00ffffff)) >>> 0;
}

function toParts(value: number, layout: Layout, field: string): { mantissa: number; exponent: number } {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${field}: ${value} is not finite; encode a special value ({ special: 'NaN' | '+INF' | ... }) instead.`);
  }
  const fits = (mantissa: number, exponent: number): boolean => {
    const limit = 2 ** (layout.mantissaBits - 1);
    if (mantissa < -limit || mantissa >= limit) return false;
    // With exponent 0 the reserved mantissas are the special values, not numbers.
    const word = (mantissa < 0 ? mantissa + 2 * limit : mantissa) >>> 0;
    return exponent !== 0 || !layout.specials.has(word);
  };
  const mantissaAt = (exponent: number): number => Math.round(exponent >= 0 ? value / 10 ** exponent : value * 10 ** -exponent);
  // Exact first: 0, −1, −2, … then +1, +2, …
  const order = [0, ...range(-1, layout.minExponent, -1), ...range(1, layout.maxExponent, 1)];
  for (const exponent of order) {
    const mantissa = mantissaAt(exponent);
    if (fits(mantissa, exponent) && fromParts(mantissa, exponent) === value) return { mantissa, exponent };
  }
  // Inexact: the finest resolution whose mantissa fits.
  for (const exponent of range(layout.minExponent, layout.maxExponent, 1)) {
    const mantissa = mantissaAt(exponent);
    if (fits(mantissa, exponent)) return { mantissa: mantissa === 0 ? 0 : mantissa, exponent };
  }
  throw new RangeError(`${field}: ${value} is too large for an IEEE 11073 ${layout.mantissaBits === 12 ? 'SFLOAT' : 'FLOAT'}.`);
}

function specialCode(codes: ReadonlyMap<MderSpecial, number>, special: MderSpecial): number {
  const code = codes.get(special);
  if (code === undefined) throw new RangeError(`Unknown IEEE 11073 special value "${String(special)}".`);
  return code;
}

function signed(value: number, bits: number): number {
  const half = 2 ** (bits - 1);
  return value >= half ? value - 2 * half : value;
}

function range(from: number, to: number, step: 1 | -1): number[] {
  const out: number[] = [];
  for (let i = from; step > 0 ? i <= to : i >= to; i += step) out.push(i);
  return out;
}

function inverse<K, V>(map: ReadonlyMap<K, V>): ReadonlyMap<V, K> {
  return new Map([...map].map(([k, v]) => [v, k]));
}
