/**
 * Rounds half away from zero to `decimals` places and returns the result as a whole number of
 * 10^-decimals units (36.05 °C at one decimal → 361, i.e. 36.1 °C), so band edges can be
 * compared exactly as integers.
 *
 * Rounding works on the number's shortest decimal spelling (what a person typed or a device
 * printed: "36.05"), not on its binary approximation (36.04999…): `Math.round(x * 10)` and
 * `toFixed` both get some halves wrong, and at a band edge that changes a NEWS2 score.
 */
export function roundToUnits(value: number, decimals: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`Cannot round ${value}: not a finite number.`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) throw new RangeError(`Unsupported number of decimals: ${decimals}.`);
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
