import type { CharacteristicKey } from './characteristic-uuid';
import type { BatteryLevel } from './characteristics/battery-level.decoder';
import type { BloodPressureMeasurement } from './characteristics/blood-pressure-measurement.decoder';
import type { BodyCompositionMeasurement } from './characteristics/body-composition-measurement.decoder';
import type { CurrentTime } from './characteristics/current-time.decoder';
import type { GlucoseMeasurement } from './characteristics/glucose-measurement.decoder';
import type { HeartRateMeasurement } from './characteristics/heart-rate-measurement.decoder';
import type { IntermediateCuffPressure } from './characteristics/intermediate-cuff-pressure.decoder';
import type { PlxContinuousMeasurement } from './characteristics/plx-continuous-measurement.decoder';
import type { PlxSpotCheckMeasurement } from './characteristics/plx-spot-check-measurement.decoder';
import type { RecordAccessControlPoint } from './characteristics/record-access-control-point.decoder';
import type { TemperatureMeasurement } from './characteristics/temperature-measurement.decoder';
import type { WeightMeasurement } from './characteristics/weight-measurement.decoder';
import type { WeightScaleFeature } from './characteristics/weight-scale-feature.decoder';
import type { AbsentReading, ReadingDraft } from './readings';

/** The typed measurement each characteristic decodes to. */
export interface MeasurementByCharacteristic {
  'blood-pressure-measurement': BloodPressureMeasurement;
  'intermediate-cuff-pressure': IntermediateCuffPressure;
  'plx-spot-check-measurement': PlxSpotCheckMeasurement;
  'plx-continuous-measurement': PlxContinuousMeasurement;
  'weight-measurement': WeightMeasurement;
  'weight-scale-feature': WeightScaleFeature;
  'body-composition-measurement': BodyCompositionMeasurement;
  'glucose-measurement': GlucoseMeasurement;
  'record-access-control-point': RecordAccessControlPoint;
  'temperature-measurement': TemperatureMeasurement;
  'heart-rate-measurement': HeartRateMeasurement;
  'battery-level': BatteryLevel;
  'current-time': CurrentTime;
}

// Compile-time check that the two lists of characteristics agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const CATALOGUE_MATCHES_MEASUREMENTS: Same<keyof MeasurementByCharacteristic, CharacteristicKey> = true;

export interface DecodedFrameOf<K extends CharacteristicKey> {
  readonly characteristic: K;
  readonly measurement: MeasurementByCharacteristic[K];
  /** Readings in canonical units; empty for characteristics that carry none. */
  readonly readings: readonly ReadingDraft[];
  /** Vitals the frame carries but gave no reading for, with the reason. */
  readonly absent: readonly AbsentReading[];
}

/** A decoded frame, discriminated by `characteristic`. */
export type DecodedFrame = { [K in CharacteristicKey]: DecodedFrameOf<K> }[CharacteristicKey];

/**
 * What the caller knows beyond the frame. Today only the scale's Weight Scale Feature, accepted so
 * the source can pass what it read; it is deliberately NOT used to scale the raw weight (the spec
 * fixes 0.005 kg / 0.01 lb whatever resolution the feature advertises).
 */
export interface DecodeContext {
  readonly weightScaleFeature?: WeightScaleFeature;
}
