import fc from 'fast-check';
import { roundHalfAwayFromZero, roundToUnits, roundToUnitsBySpelling } from './rounding';

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

  describe('the string-free fast path agrees with the decimal spelling on every input', () => {
    const decimals = fc.integer({ min: 0, max: 10 });
    // Object.is: the same number, and never a negative zero where the spelling gives 0. fast-check
    // prints the value and decimals of any counterexample.
    const agrees = (value: number, places: number) => Object.is(roundToUnits(value, places), roundToUnitsBySpelling(value, places));

    it('on any double', () => {
      fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), decimals, agrees), { numRuns: 20_000 });
    });

    it('on vital-sized doubles', () => {
      fc.assert(fc.property(fc.double({ min: -500, max: 500, noNaN: true }), decimals, agrees), { numRuns: 20_000 });
    });

    it('on written decimals, halves and near-halves (what devices and people send)', () => {
      const written = fc.tuple(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: 0, max: 7 })).map(([digits, places]) => Number(`${digits}e-${places}`));
      fc.assert(fc.property(written, decimals, agrees), { numRuns: 20_000 });
      const halves = fc.tuple(fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 0, max: 6 }), fc.constantFrom('5', '49999999', '50000001', '4999999999', '5000000001', '05'))
        .map(([whole, zeros, tail]) => Number(`${whole < 0 ? '-' : ''}${Math.abs(whole)}.${'0'.repeat(zeros)}${tail}`));
      fc.assert(fc.property(halves, decimals, agrees), { numRuns: 20_000 });
    });

    it('on arithmetic results with binary noise (0.1 + 0.2, means, differences)', () => {
      const noisy = fc.tuple(fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 1, max: 7 })).map(([a, b, n]) => a / 10 ** (n % 4) + b / 100 / n);
      fc.assert(fc.property(noisy, decimals, agrees), { numRuns: 20_000 });
    });

    it('at the fast path\'s limits and at the edges of the spelling', () => {
      for (const value of [0, -0, 0.5, -0.5, 1e-7, 5e-7, 4.9999999e-7, 1e-6, 1e9 - 0.5, 1e9, 1e9 + 0.5, 99_999_999.95, 1e15 + 0.5, 1e21, 2 ** 53, Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON]) {
        for (let places = 0; places <= 10; places++) {
          expect([value, places, agrees(value, places), agrees(-value, places)]).toEqual([value, places, true, true]);
        }
      }
    });
  });
});
