import { VITAL_SIGNS, roundTo } from '@homeward/domain';
import fc from 'fast-check';
import {
  decodeCharacteristic,
  decodeSfloat,
  encodeCharacteristic,
  runDecodeCommand,
  type DecodedFrame,
  type MderFloat,
  type MderSpecial,
  type PlxContinuousMeasurement,
  type PlxSpotCheckMeasurement,
} from '../src';
import {
  CONTINUOUS_LAYOUT,
  SFLOAT_WORD,
  SPOT_CHECK_LAYOUT,
  bitCombinations,
  buildPlxFrame,
  le,
  type BuiltFrame,
  type PlxLayout,
} from './fixtures/plx-field-layout';
import { MARCH_15_0830, MARCH_15_0830_ISO, MARCH_15_0830_VALUE } from './fixtures/vector';

/**
 * Every flag combination the GSS allows for PLX Spot-Check (0x2A5E) and PLX Continuous (0x2A5F):
 * each optional field present or absent, Device Clock is Not Set on or off, reserved bits on or
 * off. Frames are built from the field layout table, not from the encoder, and every field
 * carries a value no other field has, so a field read at the wrong offset shows up as a wrong value.
 */

const has = (flags: number, bit: number): boolean => (flags & (1 << bit)) !== 0;
const hex = (bytes: Iterable<number>): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

// Field values, all distinct. Status fields use bits that show in the readings' status, so a
// status read from the wrong octets changes the readings too.
const SPO2 = { normal: 97, fast: 96, slow: 95 } as const;
const PR = { normal: 61, fast: 62, slow: 63 } as const;
const MEASUREMENT_STATUS = 0x0040; // bit 6 Early Estimated Data
const MEASUREMENT_STATUS_WITH_RESERVED = 0x005f; // and reserved bits 0–4
const SENSOR_STATUS = 0x000020; // bit 5 Low Perfusion Detected
const SENSOR_STATUS_WITH_RESERVED = 0xff0020; // and reserved bits 16–23
const PAI_WORD = 0xf019; // 25 × 10⁻¹ = 2.5 %

function fieldValues(layout: PlxLayout, reservedStatusBits = false): Record<string, number[]> {
  const status = {
    'Measurement Status': le(reservedStatusBits ? MEASUREMENT_STATUS_WITH_RESERVED : MEASUREMENT_STATUS, 2),
    'Device and Sensor Status': le(reservedStatusBits ? SENSOR_STATUS_WITH_RESERVED : SENSOR_STATUS, 3),
    'Pulse Amplitude Index': le(PAI_WORD, 2),
  };
  if (layout === SPOT_CHECK_LAYOUT) {
    return {
      'SpO2PR-Spot-Check - SpO2': le(SPO2.normal, 2),
      'SpO2PR-Spot-Check - PR': le(PR.normal, 2),
      Timestamp: [...MARCH_15_0830],
      ...status,
    };
  }
  return {
    'SpO2PR-Normal - SpO2': le(SPO2.normal, 2),
    'SpO2PR-Normal - PR': le(PR.normal, 2),
    'SpO2PR-Fast - SpO2': le(SPO2.fast, 2),
    'SpO2PR-Fast - PR': le(PR.fast, 2),
    'SpO2PR-Slow - SpO2': le(SPO2.slow, 2),
    'SpO2PR-Slow - PR': le(PR.slow, 2),
    ...status,
  };
}

function expectedSpotCheck(flags: number): PlxSpotCheckMeasurement {
  return {
    spo2: SPO2.normal,
    pulseRate: PR.normal,
    timestamp: has(flags, 0) ? MARCH_15_0830_VALUE : null,
    deviceClockNotSet: has(flags, 4),
    measurementStatus: has(flags, 1) ? ['early-estimated-data'] : null,
    deviceAndSensorStatus: has(flags, 2) ? ['low-perfusion-detected'] : null,
    pulseAmplitudeIndex: has(flags, 3) ? 2.5 : null,
  };
}

function expectedContinuous(flags: number): PlxContinuousMeasurement {
  return {
    normal: { spo2: SPO2.normal, pulseRate: PR.normal },
    fast: has(flags, 0) ? { spo2: SPO2.fast, pulseRate: PR.fast } : null,
    slow: has(flags, 1) ? { spo2: SPO2.slow, pulseRate: PR.slow } : null,
    measurementStatus: has(flags, 2) ? ['early-estimated-data'] : null,
    deviceAndSensorStatus: has(flags, 3) ? ['low-perfusion-detected'] : null,
    pulseAmplitudeIndex: has(flags, 4) ? 2.5 : null,
  };
}

interface Case {
  readonly layout: PlxLayout;
  readonly flags: number;
  readonly frame: BuiltFrame;
  readonly measurement: PlxSpotCheckMeasurement | PlxContinuousMeasurement;
  readonly deviceTime: string | null;
  readonly status: readonly string[];
}

function makeCase(layout: PlxLayout, flags: number): Case {
  const spot = layout === SPOT_CHECK_LAYOUT;
  const measurementStatusBit = spot ? 1 : 2;
  const sensorStatusBit = spot ? 2 : 3;
  return {
    layout,
    flags,
    frame: buildPlxFrame(layout, flags, fieldValues(layout)),
    measurement: spot ? expectedSpotCheck(flags) : expectedContinuous(flags),
    deviceTime: spot && has(flags, 0) && !has(flags, 4) ? MARCH_15_0830_ISO : null,
    status: [...(has(flags, measurementStatusBit) ? ['early-estimate'] : []), ...(has(flags, sensorStatusBit) ? ['low-perfusion'] : [])],
  };
}

const CASES: readonly Case[] = [SPOT_CHECK_LAYOUT, CONTINUOUS_LAYOUT].flatMap((layout) =>
  bitCombinations([...layout.presenceBits, ...layout.otherBits]).map((flags) => makeCase(layout, flags)),
);

function decode(uuid: string, bytes: readonly number[]): DecodedFrame {
  const result = decodeCharacteristic(uuid, Uint8Array.from(bytes));
  if (!result.ok) throw new Error(`${uuid} ${hex(bytes)}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/** The SpO2PR pairs a frame carries, by the measurement's property path. */
function pairs(c: Case): readonly { readonly prefix: string; readonly path: readonly string[] }[] {
  if (c.layout === SPOT_CHECK_LAYOUT) return [{ prefix: 'SpO2PR-Spot-Check', path: [] }];
  return [
    { prefix: 'SpO2PR-Normal', path: ['normal'] },
    ...(has(c.flags, 0) ? [{ prefix: 'SpO2PR-Fast', path: ['fast'] }] : []),
    ...(has(c.flags, 1) ? [{ prefix: 'SpO2PR-Slow', path: ['slow'] }] : []),
  ];
}

function at(measurement: unknown, path: readonly string[]): Record<string, unknown> {
  return path.reduce((node, key) => (node as Record<string, unknown>)[key], measurement) as Record<string, unknown>;
}

function put(bytes: readonly number[], offset: number, octets: readonly number[]): number[] {
  const copy = [...bytes];
  copy.splice(offset, octets.length, ...octets);
  return copy;
}

it('covers every combination of the optional-field flags: 2^4 × clock-not-set for 0x2A5E, 2^5 for 0x2A5F', () => {
  expect(CASES.filter((c) => c.layout === SPOT_CHECK_LAYOUT)).toHaveLength(32);
  expect(CASES.filter((c) => c.layout === CONTINUOUS_LAYOUT)).toHaveLength(32);
  expect(new Set(CASES.map((c) => `${c.layout.uuid}:${c.flags}`)).size).toBe(64);
});

describe.each(CASES.map((c) => [`${c.layout.uuid} flags 0x${c.flags.toString(16).padStart(2, '0')}`, c] as const))('%s', (_title, c) => {
  it('decodes every field from its GSS offset, and gives both SpO2 and pulse rate', () => {
    const frame = decode(c.layout.uuid, c.frame.bytes);
    expect(frame.measurement).toEqual(c.measurement);
    expect(frame.readings).toEqual([
      { vital: 'spo2', value: SPO2.normal, unit: '%', deviceTime: c.deviceTime === null ? null : new Date(c.deviceTime), status: c.status },
      { vital: 'heart_rate', value: PR.normal, unit: '/min', deviceTime: c.deviceTime === null ? null : new Date(c.deviceTime), status: c.status },
    ]);
    expect(frame.absent).toEqual([]);
  });

  it('reads each SFLOAT from its own offset: changing one field changes exactly that value', () => {
    const sfloatFields = c.frame.fields.filter((f) => f.size === 2 && !f.name.startsWith('Measurement Status'));
    expect(sfloatFields.length).toBeGreaterThanOrEqual(2);
    for (const field of sfloatFields) {
      const changed = decode(c.layout.uuid, put(c.frame.bytes, field.offset, le(48, 2)));
      const expected = structuredClone(c.measurement) as unknown as Record<string, unknown>;
      const pair = pairs(c).find((p) => field.name.startsWith(p.prefix));
      if (pair === undefined) expected['pulseAmplitudeIndex'] = 48;
      else at(expected, pair.path)[field.name.endsWith(' - PR') ? 'pulseRate' : 'spo2'] = 48;
      expect({ field: field.name, measurement: changed.measurement }).toEqual({ field: field.name, measurement: expected });
    }
  });

  it('the encoder builds the same bytes as the layout table', () => {
    expect(hex(encodeCharacteristic(c.layout === SPOT_CHECK_LAYOUT ? 'plx-spot-check-measurement' : 'plx-continuous-measurement', c.measurement as never))).toBe(
      hex(c.frame.bytes),
    );
  });

  it('ignores the reserved flag bits (5–7) and reserved status bits, in every combination', () => {
    const values = fieldValues(c.layout, true);
    for (const reserved of bitCombinations(c.layout.reservedBits)) {
      const flags = c.flags | reserved;
      const frame = decode(c.layout.uuid, buildPlxFrame(c.layout, flags, values).bytes);
      expect({ flags, measurement: frame.measurement }).toEqual({ flags, measurement: c.measurement });
      expect(frame.readings.map((r) => r.vital)).toEqual(['spo2', 'heart_rate']);
    }
  });

  it('a special SFLOAT in SpO2 or PR withholds that value only; the other is still given', () => {
    const specials = Object.keys(SFLOAT_WORD) as MderSpecial[];
    for (const pair of pairs(c)) {
      const spo2Field = c.frame.fields.find((f) => f.name === `${pair.prefix} - SpO2`);
      const prField = c.frame.fields.find((f) => f.name === `${pair.prefix} - PR`);
      if (spo2Field === undefined || prField === undefined) throw new Error(`${pair.prefix} is not in the frame`);
      for (const special of specials) {
        const word = le(SFLOAT_WORD[special], 2);
        for (const [target, other] of [
          [prField, spo2Field],
          [spo2Field, prField],
        ] as const) {
          const frame = decode(c.layout.uuid, put(c.frame.bytes, target.offset, word));
          const isPr = target === prField;
          const values = at(frame.measurement, pair.path);
          expect(values[isPr ? 'pulseRate' : 'spo2']).toEqual({ special });
          expect(values[isPr ? 'spo2' : 'pulseRate']).toBe(decodeSfloat((other.bytes[0] ?? 0) | ((other.bytes[1] ?? 0) << 8)));
          if (pair.prefix === 'SpO2PR-Fast' || pair.prefix === 'SpO2PR-Slow') {
            // Readings come from the standard averaging (Spot-Check or Normal) only.
            expect(frame.readings.map((r) => [r.vital, r.value])).toEqual([
              ['spo2', SPO2.normal],
              ['heart_rate', PR.normal],
            ]);
            continue;
          }
          const kept = isPr ? ['spo2', SPO2.normal] : ['heart_rate', PR.normal];
          const withheld = isPr ? 'heart_rate' : 'spo2';
          expect({ special, target: target.name, readings: frame.readings.map((r) => [r.vital, r.value]) }).toEqual({
            special,
            target: target.name,
            readings: [kept],
          });
          expect(frame.absent.map((a) => a.vital)).toEqual([withheld]);
        }
      }
      // Both special: both absent, with the reason for each.
      const both = decode(c.layout.uuid, put(put(c.frame.bytes, spo2Field.offset, le(SFLOAT_WORD.NaN, 2)), prField.offset, le(SFLOAT_WORD['+INF'], 2)));
      if (pair.prefix === 'SpO2PR-Spot-Check' || pair.prefix === 'SpO2PR-Normal') {
        expect(both.readings).toEqual([]);
        expect(both.absent.map(({ vital, reason }) => ({ vital, reason }))).toEqual([
          { vital: 'spo2', reason: 'not-a-number' },
          { vital: 'heart_rate', reason: 'positive-infinity' },
        ]);
      }
    }
  });

  it('reads SpO2 and PR sent with a decimal exponent (72 as 720 × 10⁻¹, 97 as 970 × 10⁻¹)', () => {
    const [first] = pairs(c);
    if (first === undefined) throw new Error('no SpO2PR pair');
    const spo2Field = c.frame.fields.find((f) => f.name === `${first.prefix} - SpO2`);
    const prField = c.frame.fields.find((f) => f.name === `${first.prefix} - PR`);
    if (spo2Field === undefined || prField === undefined) throw new Error('no SpO2PR pair');
    // Devices that keep a decimal send 0xF2D0 (exponent −1, mantissa 720) for 72 /min and 0xF3CA
    // (exponent −1, mantissa 970) for 97 %.
    const bytes = put(put(c.frame.bytes, prField.offset, le(0xf2d0, 2)), spo2Field.offset, le(0xf3ca, 2));
    const frame = decode(c.layout.uuid, bytes);
    expect(frame.readings.map((r) => [r.vital, r.value])).toEqual([
      ['spo2', 97],
      ['heart_rate', 72],
    ]);
  });

  it('refuses the frame cut at, or inside, each field, naming the field and its offset', () => {
    for (const field of c.frame.fields) {
      for (const cut of new Set([field.offset, field.offset + field.size - 1])) {
        const result = decodeCharacteristic(c.layout.uuid, Uint8Array.from(c.frame.bytes.slice(0, cut)));
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        expect({ cut, code: result.error.code, field: result.error.details.field, offset: result.error.details.offset }).toEqual({
          cut,
          code: 'gatt.truncated',
          field: field.name,
          offset: field.offset,
        });
        expect(result.error.message).toContain(`offset ${field.offset}`);
        if (field.presentIf !== null) expect(result.error.message).toContain(`Flags bit ${field.presentIf}`);
      }
    }
  });

  it('refuses a byte past the last field the flags declare', () => {
    const result = decodeCharacteristic(c.layout.uuid, Uint8Array.from([...c.frame.bytes, 0x00]));
    expect(result.ok || result.error.code).toBe('gatt.trailing-bytes');
    expect(result.ok || result.error.details.offset).toBe(c.frame.bytes.length);
  });

  it('homeward decode prints both readings', () => {
    const uuid = c.layout === SPOT_CHECK_LAYOUT ? '2A5E' : '0x2a5f';
    const result = runDecodeCommand(uuid, hex(c.frame.bytes).toUpperCase());
    expect(result.exitCode).toBe(0);
    expect('readings' in result.output && result.output.readings.map((r) => [r.vital, r.loinc, r.value, r.measuredAt])).toEqual([
      ['spo2', '59408-5', SPO2.normal, c.deviceTime],
      ['heart_rate', '8867-4', PR.normal, c.deviceTime],
    ]);
  });
});

describe('any flags byte × any field values (property)', () => {
  const word = fc.integer({ min: 0, max: 0xffff });
  const dateTime = fc.record({
    year: fc.oneof(fc.constant(0), fc.integer({ min: 1582, max: 9999 })),
    month: fc.integer({ min: 0, max: 12 }),
    day: fc.integer({ min: 0, max: 28 }),
    hours: fc.integer({ min: 0, max: 23 }),
    minutes: fc.integer({ min: 0, max: 59 }),
    seconds: fc.integer({ min: 0, max: 59 }),
  });
  const frameOf = (layout: PlxLayout) =>
    fc
      .record({
        flags: fc.integer({ min: 0, max: 0xff }),
        words: fc.array(word, { minLength: 8, maxLength: 8 }),
        measurementStatus: word,
        sensorStatus: fc.integer({ min: 0, max: 0xffffff }),
        timestamp: dateTime,
      })
      .map(({ flags, words, measurementStatus, sensorStatus, timestamp: t }) => {
        const sfloatNames = layout.fields.map((f) => f.name).filter((n) => n.includes(' - ') || n === 'Pulse Amplitude Index');
        const values: Record<string, number[]> = {
          'Measurement Status': le(measurementStatus, 2),
          'Device and Sensor Status': le(sensorStatus, 3),
          Timestamp: [...le(t.year, 2), t.month, t.day, t.hours, t.minutes, t.seconds],
        };
        sfloatNames.forEach((name, i) => (values[name] = le(words[i] ?? 0, 2)));
        return { flags, values, frame: buildPlxFrame(layout, flags, values) };
      });

  const sfloatOf = (octets: readonly number[] | undefined): MderFloat => decodeSfloat((octets?.[0] ?? 0) | ((octets?.[1] ?? 0) << 8));

  it.each([
    ['0x2A5E', SPOT_CHECK_LAYOUT, 'SpO2PR-Spot-Check', 'plx-spot-check-measurement'],
    ['0x2A5F', CONTINUOUS_LAYOUT, 'SpO2PR-Normal', 'plx-continuous-measurement'],
  ] as const)('%s: decodes, round-trips through the encoder, and always accounts for SpO2 and pulse rate', (_uuid, layout, prefix, key) => {
    fc.assert(
      fc.property(frameOf(layout), ({ values, frame }) => {
        const decoded = decode(layout.uuid, frame.bytes);
        const m = decoded.measurement as PlxSpotCheckMeasurement | PlxContinuousMeasurement;
        const pair = 'normal' in m ? m.normal : m;
        expect(pair.spo2).toEqual(sfloatOf(values[`${prefix} - SpO2`]));
        expect(pair.pulseRate).toEqual(sfloatOf(values[`${prefix} - PR`]));
        // Pulse is never dropped: it is a reading, or an absence with its reason.
        for (const vital of ['spo2', 'heart_rate'] as const) {
          const count = decoded.readings.filter((r) => r.vital === vital).length + decoded.absent.filter((a) => a.vital === vital).length;
          expect({ vital, count }).toEqual({ vital, count: 1 });
        }
        if (typeof pair.pulseRate === 'number' && decoded.absent.length === 0) {
          // The value as sent, at the precision the domain keeps for heart rate.
          expect(decoded.readings.find((r) => r.vital === 'heart_rate')?.value).toBe(roundTo(pair.pulseRate, VITAL_SIGNS.heart_rate.precision));
        }
        const again = decodeCharacteristic(layout.uuid, encodeCharacteristic(key, m as never));
        expect(again.ok && again.value.measurement).toEqual(m);
      }),
      { numRuns: 500 },
    );
  });
});
