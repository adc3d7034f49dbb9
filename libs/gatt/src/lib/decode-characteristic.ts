import { CHARACTERISTICS, formatUuid16, isSupportedUuid, parseCharacteristicUuid, GATT_UUID, type CharacteristicKey } from './characteristic-uuid';
import { batteryLevelReadings, decodeBatteryLevel } from './characteristics/battery-level.decoder';
import { bloodPressureMeasurementReadings, decodeBloodPressureMeasurement } from './characteristics/blood-pressure-measurement.decoder';
import { bodyCompositionMeasurementReadings, decodeBodyCompositionMeasurement } from './characteristics/body-composition-measurement.decoder';
import { currentTimeReadings, decodeCurrentTime } from './characteristics/current-time.decoder';
import { decodeGlucoseMeasurement, glucoseMeasurementReadings } from './characteristics/glucose-measurement.decoder';
import { decodeHeartRateMeasurement, heartRateMeasurementReadings } from './characteristics/heart-rate-measurement.decoder';
import { decodeIntermediateCuffPressure, intermediateCuffPressureReadings } from './characteristics/intermediate-cuff-pressure.decoder';
import { decodePlxContinuousMeasurement, plxContinuousMeasurementReadings } from './characteristics/plx-continuous-measurement.decoder';
import { decodePlxSpotCheckMeasurement, plxSpotCheckMeasurementReadings } from './characteristics/plx-spot-check-measurement.decoder';
import { decodeRecordAccessControlPoint, recordAccessControlPointReadings } from './characteristics/record-access-control-point.decoder';
import { decodeTemperatureMeasurement, temperatureMeasurementReadings } from './characteristics/temperature-measurement.decoder';
import { decodeWeightMeasurement, weightMeasurementReadings } from './characteristics/weight-measurement.decoder';
import { decodeWeightScaleFeature, weightScaleFeatureReadings } from './characteristics/weight-scale-feature.decoder';
import { gattFail, guardDecode, type GattResult } from './errors';
import type { DecodeContext, DecodedFrame, DecodedFrameOf, MeasurementByCharacteristic } from './measurements';
import type { ReadingSet } from './readings';

/**
 * Decodes one characteristic value: bytes → typed measurement → readings in canonical units.
 * `uuid` is a 16-bit number or any text parseCharacteristicUuid accepts. Never throws; a malformed
 * frame is a coded error naming the field and byte offset, and yields no readings at all.
 */
export function decodeCharacteristic(uuid: string | number, bytes: Uint8Array, context: DecodeContext = {}): GattResult<DecodedFrame> {
  // The decoders guard themselves; this outer guard also covers a JavaScript caller passing, say,
  // undefined for the UUID.
  const guarded = guardDecode('decodeCharacteristic', () => dispatch(uuid, bytes, context));
  return guarded.ok ? guarded.value : guarded;
}

function dispatch(uuid: string | number, bytes: Uint8Array, context: DecodeContext): GattResult<DecodedFrame> {
  const parsed = typeof uuid === 'number' ? { ok: true as const, value: uuid } : parseCharacteristicUuid(uuid);
  if (!parsed.ok) return parsed;
  const uuid16 = parsed.value;
  if (!isSupportedUuid(uuid16)) {
    return gattFail('gatt.unknown-characteristic', `Characteristic ${formatUuid16(uuid16)} is not one Homeward decodes.`, {
      field: 'uuid',
      offset: null,
      uuid: formatUuid16(uuid16),
    });
  }
  // Readings are derived in the guard too: whatever goes wrong there is a coded error, not a throw.
  switch (uuid16) {
    case GATT_UUID.bloodPressureMeasurement:
      return frame('blood-pressure-measurement', context, decodeBloodPressureMeasurement(bytes), bloodPressureMeasurementReadings);
    case GATT_UUID.intermediateCuffPressure:
      return frame('intermediate-cuff-pressure', context, decodeIntermediateCuffPressure(bytes), intermediateCuffPressureReadings);
    case GATT_UUID.plxSpotCheckMeasurement:
      return frame('plx-spot-check-measurement', context, decodePlxSpotCheckMeasurement(bytes), plxSpotCheckMeasurementReadings);
    case GATT_UUID.plxContinuousMeasurement:
      return frame('plx-continuous-measurement', context, decodePlxContinuousMeasurement(bytes), plxContinuousMeasurementReadings);
    case GATT_UUID.weightMeasurement:
      // weightMeasurementReadings ignores context.weightScaleFeature on purpose: see DecodeContext.
      return frame('weight-measurement', context, decodeWeightMeasurement(bytes), weightMeasurementReadings);
    case GATT_UUID.weightScaleFeature:
      return frame('weight-scale-feature', context, decodeWeightScaleFeature(bytes), weightScaleFeatureReadings);
    case GATT_UUID.bodyCompositionMeasurement:
      return frame('body-composition-measurement', context, decodeBodyCompositionMeasurement(bytes), bodyCompositionMeasurementReadings);
    case GATT_UUID.glucoseMeasurement:
      return frame('glucose-measurement', context, decodeGlucoseMeasurement(bytes), glucoseMeasurementReadings);
    case GATT_UUID.recordAccessControlPoint:
      return frame('record-access-control-point', context, decodeRecordAccessControlPoint(bytes), recordAccessControlPointReadings);
    case GATT_UUID.temperatureMeasurement:
      return frame('temperature-measurement', context, decodeTemperatureMeasurement(bytes), temperatureMeasurementReadings);
    case GATT_UUID.heartRateMeasurement:
      return frame('heart-rate-measurement', context, decodeHeartRateMeasurement(bytes), heartRateMeasurementReadings);
    case GATT_UUID.batteryLevel:
      return frame('battery-level', context, decodeBatteryLevel(bytes), batteryLevelReadings);
    case GATT_UUID.currentTime:
      return frame('current-time', context, decodeCurrentTime(bytes), currentTimeReadings);
    default: {
      // Exhaustiveness: adding a UUID to GATT_UUID without a case above fails to compile here.
      const missing: never = uuid16;
      return gattFail('gatt.internal-error', `No decoder for ${formatUuid16(missing)}.`, { field: 'uuid', offset: null });
    }
  }
}

function frame<K extends CharacteristicKey>(
  characteristic: K,
  context: DecodeContext,
  decoded: GattResult<MeasurementByCharacteristic[K]>,
  toReadings: (measurement: MeasurementByCharacteristic[K], context: DecodeContext) => ReadingSet,
): GattResult<DecodedFrame> {
  if (!decoded.ok) return decoded;
  const measurement = decoded.value;
  return guardDecode(CHARACTERISTICS[characteristic].name, () => {
    const { readings, absent } = toReadings(measurement, context);
    const result: DecodedFrameOf<K> = { characteristic, measurement, readings, absent };
    return result as DecodedFrame;
  });
}
