import type { Device as FhirDevice, Patient as FhirPatient, Flag } from '@medplum/fhirtypes';
import type { Alert, AlertSeverityBand, Device, DeviceType, Patient } from '@homeward/domain';
import { EXTENSION, SYSTEM } from './systems';

/** A patient with the NHS number identifier (UK Core: system https://fhir.nhs.uk/Id/nhs-number). */
export function patientToFhir(patient: Patient): FhirPatient {
  return {
    resourceType: 'Patient',
    id: patient.id,
    identifier: [{ system: SYSTEM.nhsNumber, value: patient.nhsNumber.replace(/\s/g, '') }],
    name: [{ use: 'official', family: patient.familyName, given: [patient.givenName] }],
    birthDate: patient.dateOfBirth,
  };
}

const DEVICE_TYPE_NAMES: Readonly<Record<DeviceType, string>> = {
  'blood-pressure-monitor': 'Blood pressure monitor',
  'pulse-oximeter': 'Pulse oximeter',
  'weight-scale': 'Weight scale',
  thermometer: 'Thermometer',
  'glucose-meter': 'Glucose meter',
  hub: 'Home hub (personal health gateway)',
  'patient-app': 'Patient app',
};

/**
 * The device's type as the PHD IG codes it (IEEE 11073-10101): measuring devices by their device
 * specialization profile (MDC_DEV_SPEC_PROFILE_*, 528384 + the 104xx specialization number), a hub
 * or the patient app as a Personal Health Gateway (MDC_MOC_VMS_MDS_AHD).
 */
const DEVICE_TYPE_MDC: Readonly<Record<DeviceType, { code: string; display: string }>> = {
  'pulse-oximeter': { code: '528388', display: 'MDC_DEV_SPEC_PROFILE_PULS_OXIM' },
  'blood-pressure-monitor': { code: '528391', display: 'MDC_DEV_SPEC_PROFILE_BPM' },
  thermometer: { code: '528392', display: 'MDC_DEV_SPEC_PROFILE_TEMP' },
  'weight-scale': { code: '528399', display: 'MDC_DEV_SPEC_PROFILE_SCALE' },
  'glucose-meter': { code: '528401', display: 'MDC_DEV_SPEC_PROFILE_GLUCOSE' },
  hub: { code: '531981', display: 'MDC_MOC_VMS_MDS_AHD' },
  'patient-app': { code: '531981', display: 'MDC_MOC_VMS_MDS_AHD' },
};

/**
 * How a device keeps time, as the PHD IG describes a device's time capability (MDC_TIME_CAP_STATE,
 * 68219). Homeward does not read the capability bits from devices, so this says in words what it
 * knows: gateways keep network time; measuring devices stamp readings with their own clock, which
 * Homeward corrects from the coincident timestamp when the sender gives one.
 */
function timeCapability(type: DeviceType): string {
  return type === 'hub' || type === 'patient-app'
    ? 'Clock synchronised to network time; sends the coincident timestamp with every upload.'
    : 'Own real-time clock; readings are time-stamped by the device and corrected for its offset from the coincident timestamp.';
}

export function deviceToFhir(device: Device): FhirDevice {
  return {
    resourceType: 'Device',
    id: device.id,
    identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SNO', display: 'Serial Number' }] }, system: SYSTEM.deviceSerial, value: device.serial }],
    status: 'active',
    serialNumber: device.serial,
    ...(device.model ? { modelNumber: device.model, deviceName: [{ name: device.model, type: 'model-name' as const }] } : {}),
    type: { coding: [{ system: SYSTEM.mdc, ...DEVICE_TYPE_MDC[device.type] }], text: DEVICE_TYPE_NAMES[device.type] },
    ...(device.patientId ? { patient: { reference: `Patient/${device.patientId}` } } : {}),
    property: [
      {
        type: { coding: [{ system: SYSTEM.mdc, code: '68219', display: 'MDC_TIME_CAP_STATE' }], text: 'Time capability' },
        valueCode: [{ text: timeCapability(device.type) }],
      },
    ],
  };
}

/** Alert severity → flag priority (http://terminology.hl7.org/CodeSystem/flag-priority-code). */
const PRIORITY: Readonly<Record<AlertSeverityBand, { code: string; display: string }>> = {
  low: { code: 'PL', display: 'Low priority' },
  'low-medium': { code: 'PM', display: 'Medium priority' },
  medium: { code: 'PM', display: 'Medium priority' },
  high: { code: 'PH', display: 'High priority' },
};

/** An alert → a Flag: active until resolved, with its priority and the rule that raised it. */
export function alertToFlag(alert: Alert): Flag {
  const priority = PRIORITY[alert.severity];
  return {
    resourceType: 'Flag',
    id: alert.id,
    extension: [
      {
        url: EXTENSION.flagPriority,
        valueCodeableConcept: { coding: [{ system: SYSTEM.flagPriority, code: priority.code, display: priority.display }], text: `${alert.severity} severity` },
      },
    ],
    status: alert.state === 'resolved' ? 'inactive' : 'active',
    category: [{ coding: [{ system: SYSTEM.flagCategory, code: 'clinical', display: 'Clinical' }] }],
    code: { coding: [{ system: SYSTEM.alertRule, code: alert.rule, display: alert.subject }], text: alert.explanation },
    subject: { reference: `Patient/${alert.patientId}` },
    period: { start: alert.openedAt.toISOString(), ...(alert.resolvedAt ? { end: alert.resolvedAt.toISOString() } : {}) },
  };
}
