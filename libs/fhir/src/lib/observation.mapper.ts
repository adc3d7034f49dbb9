import type { CodeableConcept, Extension, Identifier, Meta, Observation, ObservationComponent, Quantity } from '@medplum/fhirtypes';
import { type Reading, type ReadingStatusFlag, VITAL_SIGNS, type VitalKey } from '@homeward/domain';
import { isMeasurementFlag, flagInterpretation, flagTag } from './reading-status';
import { EXTENSION, PROFILE, SYSTEM } from './systems';
import { BLOOD_PRESSURE_VITALS, bloodPressurePanelCode, vitalCategory, vitalCode, vitalProfile } from './vital-codes';

/** A reading as stored (it has its store id, which becomes the Observation id). */
export type StoredReadingLike = Reading & { readonly id: string };

export interface ObservationContext {
  /**
   * The Personal Health Gateway a device reading came through (the patient's home hub), or
   * null, for a reading that has none recorded (Reading.gatewayId wins). PHD IG:
   * Observation.extension:gatewayDevice.
   */
  readonly gatewayDeviceFor?: (reading: StoredReadingLike) => string | null;
}

export const VITAL_SIGNS_CATEGORY: CodeableConcept = {
  coding: [{ system: SYSTEM.observationCategory, code: 'vital-signs', display: 'Vital Signs' }],
  text: 'Vital Signs',
};

const LABORATORY_CATEGORY: CodeableConcept = {
  coding: [{ system: SYSTEM.observationCategory, code: 'laboratory', display: 'Laboratory' }],
  text: 'Laboratory',
};

function categoryOf(vital: VitalKey): CodeableConcept {
  return vitalCategory(vital) === 'vital-signs' ? VITAL_SIGNS_CATEGORY : LABORATORY_CATEGORY;
}

/** The profiles a reading's Observation claims: the R4 vital-signs family, for vital signs only. */
function profilesOf(vital: VitalKey): string[] {
  if (vitalCategory(vital) !== 'vital-signs') return [];
  const profile = vitalProfile(vital);
  return profile ? [PROFILE.vitalSigns, profile] : [PROFILE.vitalSigns];
}

export function quantity(value: number, unit: string): Quantity {
  return { value, unit, system: SYSTEM.ucum, code: unit };
}

/** The PHD duplicate-detection identifier: the reading's idempotency key (device, vital, time, value). */
export function readingIdentifier(reading: Pick<Reading, 'idempotencyKey'>): Identifier {
  return { use: 'secondary', system: SYSTEM.readingKey, value: reading.idempotencyKey };
}

/**
 * Readings → FHIR R4 Observations (vital-signs profile, UK Core codes, HL7 PHD IG). Systolic,
 * diastolic and mean arterial pressure measured at the same instant by the same device (or typed
 * in together) become one blood-pressure panel (85354-9) with components; everything else is one
 * Observation per reading. Ordered by measurement time.
 */
export function readingsToObservations(readings: readonly StoredReadingLike[], context: ObservationContext = {}): Observation[] {
  const panels = new Map<string, StoredReadingLike[]>();
  const out: Array<{ at: number; order: number; observation: Observation }> = [];
  for (const reading of readings) {
    if ((BLOOD_PRESSURE_VITALS as readonly VitalKey[]).includes(reading.vital)) {
      const key = `${reading.deviceId ?? `patient:${reading.patientId}`}|${reading.measuredAt.toISOString()}`;
      panels.set(key, [...(panels.get(key) ?? []), reading]);
    } else {
      out.push({ at: reading.measuredAt.getTime(), order: Number(reading.id), observation: readingToObservation(reading, context) });
    }
  }
  for (const group of panels.values()) {
    const bySide = new Map(group.map((r) => [r.vital, r]));
    const systolic = bySide.get('systolic_bp');
    const diastolic = bySide.get('diastolic_bp');
    const first = group[0] as StoredReadingLike;
    if (!systolic && !diastolic) {
      // A mean arterial pressure on its own is not a panel.
      for (const reading of group) out.push({ at: reading.measuredAt.getTime(), order: Number(reading.id), observation: readingToObservation(reading, context) });
      continue;
    }
    out.push({ at: first.measuredAt.getTime(), order: Math.min(...group.map((r) => Number(r.id))), observation: bloodPressurePanel(group, context) });
  }
  return out.sort((a, b) => a.at - b.at || a.order - b.order).map((o) => o.observation);
}

/** One reading → one Observation. */
export function readingToObservation(reading: StoredReadingLike, context: ObservationContext = {}): Observation {
  return {
    resourceType: 'Observation',
    id: reading.id,
    meta: meta(reading.status, profilesOf(reading.vital)),
    ...gateway(reading, context),
    identifier: [readingIdentifier(reading)],
    status: 'final',
    category: [categoryOf(reading.vital)],
    code: vitalCode(reading.vital),
    subject: { reference: `Patient/${reading.patientId}` },
    effectiveDateTime: reading.measuredAt.toISOString(),
    issued: reading.receivedAt.toISOString(),
    ...(reading.deviceId ? { device: { reference: `Device/${reading.deviceId}` } } : {}),
    valueQuantity: quantity(reading.value, VITAL_SIGNS[reading.vital].unit),
    ...interpretation(reading.status),
  };
}

/** Systolic + diastolic (+ mean) of one measurement → a blood pressure panel (R4 bp profile). */
export function bloodPressurePanel(group: readonly StoredReadingLike[], context: ObservationContext = {}): Observation {
  const first = group[0];
  if (!first) throw new Error('A blood pressure panel needs at least one reading.');
  const ordered = BLOOD_PRESSURE_VITALS.map((vital) => group.find((r) => r.vital === vital));
  const flags = [...new Set(group.flatMap((r) => r.status))];
  const components: ObservationComponent[] = [];
  for (const [index, vital] of BLOOD_PRESSURE_VITALS.entries()) {
    const reading = ordered[index];
    if (reading) components.push({ code: vitalCode(vital), valueQuantity: quantity(reading.value, VITAL_SIGNS[vital].unit) });
    else if (vital !== 'mean_arterial_pressure') {
      // The bp profile requires both sides; a side the device did not send is absent, said so.
      components.push({ code: vitalCode(vital), dataAbsentReason: { coding: [{ system: SYSTEM.dataAbsentReason, code: 'unknown', display: 'Unknown' }], text: 'not measured' } });
    }
  }
  const ids = group.map((r) => r.id).sort((a, b) => Number(a) - Number(b));
  return {
    resourceType: 'Observation',
    id: `bp-${ids.join('-')}`,
    meta: meta(flags, [PROFILE.vitalSigns, PROFILE.bloodPressure]),
    ...gateway(first, context),
    identifier: ordered.filter((r): r is StoredReadingLike => r !== undefined).map(readingIdentifier),
    status: 'final',
    category: [VITAL_SIGNS_CATEGORY],
    code: bloodPressurePanelCode(),
    subject: { reference: `Patient/${first.patientId}` },
    effectiveDateTime: first.measuredAt.toISOString(),
    issued: first.receivedAt.toISOString(),
    ...(first.deviceId ? { device: { reference: `Device/${first.deviceId}` } } : {}),
    ...interpretation(flags),
    component: components,
  };
}

function meta(flags: readonly ReadingStatusFlag[], profiles: string[]): Meta {
  const tags = flags.filter((f) => !isMeasurementFlag(f)).map(flagTag);
  return { ...(profiles.length > 0 ? { profile: profiles } : {}), ...(tags.length > 0 ? { tag: tags } : {}) };
}

function interpretation(flags: readonly ReadingStatusFlag[]): { interpretation?: CodeableConcept[] } {
  const measurement = flags.filter(isMeasurementFlag);
  return measurement.length > 0 ? { interpretation: measurement.map(flagInterpretation) } : {};
}

function gateway(reading: StoredReadingLike, context: ObservationContext): { extension?: Extension[] } {
  // The hub recorded at ingest (Reading.gatewayId) is the fact; the context may only fill in for a reading without one.
  const gatewayId = reading.deviceId ? (reading.gatewayId ?? context.gatewayDeviceFor?.(reading)) : null;
  if (!gatewayId || gatewayId === reading.deviceId) return {};
  return { extension: [{ url: EXTENSION.gatewayDevice, valueReference: { reference: `Device/${gatewayId}` } }] };
}
