import fc from 'fast-check';
import {
  CHARACTERISTICS,
  CHARACTERISTIC_KEYS,
  GATT_UUID,
  decodeCharacteristic,
  decodeFloat,
  decodeSfloat,
  encodeCharacteristic,
  encodeFloat,
  encodeSfloat,
  type CharacteristicKey,
} from '../src';
import { MEASUREMENTS } from './arbitraries';
import { VITAL_UNITS } from './support';

// Modest run counts: the suite runs on a 2-core CI machine.
const RUNS = 300;

const ALL_UUIDS = Object.values(GATT_UUID);

describe('no decoder ever throws', () => {
  it('on random bytes, for every characteristic (and unknown ones)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_UUIDS, 0x2a00, 0x2a9b), fc.uint8Array({ maxLength: 40 }), (uuid, bytes) => {
        const result = decodeCharacteristic(uuid, bytes);
        if (result.ok) {
          for (const reading of result.value.readings) {
            expect(Number.isFinite(reading.value)).toBe(true);
            expect(reading.unit).toBe(VITAL_UNITS[reading.vital]);
          }
        } else {
          expect(result.error.code).toMatch(/^gatt\./);
          expect(typeof result.error.details.field).toBe('string');
          const offset = result.error.details.offset;
          if (offset !== null) expect(offset).toBeLessThanOrEqual(bytes.length);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('on valid frames with one byte corrupted (reaches the deeper fields)', () => {
    const corrupted = fc.constantFrom(...CHARACTERISTIC_KEYS).chain((key) =>
      fc.tuple(fc.constant(key), MEASUREMENTS[key] as fc.Arbitrary<never>, fc.nat(), fc.integer({ min: 0, max: 255 })),
    );
    fc.assert(
      fc.property(corrupted, ([key, measurement, at, value]) => {
        const bytes = encodeCharacteristic(key, measurement);
        bytes[at % bytes.length] = value;
        const result = decodeCharacteristic(CHARACTERISTICS[key].uuid, bytes);
        if (result.ok) for (const reading of result.value.readings) expect(Number.isFinite(reading.value)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('on UUID text of any shape', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        expect(() => decodeCharacteristic(text, new Uint8Array([0]))).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

describe.each(CHARACTERISTIC_KEYS.map((key) => [key] as const))('%s', (key: CharacteristicKey) => {
  const uuid = CHARACTERISTICS[key].uuid;
  const arbitrary = MEASUREMENTS[key] as fc.Arbitrary<never>;

  it('encode → decode gives the generated measurement back', () => {
    fc.assert(
      fc.property(arbitrary, (measurement) => {
        const result = decodeCharacteristic(uuid, encodeCharacteristic(key, measurement));
        expect(result.ok && result.value.characteristic).toBe(key);
        expect(result.ok && result.value.measurement).toEqual(measurement);
      }),
      { numRuns: RUNS },
    );
  });

  it('never yields a partial frame: every proper prefix is refused (or, for RR-intervals, is a shorter whole frame)', () => {
    fc.assert(
      fc.property(arbitrary, fc.nat(), (measurement, cut) => {
        const bytes = encodeCharacteristic(key, measurement);
        const prefix = bytes.subarray(0, cut % bytes.length);
        const result = decodeCharacteristic(uuid, prefix);
        if (key === 'heart-rate-measurement' && result.ok) {
          // Dropping whole RR-intervals off the end leaves a valid, shorter frame.
          expect(prefix.length % 2).toBe(bytes.length % 2);
          return;
        }
        expect(result.ok).toBe(false);
        if (!result.ok) expect(['gatt.truncated']).toContain(result.error.code);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a frame with one byte too many', () => {
    fc.assert(
      fc.property(arbitrary, fc.integer({ min: 0, max: 255 }), (measurement, extra) => {
        const bytes = encodeCharacteristic(key, measurement);
        const longer = Uint8Array.from([...bytes, extra]);
        const result = decodeCharacteristic(uuid, longer);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(['gatt.trailing-bytes', 'gatt.truncated']).toContain(result.error.code);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('MDER floats', () => {
  it('every SFLOAT word decodes to a special value or a number that re-encodes to the same number', () => {
    for (let word = 0; word <= 0xffff; word++) {
      const value = decodeSfloat(word);
      if (typeof value === 'number') expect(decodeSfloat(encodeSfloat(value))).toBe(value);
      else expect(encodeSfloat(value)).toBe(word);
    }
  });

  it('FLOAT words round-trip the same way', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (word) => {
        const value = decodeFloat(word);
        if (typeof value === 'number') expect(decodeFloat(encodeFloat(value))).toBe(value);
        else expect(encodeFloat(value)).toBe(word);
      }),
      { numRuns: 2000 },
    );
  });
});
