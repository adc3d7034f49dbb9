import fc from 'fast-check';
import {
  ADJUST_REASON_BITS,
  DAYS_OF_WEEK,
  GLUCOSE_SAMPLE_LOCATIONS,
  GLUCOSE_SAMPLE_TYPES,
  GLUCOSE_SENSOR_STATUS_BITS,
  HEIGHT_RESOLUTIONS,
  PLX_DEVICE_AND_SENSOR_STATUS_BITS,
  PLX_MEASUREMENT_STATUS_BITS,
  TEMPERATURE_TYPES,
  WEIGHT_RESOLUTIONS,
  fromParts,
  type BitTable,
  type CharacteristicKey,
  type DateTime,
  type MderFloat,
  type MderSpecial,
  type MeasurementByCharacteristic,
  type RacpRecordSelection,
  type RecordAccessControlPoint,
  type UnitSystem,
} from '../src';

/**
 * Generators of valid measurements, one per characteristic: what a simulated device could send.
 * Every generated value is exactly representable in its field (an SFLOAT built from a mantissa and
 * an exponent, a mass built from its raw integer), so encode → decode must give it back unchanged.
 */

const SPECIALS: readonly MderSpecial[] = ['NaN', 'NRes', '+INF', '-INF', 'reserved'];
const special = fc.constantFrom(...SPECIALS).map((s): MderFloat => ({ special: s }));

const SFLOAT_SPECIAL_MANTISSAS = [2047, -2048, 2046, -2046, -2047];
export const sfloat: fc.Arbitrary<MderFloat> = fc.oneof(
  { weight: 1, arbitrary: special },
  {
    weight: 6,
    arbitrary: fc
      .record({ mantissa: fc.integer({ min: -2048, max: 2047 }), exponent: fc.integer({ min: -8, max: 7 }) })
      .filter(({ mantissa, exponent }) => exponent !== 0 || !SFLOAT_SPECIAL_MANTISSAS.includes(mantissa))
      .map(({ mantissa, exponent }) => fromParts(mantissa, exponent)),
  },
);

const FLOAT_SPECIAL_MANTISSAS = [0x7fffff, -0x800000, 0x7ffffe, -0x7ffffe, -0x7fffff];
export const float: fc.Arbitrary<MderFloat> = fc.oneof(
  { weight: 1, arbitrary: special },
  {
    weight: 6,
    arbitrary: fc
      .record({ mantissa: fc.integer({ min: -0x800000, max: 0x7fffff }), exponent: fc.integer({ min: -128, max: 127 }) })
      .filter(({ mantissa, exponent }) => exponent !== 0 || !FLOAT_SPECIAL_MANTISSAS.includes(mantissa))
      .map(({ mantissa, exponent }) => fromParts(mantissa, exponent)),
  },
);

const nullable = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arbitrary, { nil: null });
const uint8 = fc.integer({ min: 0, max: 0xff });
const uint16 = fc.integer({ min: 0, max: 0xffff });
const bits = <N extends string>(table: BitTable<N>): fc.Arbitrary<N[]> => fc.subarray(table.map(([, name]) => name));

export const dateTime: fc.Arbitrary<DateTime> = fc.record({
  year: nullable(fc.integer({ min: 1582, max: 9999 })),
  month: nullable(fc.integer({ min: 1, max: 12 })),
  day: nullable(fc.integer({ min: 1, max: 28 })),
  hours: fc.integer({ min: 0, max: 23 }),
  minutes: fc.integer({ min: 0, max: 59 }),
  seconds: fc.integer({ min: 0, max: 59 }),
});

const unitSystem = fc.constantFrom<UnitSystem>('SI', 'imperial');
const scaled = (divisor: number, max = 0xffff) => fc.integer({ min: 0, max }).map((raw) => raw / divisor);

const bloodPressureStatus = nullable(
  fc.record({
    bodyMovement: fc.boolean(),
    cuffTooLoose: fc.boolean(),
    irregularPulse: fc.boolean(),
    pulseRateRange: fc.constantFrom('within-range', 'exceeds-upper-limit', 'below-lower-limit', 'reserved' as const),
    improperPosition: fc.boolean(),
  }),
);

const bodyComposition = unitSystem.chain((system) => {
  const mass = nullable(scaled(system === 'SI' ? 200 : 100));
  return fc.record({
    unitSystem: fc.constant(system),
    bodyFatPercentage: fc.oneof(fc.constant('unsuccessful' as const), scaled(10, 0xfffe)),
    timestamp: nullable(dateTime),
    userId: nullable(uint8),
    basalMetabolism: nullable(uint16),
    musclePercentage: nullable(scaled(10)),
    muscleMass: mass,
    fatFreeMass: mass,
    softLeanMass: mass,
    bodyWaterMass: mass,
    impedance: nullable(scaled(10)),
    weight: nullable(fc.oneof(fc.constant('unsuccessful' as const), scaled(system === 'SI' ? 200 : 100, 0xfffe))),
    height: nullable(scaled(system === 'SI' ? 1000 : 10)),
    multiplePacketMeasurement: fc.boolean(),
  });
});

const sequenceFilter = fc.record({ type: fc.constant('sequence-number' as const), value: uint16 });
const timeFilter = fc.record({ type: fc.constant('user-facing-time' as const), value: dateTime });
const selection: fc.Arbitrary<RacpRecordSelection> = fc.oneof(
  fc.record({ operator: fc.constantFrom('all-records', 'first-record', 'last-record' as const) }),
  fc.record({ operator: fc.constantFrom('less-than-or-equal-to', 'greater-than-or-equal-to' as const), filter: fc.oneof(sequenceFilter, timeFilter) }),
  fc.record({
    operator: fc.constant('within-range-of' as const),
    filter: fc.oneof(
      fc.record({ type: fc.constant('sequence-number' as const), min: uint16, max: uint16 }),
      fc.record({ type: fc.constant('user-facing-time' as const), min: dateTime, max: dateTime }),
    ),
  }),
);
const racp: fc.Arbitrary<RecordAccessControlPoint> = fc.oneof(
  fc
    .tuple(fc.constantFrom('report-stored-records', 'delete-stored-records', 'report-number-of-stored-records' as const), selection)
    .map(([opCode, sel]) => ({ opCode, ...sel }) as RecordAccessControlPoint),
  fc.constant({ opCode: 'abort-operation' as const }),
  fc.record({ opCode: fc.constant('number-of-stored-records-response' as const), numberOfRecords: uint16 }),
  fc.record({
    opCode: fc.constant('response-code' as const),
    requestOpCode: fc.constantFrom(
      'report-stored-records',
      'delete-stored-records',
      'abort-operation',
      'report-number-of-stored-records',
      'number-of-stored-records-response',
      'response-code',
      'reserved' as const,
    ),
    responseCode: fc.constantFrom(
      'success',
      'op-code-not-supported',
      'invalid-operator',
      'operator-not-supported',
      'invalid-operand',
      'no-records-found',
      'abort-unsuccessful',
      'procedure-not-completed',
      'operand-not-supported',
      'server-busy',
      'reserved' as const,
    ),
  }),
);

const heartRate = fc.constantFrom('uint8', 'uint16' as const).chain((valueFormat) =>
  fc.record({
    heartRate: valueFormat === 'uint8' ? uint8 : uint16,
    valueFormat: fc.constant(valueFormat),
    sensorContact: fc.constantFrom('not-supported', 'not-detected', 'detected' as const),
    energyExpended: nullable(uint16),
    rrIntervals: nullable(fc.array(scaled(1024), { minLength: 1, maxLength: 8 })),
  }),
);

export const MEASUREMENTS: { readonly [K in CharacteristicKey]: fc.Arbitrary<MeasurementByCharacteristic[K]> } = {
  'blood-pressure-measurement': fc.record({
    unit: fc.constantFrom('mmHg', 'kPa' as const),
    systolic: sfloat,
    diastolic: sfloat,
    meanArterialPressure: sfloat,
    timestamp: nullable(dateTime),
    pulseRate: nullable(sfloat),
    userId: nullable(uint8),
    status: bloodPressureStatus,
  }),
  'intermediate-cuff-pressure': fc.record({
    unit: fc.constantFrom('mmHg', 'kPa' as const),
    cuffPressure: sfloat,
    timestamp: nullable(dateTime),
    pulseRate: nullable(sfloat),
    userId: nullable(uint8),
    status: bloodPressureStatus,
  }),
  'plx-spot-check-measurement': fc.record({
    spo2: sfloat,
    pulseRate: sfloat,
    timestamp: nullable(dateTime),
    deviceClockNotSet: fc.boolean(),
    measurementStatus: nullable(bits(PLX_MEASUREMENT_STATUS_BITS)),
    deviceAndSensorStatus: nullable(bits(PLX_DEVICE_AND_SENSOR_STATUS_BITS)),
    pulseAmplitudeIndex: nullable(sfloat),
  }),
  'plx-continuous-measurement': fc.record({
    normal: fc.record({ spo2: sfloat, pulseRate: sfloat }),
    fast: nullable(fc.record({ spo2: sfloat, pulseRate: sfloat })),
    slow: nullable(fc.record({ spo2: sfloat, pulseRate: sfloat })),
    measurementStatus: nullable(bits(PLX_MEASUREMENT_STATUS_BITS)),
    deviceAndSensorStatus: nullable(bits(PLX_DEVICE_AND_SENSOR_STATUS_BITS)),
    pulseAmplitudeIndex: nullable(sfloat),
  }),
  'weight-measurement': unitSystem.chain((system) =>
    fc.record({
      unitSystem: fc.constant(system),
      weight: fc.oneof(fc.constant('unsuccessful' as const), scaled(system === 'SI' ? 200 : 100, 0xfffe)),
      timestamp: nullable(dateTime),
      userId: nullable(uint8),
      bmiAndHeight: nullable(fc.record({ bmi: scaled(10), height: scaled(system === 'SI' ? 1000 : 10) })),
    }),
  ),
  'weight-scale-feature': fc.record({
    timeStampSupported: fc.boolean(),
    multipleUsersSupported: fc.boolean(),
    bmiSupported: fc.boolean(),
    weightResolution: fc.oneof(fc.constant('not-specified' as const), fc.constantFrom(...WEIGHT_RESOLUTIONS)),
    heightResolution: fc.oneof(fc.constant('not-specified' as const), fc.constantFrom(...HEIGHT_RESOLUTIONS)),
  }),
  'body-composition-measurement': bodyComposition,
  'glucose-measurement': fc.record({
    sequenceNumber: uint16,
    baseTime: dateTime,
    timeOffsetMinutes: nullable(fc.integer({ min: -0x8000, max: 0x7fff })),
    concentration: nullable(
      fc.record({
        value: sfloat,
        unit: fc.constantFrom('kg/L', 'mol/L' as const),
        type: fc.constantFrom(...GLUCOSE_SAMPLE_TYPES, 'reserved' as const),
        sampleLocation: fc.constantFrom(...GLUCOSE_SAMPLE_LOCATIONS.values(), 'reserved' as const),
      }),
    ),
    sensorStatus: nullable(bits(GLUCOSE_SENSOR_STATUS_BITS)),
    contextInformationFollows: fc.boolean(),
  }),
  'record-access-control-point': racp,
  'temperature-measurement': fc.record({
    unit: fc.constantFrom('celsius', 'fahrenheit' as const),
    value: float,
    timestamp: nullable(dateTime),
    temperatureType: nullable(fc.constantFrom(...TEMPERATURE_TYPES, 'reserved' as const)),
  }),
  'heart-rate-measurement': heartRate,
  'battery-level': fc.record({ level: fc.integer({ min: 0, max: 100 }) }),
  'current-time': fc.record({
    dateTime,
    dayOfWeek: nullable(fc.constantFrom(...DAYS_OF_WEEK)),
    fractions256: uint8,
    adjustReason: bits(ADJUST_REASON_BITS),
  }),
};
