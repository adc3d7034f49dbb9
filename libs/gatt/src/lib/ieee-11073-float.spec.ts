import { decodeFloat, decodeSfloat, encodeFloat, encodeSfloat, fromParts } from './ieee-11073-float';

describe('IEEE 11073 SFLOAT (16-bit)', () => {
  it.each([
    [0x07ff, 'NaN'],
    [0x0800, 'NRes'],
    [0x07fe, '+INF'],
    [0x0802, '-INF'],
    [0x0801, 'reserved'],
  ] as const)('0x%s is the special value %s, never a number', (word, special) => {
    expect(decodeSfloat(word)).toEqual({ special });
    expect(encodeSfloat({ special })).toBe(word);
  });

  it.each([
    [0x0000, 0], // exponent 0, mantissa 0
    [0x0002, 2],
    [0xf014, 2], // exponent −1, mantissa 20: "2.0"
    [0xe0c8, 2], // exponent −2, mantissa 200: "2.00"
    [0x1002, 20], // exponent 1
    [0x2002, 200], // exponent 2
    [0x04d2, 1234],
    [0x0b2e, -1234], // mantissa −1234 in 12-bit two's complement
    [0x0078, 120], // 120 mmHg
    [0xf16e, 36.6], // exponent −1, mantissa 366
    [0xb078, 0.0012], // exponent −5, mantissa 120: 120 mg/dL as kg/L
    [0x07fd, 2045], // largest positive mantissa with exponent 0 that is a number
    [0x0803, -2045], // smallest negative mantissa with exponent 0 that is a number
    [0x17ff, 20470], // mantissa 0x7FF is NaN only with exponent 0
    [0xf800, -204.8], // mantissa 0x800 is NRes only with exponent 0
    [0x7001, 10_000_000], // largest exponent, +7
    [0x8001, 0.00000001], // smallest exponent, −8
    [0x0fff, -1], // mantissa 0xFFF = −1
  ])('0x%s decodes to %s', (word, value) => {
    expect(decodeSfloat(word)).toBe(value);
  });

  it('never decodes to −0', () => {
    expect(Object.is(decodeSfloat(0xf000), 0)).toBe(true);
    expect(Object.is(fromParts(0, -3), 0)).toBe(true);
  });

  it('encodes with the exponent nearest zero that is exact', () => {
    expect(encodeSfloat(120)).toBe(0x0078);
    expect(encodeSfloat(36.6)).toBe(0xf16e);
    expect(encodeSfloat(-1234)).toBe(0x0b2e);
    expect(encodeSfloat(0.0056)).toBe(0xc038); // 5.6 mmol/L as mol/L
    expect(encodeSfloat(5000)).toBe(0x11f4); // mantissa 500, exponent 1
  });

  it('does not encode a number as a special value', () => {
    // 2046 with exponent 0 would be +INF; 2046 has no exact SFLOAT, so it rounds to 2050.
    expect(decodeSfloat(encodeSfloat(2046))).toBe(2050);
    expect(decodeSfloat(encodeSfloat(2045))).toBe(2045);
  });

  it('rounds a value with too many digits to the finest resolution that fits', () => {
    // 3667 would overflow the 12-bit mantissa (max 2047), so one decimal is the finest.
    expect(decodeSfloat(encodeSfloat(36.66666))).toBe(36.7);
    expect(decodeSfloat(encodeSfloat(1.23456))).toBe(1.235);
  });

  it('refuses values it cannot represent', () => {
    expect(() => encodeSfloat(Number.NaN)).toThrow(RangeError);
    expect(() => encodeSfloat(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => encodeSfloat(1e12)).toThrow(RangeError);
  });
});

describe('IEEE 11073 FLOAT (32-bit)', () => {
  it.each([
    [0x007fffff, 'NaN'],
    [0x00800000, 'NRes'],
    [0x007ffffe, '+INF'],
    [0x00800002, '-INF'],
    [0x00800001, 'reserved'],
  ] as const)('0x%s is the special value %s, never a number', (word, special) => {
    expect(decodeFloat(word)).toEqual({ special });
    expect(encodeFloat({ special })).toBe(word);
  });

  it.each([
    [0x00000002, 2],
    [0xff000014, 2], // exponent −1, mantissa 20
    [0xfe0000c8, 2], // exponent −2
    [0x01000002, 20],
    [0x02000002, 200],
    [0x000004d2, 1234],
    [0x00fffb2e, -1234],
    [0xff00016e, 36.6],
    [0xff0003da, 98.6],
    [0xfe000e51, 36.65],
    [0x007ffffd, 8388605], // largest positive mantissa with exponent 0 that is a number
    [0x017fffff, 83886070], // mantissa 0x7FFFFF is NaN only with exponent 0
  ])('0x%s decodes to %s', (word, value) => {
    expect(decodeFloat(word)).toBe(value);
  });

  it('encodes 36.6 °C as a thermometer does', () => {
    expect(encodeFloat(36.6)).toBe(0xff00016e);
  });
});
