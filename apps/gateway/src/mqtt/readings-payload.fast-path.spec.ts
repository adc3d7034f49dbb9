import fc from 'fast-check';
import { ReadingsPayloadDto, validateDto } from '@homeward/contracts';
import { READING_STATUS_FLAGS, VITAL_KEYS } from '@homeward/domain';
import { isISO8601 } from 'class-validator';
import { isStrictIsoTime, plainlyValidReadingsPayload } from './readings-payload.fast-path';

/** The fields validateDto's instance holds, as plain data (its class and undefined fields aside). */
const plainOf = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const isoTime = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
/** Near-misses of an ISO time as well as good ones: class-validator's strict check must decide them. */
const timeLike = fc.oneof(
  isoTime,
  isoTime.map((t) => t.replace('Z', '+01:00')),
  isoTime.map((t) => t.slice(0, 10)),
  fc.constantFrom('2026-02-29T10:00:00Z', '2024-02-29T10:00:00Z', '2026-13-01T00:00:00Z', '2026-11-31T00:00:00Z', 'yesterday', '', '2026-11-22T05:00:00'),
  fc.integer(),
  fc.constant(null),
);
/** Anything in an item's fields, valid or not. */
const anyItem = fc.record(
  {
    vital: fc.oneof(fc.constantFrom(...VITAL_KEYS), fc.constantFrom('HEART_RATE', 'news2', 'pulse', ''), fc.constant(null)),
    value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant('72'), fc.constant(null)),
    unit: fc.oneof(fc.constantFrom('/min', '%', 'mmHg', 'kg', 'lb', 'Cel'), fc.string({ maxLength: 40 }), fc.integer()),
    deviceTime: timeLike,
    status: fc.oneof(fc.array(fc.constantFrom(...READING_STATUS_FLAGS), { maxLength: 18 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), fc.constant('manual')),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
/** An item as devices send them, with edge cases in each field (long units, odd strings, many flags). */
const likelyItem = fc.record(
  {
    vital: fc.constantFrom(...VITAL_KEYS),
    value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
    unit: fc.oneof(fc.constantFrom('/min', '%', 'mmHg', 'kg', 'Cel'), fc.string({ maxLength: 34 }), fc.string({ unit: 'grapheme', maxLength: 34 })),
    deviceTime: fc.oneof(isoTime, isoTime, timeLike),
    status: fc.array(fc.constantFrom(...READING_STATUS_FLAGS), { maxLength: 17 }),
  },
  { requiredKeys: ['vital', 'value', 'unit'] },
);
const message = fc
  .tuple(
    fc.record(
      {
        messageId: fc.oneof(fc.string({ maxLength: 130 }), fc.string({ unit: 'grapheme', maxLength: 130 }), fc.integer(), fc.constant(null)),
        sentAt: fc.oneof(isoTime, timeLike),
        readings: fc.oneof({ weight: 8, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: likelyItem }, { weight: 1, arbitrary: anyItem }), { minLength: 1, maxLength: 4 }) }, { weight: 1, arbitrary: fc.constantFrom([], null, 'readings') }),
      },
      { requiredKeys: ['readings'] },
    ),
    fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constant({ frames: [{ characteristic: '2A37', hex: '00 48' }] }) }, { weight: 1, arbitrary: fc.record({ extra: fc.anything() }) }),
  )
  .map(([body, more]) => ({ ...body, ...more }));

describe('plainlyValidReadingsPayload: the fast path never disagrees with class-validator', () => {
  it('accepts only what validateDto accepts, with the same fields', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(message, fc.anything()), (generated) => {
        const plain = plainOf(generated ?? null);
        const fast = plainlyValidReadingsPayload(plain);
        if (fast === undefined) return;
        accepted++;
        const full = validateDto(ReadingsPayloadDto, plainOf(plain));
        expect(full.ok).toBe(true);
        if (full.ok) expect(plainOf(fast)).toEqual(plainOf(full.value));
      }),
      { numRuns: 3_000, seed: 20261203 },
    );
    // The generator reaches the fast path often enough for the comparison to mean something.
    expect(accepted).toBeGreaterThan(200);
  });

  it('takes the messages hubs and apps send without class-validator: one reading, a hub batch, status flags, no device time', () => {
    const messages = [
      { messageId: 'm1', sentAt: '2026-11-22T05:00:02Z', readings: [{ vital: 'spo2', value: 94, unit: '%', deviceTime: '2026-11-22T05:00:00Z' }] },
      { readings: Array.from({ length: 500 }, (_, i) => ({ vital: 'heart_rate', value: 60 + (i % 40), unit: '/min', deviceTime: new Date(Date.UTC(2026, 10, 22) + i * 60_000).toISOString() })) },
      { messageId: 'm2', readings: [{ vital: 'body_temperature', value: 38.1, unit: 'Cel', status: ['body-movement'] }] },
      { readings: [{ vital: 'systolic_bp', value: 120, unit: 'mmHg', deviceTime: '2026-11-22T05:00:00.123+01:00' }] },
    ];
    for (const body of messages) {
      expect(validateDto(ReadingsPayloadDto, body).ok).toBe(true);
      expect(plainlyValidReadingsPayload(body)).toBe(body);
    }
  });

  it('leaves every doubtful message to validateDto: frames, unknown fields, null fields, too many readings, a bad item anywhere', () => {
    const good = { vital: 'spo2', value: 94, unit: '%' };
    const doubtful: unknown[] = [
      { frames: [{ characteristic: '2A37', hex: '00 48' }] },
      { readings: [good], frames: [] },
      { readings: [good], note: 'hi' },
      { messageId: null, readings: [good] },
      { readings: [] },
      { readings: Array.from({ length: 501 }, () => good) },
      { readings: [good, { ...good, vital: 'pulse' }] },
      { readings: [good, { ...good, value: '94' }] },
      { readings: [{ ...good, unit: 'x'.repeat(33) }] },
      { readings: [{ ...good, deviceTime: '2026-02-29T10:00:00Z' }] },
      { readings: [{ ...good, status: ['nonsense'] }] },
      { sentAt: '22/11/2026 05:00', readings: [good] },
      JSON.parse('{"__proto__":{"x":1},"readings":[{"vital":"spo2","value":94,"unit":"%"}]}'),
      [good],
      null,
    ];
    for (const body of doubtful) expect(plainlyValidReadingsPayload(body)).toBeUndefined();
  });
});

describe('isStrictIsoTime: class-validator isISO8601 strict, cheaper for the usual spelling', () => {
  const same = (value: unknown) => expect([value, isStrictIsoTime(value)]).toEqual([value, typeof value === 'string' && isISO8601(value, { strict: true })]);

  it('agrees on calendar edges, out-of-range parts and other spellings', () => {
    const cases = [
      '2024-02-29T10:00:00Z', '2026-02-29T10:00:00Z', '2000-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '0000-02-29T00:00:00Z',
      '2026-04-30T23:59:59Z', '2026-04-31T00:00:00Z', '2026-06-31T00:00:00Z', '2026-09-31T00:00:00Z', '2026-11-31T00:00:00Z', '2026-12-31T23:59:59.999Z',
      '2026-01-00T00:00:00Z', '2026-00-10T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-32T00:00:00Z',
      '2026-11-22T24:00:00Z', '2026-11-22T23:60:00Z', '2026-11-22T23:59:60Z', '2026-11-22T05:00:00.Z', '2026-11-22T05:00:00.1234567890Z',
      '2026-11-22T05:00:00.123456789Z', '2026-11-22T05:00:00z', '2026-11-22T05:00:00+01:00', '2026-11-22T05:00:00', '2026-11-22', '2026-11-22 05:00:00Z',
      '20261122T050000Z', '+002026-11-22T05:00:00Z', '2026-326', '2026-W47-1', '2026-11-22T05:00:00,5Z', ' 2026-11-22T05:00:00Z', '2026-11-22T05:00:00Z\n',
      '١٢٣٤-11-22T05:00:00Z', '', 'yesterday', 20261122, null, undefined, {},
    ];
    for (const value of cases) same(value);
  });

  it('agrees on generated times in the usual spelling and near it', () => {
    const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const usual = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.option(digits(3), { nil: undefined }))
      .map(([y, mo, d, h, mi, s, f]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f === undefined ? '' : `.${f}`}Z`);
    const real = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
    fc.assert(fc.property(fc.oneof(usual, real, real.map((t) => t.replace('Z', '+00:00'))), same), { numRuns: 20_000, seed: 20261203 });
  });
});
