import fc from 'fast-check';
import { roundHalfAwayFromZero, roundToUnits } from './rounding';

describe('roundToUnits (half away from zero, on the decimal spelling)', () => {
  it.each([
    [36.05, 1, 361], // binary 36.0499… would give 360 with toFixed
    [36.04, 1, 360],
    [36.15, 1, 362],
    [35.05, 1, 351],
    [38.05, 1, 381],
    [39.05, 1, 391],
    [1.005, 2, 101],
    [20.5, 0, 21],
    [20.49, 0, 20],
    [20.4999999, 0, 20],
    [91.5, 0, 92],
    [0.5, 0, 1],
    [-0.5, 0, -1],
    [-36.05, 1, -361],
    [37, 1, 370],
    [0, 1, 0],
    [0.1 + 0.2, 1, 3],
    [1e-7, 1, 0],
  ])('%p at %p decimals → %p units', (value, decimals, units) => {
    expect(roundToUnits(value, decimals)).toBe(units);
  });

  it('never returns negative zero', () => {
    expect(Object.is(roundToUnits(-0.04, 1), 0)).toBe(true);
  });

  it('refuses what is not a finite number', () => {
    expect(() => roundToUnits(Number.NaN, 1)).toThrow(RangeError);
    expect(() => roundToUnits(Number.POSITIVE_INFINITY, 0)).toThrow(RangeError);
    expect(() => roundToUnits(1, -1)).toThrow(RangeError);
  });

  it('stays within half a unit of the value', () => {
    fc.assert(
      fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.integer({ min: 0, max: 3 }), (value, decimals) => {
        const rounded = roundHalfAwayFromZero(value, decimals);
        expect(Math.abs(rounded - value)).toBeLessThanOrEqual(0.5 / 10 ** decimals + 1e-9);
      }),
    );
  });

  it('rounds every written half away from zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.boolean(), (tenths, negative) => {
        // e.g. tenths 360 → "36.05", which must round to 36.1 (361 tenths), or -36.1 when negative
        const written = `${negative ? '-' : ''}${Math.floor(tenths / 10)}.${tenths % 10}5`;
        expect(roundToUnits(Number(written), 1)).toBe(negative ? -(tenths + 1) : tenths + 1);
      }),
    );
  });
});
