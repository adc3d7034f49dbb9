/** Below this many units the binary product value × 10^decimals is within 1e-6 of the decimal one. */
const FAST_PATH_LIMIT = 1e9;
/** How far from a half the binary product must lie for the fast path to be sure of the side. */
const HALF_MARGIN = 1e-6;
const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10] as const;

/**
 * Rounds half away from zero to `decimals` places and returns the result as a whole number of
 * 10^-decimals units (36.05 °C at one decimal → 361, i.e. 36.1 °C), so band edges can be
 * compared exactly as integers.
 *
 * Rounding works on the number's shortest decimal spelling (what a person typed or a device
 * printed: "36.05"), not on its binary approximation (36.04999…): `Math.round(x * 10)` and
 * `toFixed` both get some halves wrong, and at a band edge that changes a NEWS2 score.
 *
 * Fast path without strings: the shortest spelling S lies within half an ulp of the value, so
 * below 1e9 units the product value × 10^decimals is within about 2.2e-7 of S × 10^decimals. When
 * that product's fraction is more than 1e-6 from a half, both round to the same whole number.
 * Anything near a half (36.05, 20.5) or out of range takes the decimal-spelling path
 * (roundToUnitsBySpelling), so the result is the same for every input.
 */
export function roundToUnits(value: number, decimals: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`Cannot round ${value}: not a finite number.`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) throw new RangeError(`Unsupported number of decimals: ${decimals}.`);
  const scaled = Math.abs(value) * (POWERS_OF_TEN[decimals] as number);
  if (scaled < FAST_PATH_LIMIT) {
    const whole = Math.floor(scaled);
    const fraction = scaled - whole;
    // At 0 decimals the product is the value itself: a fraction of exactly 0.5 is spelled "….5".
    if (fraction < 0.5 - HALF_MARGIN || fraction > 0.5 + HALF_MARGIN || (decimals === 0 && fraction === 0.5)) {
      const units = fraction >= 0.5 ? whole + 1 : whole;
      return value < 0 && units !== 0 ? -units : units;
    }
  }
  return roundToUnitsBySpelling(value, decimals);
}

/**
 * roundToUnits read off the number's shortest decimal spelling (String(value)): the reference the
 * fast path is proven against, and the path for values near a half. Arguments as roundToUnits,
 * already checked.
 */
export function roundToUnitsBySpelling(value: number, decimals: number): number {
  const magnitude = Math.abs(value);
  const text = String(magnitude);
  let units: number;
  if (/e/i.test(text)) {
    // Only below 1e-6 or from 1e21 up, nowhere near a vital sign; binary rounding is fine there.
    units = Math.round(magnitude * 10 ** decimals);
  } else {
    const [whole = '0', fraction = ''] = text.split('.');
    units = Number(whole + fraction.slice(0, decimals).padEnd(decimals, '0'));
    // Half away from zero: the first dropped digit alone decides (5–9 rounds the magnitude up).
    if (fraction.charAt(decimals) >= '5') units += 1;
  }
  return value < 0 && units !== 0 ? -units : units;
}

/** `value` rounded half away from zero to `decimals` places (36.05 → 36.1, 20.5 → 21, -0.5 → -1). */
export function roundHalfAwayFromZero(value: number, decimals = 0): number {
  return roundToUnits(value, decimals) / 10 ** decimals;
}
