import {
  type BloodPressureMeasurement,
  type BloodPressureMeasurementStatus,
  type GlucoseMeasurement,
  type PlxContinuousMeasurement,
  type PlxSpotCheckMeasurement,
  type RacpRecordSelection,
  type RacpResponseCode,
  type RecordAccessControlPoint,
  type TemperatureMeasurement,
  type TemperatureType,
  type WeightMeasurement,
  decodeRecordAccessControlPoint,
  encodeCharacteristic,
} from '@homeward/gatt';
import { BLE_CHARACTERISTIC as C, BLE_SERVICE as S } from './ble-uuid';
import { ATT_ERROR } from './simulated-peripheral';
import { type HealthDeviceOptions, SimulatedHealthDevice } from './simulated-health-device';

/** Blood pressure cuff: Blood Pressure Service 0x1810, Blood Pressure Measurement 0x2A35 (indicate). */
export class SimulatedBloodPressureCuff extends SimulatedHealthDevice {
  protected readonly measurementCharacteristics = [C.bloodPressureMeasurement];

  constructor(options: HealthDeviceOptions) {
    super(options, {
      serviceUuid: S.bloodPressure,
      defaultName: 'BP Cuff',
      characteristics: [
        { uuid: C.bloodPressureMeasurement, properties: ['indicate'] },
        // Blood Pressure Feature: body movement, cuff fit, irregular pulse, pulse rate range, position detection.
        { uuid: C.bloodPressureFeature, properties: ['read'], onRead: () => Uint8Array.of(0x1f, 0x00) },
      ],
    });
  }

  /** Takes a measurement at true time `at` (default now), stamped by the device clock; sent or stored. */
  measure(values: {
    systolic: number;
    diastolic: number;
    meanArterialPressure?: number;
    pulseRate?: number | null;
    unit?: 'mmHg' | 'kPa';
    status?: BloodPressureMeasurementStatus | null;
    at?: Date;
  }): BloodPressureMeasurement {
    const measurement: BloodPressureMeasurement = {
      unit: values.unit ?? 'mmHg',
      systolic: values.systolic,
      diastolic: values.diastolic,
      meanArterialPressure: values.meanArterialPressure ?? Math.round((values.systolic + 2 * values.diastolic) / 3),
      timestamp: this.timestampAt(values.at),
      pulseRate: values.pulseRate === undefined ? null : values.pulseRate,
      userId: null,
      status: values.status ?? null,
    };
    this.deliverMeasurement(C.bloodPressureMeasurement, 'blood-pressure-measurement', measurement);
    return measurement;
  }
}

/** Pulse oximeter: Pulse Oximeter Service 0x1822, PLX Spot-Check 0x2A5E (indicate), PLX Continuous 0x2A5F (notify). */
export class SimulatedPulseOximeter extends SimulatedHealthDevice {
  protected readonly measurementCharacteristics = [C.plxSpotCheckMeasurement];

  constructor(options: HealthDeviceOptions) {
    super(options, {
      serviceUuid: S.pulseOximeter,
      defaultName: 'Oximeter',
      characteristics: [
        { uuid: C.plxSpotCheckMeasurement, properties: ['indicate'] },
        { uuid: C.plxContinuousMeasurement, properties: ['notify'] },
        // PLX Features: Supported Features 0 (no optional fields).
        { uuid: C.plxFeatures, properties: ['read'], onRead: () => Uint8Array.of(0x00, 0x00) },
      ],
    });
  }

  /** A spot-check reading, time-stamped; stored until a central subscribes to 0x2A5E. */
  spotCheck(values: { spo2: number; pulseRate: number; at?: Date }): PlxSpotCheckMeasurement {
    const measurement: PlxSpotCheckMeasurement = {
      spo2: values.spo2,
      pulseRate: values.pulseRate,
      timestamp: this.timestampAt(values.at),
      deviceClockNotSet: this.clock?.unset ?? false,
      measurementStatus: null,
      deviceAndSensorStatus: null,
      pulseAmplitudeIndex: null,
    };
    this.deliverMeasurement(C.plxSpotCheckMeasurement, 'plx-spot-check-measurement', measurement);
    return measurement;
  }

  /**
   * A continuous reading: live only, never stored (the characteristic has no time stamp). Returns
   * whether a central received it.
   */
  continuous(values: { spo2: number; pulseRate: number }): boolean {
    const measurement: PlxContinuousMeasurement = {
      normal: { spo2: values.spo2, pulseRate: values.pulseRate },
      fast: null,
      slow: null,
      measurementStatus: null,
      deviceAndSensorStatus: null,
      pulseAmplitudeIndex: null,
    };
    return this.sendNow(C.plxContinuousMeasurement, encodeCharacteristic('plx-continuous-measurement', measurement));
  }
}

/** Weight scale: Weight Scale Service 0x181D, Weight Measurement 0x2A9D (indicate), Weight Scale Feature 0x2A9E. */
export class SimulatedWeightScale extends SimulatedHealthDevice {
  protected readonly measurementCharacteristics = [C.weightMeasurement];

  constructor(options: HealthDeviceOptions) {
    super(options, {
      serviceUuid: S.weightScale,
      defaultName: 'Scale',
      characteristics: [
        {
          uuid: C.weightScaleFeature,
          properties: ['read'],
          onRead: () =>
            encodeCharacteristic('weight-scale-feature', {
              timeStampSupported: true,
              multipleUsersSupported: false,
              bmiSupported: false,
              weightResolution: { kg: 0.05, lb: 0.1 },
              heightResolution: 'not-specified',
            }),
        },
        { uuid: C.weightMeasurement, properties: ['indicate'] },
      ],
    });
  }

  /** Weighs the patient (kg, or lb with `imperial`). */
  weigh(values: { kg?: number; lb?: number; at?: Date }): WeightMeasurement {
    const imperial = values.lb !== undefined;
    const measurement: WeightMeasurement = {
      unitSystem: imperial ? 'imperial' : 'SI',
      weight: (imperial ? values.lb : values.kg) ?? 0,
      timestamp: this.timestampAt(values.at),
      userId: null,
      bmiAndHeight: null,
    };
    this.deliverMeasurement(C.weightMeasurement, 'weight-measurement', measurement);
    return measurement;
  }
}

/** Thermometer: Health Thermometer Service 0x1809, Temperature Measurement 0x2A1C (indicate). */
export class SimulatedThermometer extends SimulatedHealthDevice {
  protected readonly measurementCharacteristics = [C.temperatureMeasurement];

  constructor(options: HealthDeviceOptions) {
    super(options, {
      serviceUuid: S.healthThermometer,
      defaultName: 'Thermometer',
      characteristics: [{ uuid: C.temperatureMeasurement, properties: ['indicate'] }],
    });
  }

  measure(values: { celsius?: number; fahrenheit?: number; type?: TemperatureType; at?: Date }): TemperatureMeasurement {
    const fahrenheit = values.fahrenheit !== undefined;
    const measurement: TemperatureMeasurement = {
      unit: fahrenheit ? 'fahrenheit' : 'celsius',
      value: (fahrenheit ? values.fahrenheit : values.celsius) ?? 0,
      timestamp: this.timestampAt(values.at),
      temperatureType: values.type ?? 'ear',
    };
    this.deliverMeasurement(C.temperatureMeasurement, 'temperature-measurement', measurement);
    return measurement;
  }
}

export interface GlucoseRecord {
  readonly sequenceNumber: number;
  readonly frame: Uint8Array;
}

/**
 * Glucose meter: Glucose Service 0x1808, Glucose Measurement 0x2A18 (notify), Glucose Feature
 * 0x2A51, Record Access Control Point 0x2A52 (write, indicate). It keeps its records, each with a
 * sequence number, and sends them only when asked through the RACP (Glucose Profile §4.8):
 * the client enables notifications on 0x2A18 and indications on 0x2A52, writes a request, gets
 * the selected records as 0x2A18 notifications, then the RACP response code as an indication.
 * A request while the RACP CCCD is off is refused with ATT error 0xFD.
 */
export class SimulatedGlucoseMeter extends SimulatedHealthDevice {
  protected readonly measurementCharacteristics: readonly string[] = [];
  readonly records: GlucoseRecord[] = [];
  /** The RACP requests received, decoded, for tests. */
  readonly racpRequests: RecordAccessControlPoint[] = [];
  private nextSequence: number;
  private unfetched = false;

  constructor(options: HealthDeviceOptions & { readonly firstSequenceNumber?: number }) {
    super(
      { ...options, disconnectAfterSend: options.disconnectAfterSend ?? false },
      {
        serviceUuid: S.glucose,
        defaultName: 'Glucose',
        characteristics: [
          { uuid: C.glucoseMeasurement, properties: ['notify'] },
          // Glucose Feature: Low Battery Detection, Sensor Malfunction Detection supported.
          { uuid: C.glucoseFeature, properties: ['read'], onRead: () => Uint8Array.of(0x03, 0x00) },
          {
            uuid: C.recordAccessControlPoint,
            properties: ['write', 'indicate'],
            onWrite: () => {
              if (!this.peripheral.isSubscribed(C.recordAccessControlPoint)) return ATT_ERROR.cccdImproperlyConfigured;
              return undefined;
            },
          },
        ],
      },
    );
    this.nextSequence = options.firstSequenceNumber ?? 1;
    this.peripheral.on('write', (uuid: string, data: Uint8Array) => {
      if (uuid === C.recordAccessControlPoint) this.handleRacp(data);
    });
    this.peripheral.on('disconnect', () => {
      this.unfetched = false;
      this.updateAdvertising();
    });
  }

  /** Stores a glucose result (mmol/L; sent as mol/L, as meters do) with the next sequence number. */
  addRecord(values: { mmolPerL: number; at?: Date }): GlucoseMeasurement {
    const measurement: GlucoseMeasurement = {
      sequenceNumber: this.nextSequence,
      baseTime: this.timestampAt(values.at),
      timeOffsetMinutes: null,
      concentration: { value: Number((values.mmolPerL / 1000).toPrecision(6)), unit: 'mol/L', type: 'capillary-whole-blood', sampleLocation: 'finger' },
      sensorStatus: null,
      contextInformationFollows: false,
    };
    this.pushRecord(this.nextSequence, encodeCharacteristic('glucose-measurement', measurement));
    return measurement;
  }

  /** Stores raw bytes as the record with the next sequence number (a malformed record, say). */
  addRawRecord(bytes: Uint8Array): number {
    const sequenceNumber = this.nextSequence;
    this.pushRecord(sequenceNumber, Uint8Array.from(bytes));
    return sequenceNumber;
  }

  private pushRecord(sequenceNumber: number, frame: Uint8Array): void {
    this.records.push({ sequenceNumber, frame });
    this.nextSequence = (this.nextSequence + 1) & 0xffff;
    this.unfetched = true;
    this.updateAdvertising();
  }

  protected override hasMoreToOffer(): boolean {
    // Called from the base constructor too, before this class's fields exist.
    return this.unfetched === true;
  }

  private handleRacp(data: Uint8Array): void {
    const decoded = decodeRecordAccessControlPoint(data);
    if (!decoded.ok) {
      this.respond('reserved', 'op-code-not-supported');
      return;
    }
    const request = decoded.value;
    this.racpRequests.push(request);
    switch (request.opCode) {
      case 'report-stored-records': {
        const selected = this.select(request);
        if (typeof selected === 'string') return this.respond(request.opCode, selected);
        if (selected.length === 0) return this.respond(request.opCode, 'no-records-found');
        for (const record of selected) this.sendNow(C.glucoseMeasurement, record.frame);
        this.respond(request.opCode, 'success');
        if (this.disconnectAfterSend) this.peripheral.disconnect();
        return;
      }
      case 'report-number-of-stored-records': {
        const selected = this.select(request);
        if (typeof selected === 'string') return this.respond(request.opCode, selected);
        this.peripheral.send(
          C.recordAccessControlPoint,
          encodeCharacteristic('record-access-control-point', { opCode: 'number-of-stored-records-response', numberOfRecords: selected.length }),
        );
        return;
      }
      case 'delete-stored-records': {
        const selected = this.select(request);
        if (typeof selected === 'string') return this.respond(request.opCode, selected);
        for (const record of selected) this.records.splice(this.records.indexOf(record), 1);
        return this.respond(request.opCode, 'success');
      }
      case 'abort-operation':
        return this.respond(request.opCode, 'success');
      default:
        return this.respond(request.opCode, 'op-code-not-supported');
    }
  }

  private select(request: RacpRecordSelection): GlucoseRecord[] | RacpResponseCode {
    const all = [...this.records].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
    switch (request.operator) {
      case 'all-records':
        return all;
      case 'first-record':
        return all.slice(0, 1);
      case 'last-record':
        return all.slice(-1);
      case 'less-than-or-equal-to':
      case 'greater-than-or-equal-to': {
        if (request.filter.type !== 'sequence-number') return 'operand-not-supported';
        const n = request.filter.value;
        return all.filter((r) => (request.operator === 'less-than-or-equal-to' ? r.sequenceNumber <= n : r.sequenceNumber >= n));
      }
      case 'within-range-of': {
        if (request.filter.type !== 'sequence-number') return 'operand-not-supported';
        const { min, max } = request.filter;
        return all.filter((r) => r.sequenceNumber >= min && r.sequenceNumber <= max);
      }
    }
  }

  private respond(requestOpCode: RecordAccessControlPoint['opCode'] | 'reserved', responseCode: RacpResponseCode): void {
    this.peripheral.send(C.recordAccessControlPoint, encodeCharacteristic('record-access-control-point', { opCode: 'response-code', requestOpCode, responseCode }));
  }
}

export type AnySimulatedHealthDevice = SimulatedBloodPressureCuff | SimulatedPulseOximeter | SimulatedWeightScale | SimulatedThermometer | SimulatedGlucoseMeter;
