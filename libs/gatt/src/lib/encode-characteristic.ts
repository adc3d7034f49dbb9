import type { CharacteristicKey } from './characteristic-uuid';
import { encodeBatteryLevel } from './characteristics/battery-level.encoder';
import { encodeBloodPressureMeasurement } from './characteristics/blood-pressure-measurement.encoder';
import { encodeBodyCompositionMeasurement } from './characteristics/body-composition-measurement.encoder';
import { encodeCurrentTime } from './characteristics/current-time.encoder';
import { encodeGlucoseMeasurement } from './characteristics/glucose-measurement.encoder';
import { encodeHeartRateMeasurement } from './characteristics/heart-rate-measurement.encoder';
import { encodeIntermediateCuffPressure } from './characteristics/intermediate-cuff-pressure.encoder';
import { encodePlxContinuousMeasurement } from './characteristics/plx-continuous-measurement.encoder';
import { encodePlxSpotCheckMeasurement } from './characteristics/plx-spot-check-measurement.encoder';
import { encodeRecordAccessControlPoint } from './characteristics/record-access-control-point.encoder';
import { encodeTemperatureMeasurement } from './characteristics/temperature-measurement.encoder';
import { encodeWeightMeasurement } from './characteristics/weight-measurement.encoder';
import { encodeWeightScaleFeature } from './characteristics/weight-scale-feature.encoder';
import type { MeasurementByCharacteristic } from './measurements';

/**
 * Encodes a measurement as its characteristic value: what a simulated peripheral sends. Throws a
 * RangeError for a value the characteristic cannot carry (a programming error in the caller).
 */
export function encodeCharacteristic<K extends CharacteristicKey>(characteristic: K, measurement: MeasurementByCharacteristic[K]): Uint8Array {
  // Each case narrows K only in the key, not in the measurement's type, hence the casts.
  const key: CharacteristicKey = characteristic;
  type M = MeasurementByCharacteristic;
  switch (key) {
    case 'blood-pressure-measurement':
      return encodeBloodPressureMeasurement(measurement as M[typeof key]);
    case 'intermediate-cuff-pressure':
      return encodeIntermediateCuffPressure(measurement as M[typeof key]);
    case 'plx-spot-check-measurement':
      return encodePlxSpotCheckMeasurement(measurement as M[typeof key]);
    case 'plx-continuous-measurement':
      return encodePlxContinuousMeasurement(measurement as M[typeof key]);
    case 'weight-measurement':
      return encodeWeightMeasurement(measurement as M[typeof key]);
    case 'weight-scale-feature':
      return encodeWeightScaleFeature(measurement as M[typeof key]);
    case 'body-composition-measurement':
      return encodeBodyCompositionMeasurement(measurement as M[typeof key]);
    case 'glucose-measurement':
      return encodeGlucoseMeasurement(measurement as M[typeof key]);
    case 'record-access-control-point':
      return encodeRecordAccessControlPoint(measurement as M[typeof key]);
    case 'temperature-measurement':
      return encodeTemperatureMeasurement(measurement as M[typeof key]);
    case 'heart-rate-measurement':
      return encodeHeartRateMeasurement(measurement as M[typeof key]);
    case 'battery-level':
      return encodeBatteryLevel(measurement as M[typeof key]);
    case 'current-time':
      return encodeCurrentTime(measurement as M[typeof key]);
    default: {
      const missing: never = key;
      throw new RangeError(`No encoder for ${String(missing)}.`);
    }
  }
}
