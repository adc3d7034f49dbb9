import type { Coding } from '@medplum/fhirtypes';
import { type ReadingStatusFlag, type VitalKey, VITAL_SIGNS, checkPlausible, toCanonicalUnit } from '@homeward/domain';
import { type FhirProblem, problem } from './operation-outcome';
import { unknownObservationElements } from './observation-elements';
import { flagsOfInterpretation, flagsOfTags } from './reading-status';
import { EXTENSION, SYSTEM } from './systems';
import { BLOOD_PRESSURE_VITALS, isBloodPressurePanelCoding, vitalOfCoding } from './vital-codes';

export interface ImportOptions {
  /** Now plus the allowed clock drift: a later effective time is refused (422), never moved to receipt. */
  readonly latestEffective?: Date;
}

/** One reading an Observation carries, ready for the ingest pipeline. */
export interface ImportedReading {
  readonly vital: VitalKey;
  readonly value: number;
  /** As sent (any unit the vital accepts; the pipeline converts). */
  readonly unit: string;
  /** The device's own time stamp: from the duplicate-detection key when we made it, else effectiveDateTime. */
  readonly deviceTime: Date;
  readonly status: readonly ReadingStatusFlag[];
}

export interface ImportedObservation {
  readonly patientId: string;
  readonly deviceId: string | null;
  readonly gatewayDeviceId: string | null;
  /** effectiveDateTime: when it was measured. */
  readonly effectiveAt: Date;
  readonly readings: readonly ImportedReading[];
  /**
   * The device clock "at receipt" to hand the pipeline, so it places the readings at
   * effectiveDateTime although their device time is the one in the key (a clock-corrected
   * reading keeps its original key, so re-importing it is recognised as a duplicate). Null when
   * the two agree.
   */
  deviceClockAt(receivedAt: Date): Date | null;
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const PATIENT_REFERENCE = new RegExp(`^(?:.*/)?Patient/(${UUID})$`);
const DEVICE_REFERENCE = new RegExp(`^(?:.*/)?Device/(${UUID})$`);
// A measurement time must be a full FHIR dateTime: date, time to the second and a zone.
const FULL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const ACCEPTED_STATUS = ['final', 'amended', 'corrected'];

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** The objects of a JSON array (anything else: none), so malformed input cannot make the mapper throw. */
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const codings = (concept: unknown): Coding[] => (isObject(concept) ? (objects(concept['coding']).filter((c) => c['code'] === undefined || typeof c['code'] === 'string') as Coding[]) : []);

/**
 * A FHIR Observation (one vital, or a blood pressure panel) → the readings it carries, or every
 * problem found, each with the FHIRPath of the element at fault. Pure: whether the patient and
 * device exist and may be written to is the caller's to check.
 */
export function observationToReadings(input: unknown, options: ImportOptions = {}): { ok: true; value: ImportedObservation } | { ok: false; problems: FhirProblem[] } {
  if (!isObject(input) || input['resourceType'] !== 'Observation') {
    return { ok: false, problems: [problem('fhir.not-an-observation', 'Send an Observation resource (resourceType "Observation").', 'Observation.resourceType', 'structure')] };
  }
  const problems: FhirProblem[] = unknownObservationElements(input);
  const status = input['status'];
  if (typeof status !== 'string' || !ACCEPTED_STATUS.includes(status)) {
    problems.push(problem('fhir.status-not-accepted', `Observation.status must be one of ${ACCEPTED_STATUS.join(', ')}; got ${JSON.stringify(status ?? null)}.`, 'Observation.status', status === undefined ? 'required' : 'value'));
  }
  const subject = isObject(input['subject']) ? input['subject']['reference'] : undefined;
  const patientId = typeof subject === 'string' ? PATIENT_REFERENCE.exec(subject)?.[1]?.toLowerCase() : undefined;
  if (!patientId) problems.push(problem('fhir.subject-required', 'Observation.subject must reference the patient as "Patient/<id>".', 'Observation.subject.reference', subject === undefined ? 'required' : 'value'));
  let deviceId: string | null = null;
  if (input['device'] !== undefined) {
    const reference = isObject(input['device']) ? input['device']['reference'] : undefined;
    const match = typeof reference === 'string' ? DEVICE_REFERENCE.exec(reference)?.[1] : undefined;
    if (match) deviceId = match.toLowerCase();
    else problems.push(problem('fhir.device-reference', 'Observation.device must reference a device as "Device/<id>".', 'Observation.device.reference', 'value'));
  }
  const gatewayDeviceId = gatewayOf(input['extension']);
  const effective = input['effectiveDateTime'] ?? input['effectiveInstant'];
  const effectivePath = input['effectiveInstant'] !== undefined && input['effectiveDateTime'] === undefined ? 'Observation.effectiveInstant' : 'Observation.effectiveDateTime';
  let effectiveAt: Date | undefined;
  if (typeof effective !== 'string' || !FULL_DATE_TIME.test(effective) || Number.isNaN(Date.parse(effective))) {
    problems.push(
      problem('fhir.effective-required', 'effectiveDateTime must give when it was measured, to the second with a time zone (e.g. 2026-11-22T07:30:00Z).', effectivePath, effective === undefined ? 'required' : 'value'),
    );
  } else {
    effectiveAt = new Date(effective);
    if (options.latestEffective && effectiveAt > options.latestEffective) {
      problems.push(
        problem('fhir.effective-in-future', `${effectivePath.split('.')[1] ?? 'effectiveDateTime'} ${effective} lies in the future (later than ${options.latestEffective.toISOString()}, now plus the allowed clock drift); check the device clock.`, effectivePath, 'business-rule'),
      );
    }
  }
  const code = codings(input['code']);
  const flags = [...flagsOfInterpretation(objects(input['interpretation'])), ...flagsOfTags(isObject(input['meta']) ? (objects(input['meta']['tag']) as Coding[]) : undefined)];
  const items: Array<{ vital: VitalKey; value: number; unit: string }> = [];
  if (code.length === 0) {
    problems.push(problem('fhir.code-required', 'Observation.code must carry a LOINC, SNOMED CT or MDC coding of a vital sign.', 'Observation.code.coding', 'required'));
  } else if (code.some(isBloodPressurePanelCoding)) {
    items.push(...panelComponents(input['component'], problems));
  } else {
    const vital = code.map(vitalOfCoding).find((v) => v !== undefined);
    if (!vital) {
      problems.push(problem('fhir.unknown-code', `None of the codes (${code.map((c) => `${c.system ?? '?'}|${c.code ?? '?'}`).join(', ')}) is a vital sign Homeward records.`, 'Observation.code.coding', 'code-invalid'));
    } else if (vital === 'news2_score' && input['component'] !== undefined) {
      problems.push(problem('fhir.derived-not-accepted', 'A NEWS2 with its parameters is calculated by Homeward; send the parameters as their own Observations.', 'Observation.component', 'business-rule'));
    } else {
      const item = quantityItem(vital, input, 'Observation', problems);
      if (item) items.push({ vital: item.vital, value: item.value, unit: item.unit });
    }
  }
  const keyed = readingKeys(input['identifier'], { patientId, deviceId, vitals: items.map((i) => i.vital) }, problems);
  if (problems.length > 0 || !patientId || !effectiveAt) return { ok: false, problems };
  const at = effectiveAt;
  const readings = items.map((item) => ({ ...item, deviceTime: keyed.get(item.vital) ?? at, status: flags }));
  const keyTime = readings.find((r) => keyed.has(r.vital))?.deviceTime;
  const offsetMs = keyTime ? at.getTime() - keyTime.getTime() : 0;
  return {
    ok: true,
    value: {
      patientId,
      deviceId,
      gatewayDeviceId,
      effectiveAt: at,
      readings,
      deviceClockAt: (receivedAt) => (offsetMs === 0 ? null : new Date(receivedAt.getTime() - offsetMs)),
    },
  };
}

function panelComponents(components: unknown, problems: FhirProblem[]): Array<{ vital: VitalKey; value: number; unit: string }> {
  if (!Array.isArray(components) || components.length === 0) {
    problems.push(problem('fhir.components-required', 'A blood pressure panel carries systolic and diastolic as components.', 'Observation.component', 'required'));
    return [];
  }
  const items: Array<{ vital: VitalKey; value: number; unit: string; canonical: number }> = [];
  components.forEach((component, index) => {
    const path = `Observation.component[${index}]`;
    const vital = codings(isObject(component) ? component['code'] : undefined).map(vitalOfCoding).find((v) => v !== undefined);
    if (!vital || !(BLOOD_PRESSURE_VITALS as readonly string[]).includes(vital)) {
      problems.push(problem('fhir.unknown-code', 'A blood pressure component must be systolic (8480-6), diastolic (8462-4) or mean arterial pressure (8478-0).', `${path}.code`, 'code-invalid'));
      return;
    }
    if (items.some((i) => i.vital === vital)) {
      problems.push(problem('fhir.duplicate-component', `${VITAL_SIGNS[vital].display} appears twice in the panel.`, `${path}.code`, 'business-rule'));
      return;
    }
    if (isObject(component) && component['valueQuantity'] === undefined && component['dataAbsentReason'] !== undefined) return; // a side not measured
    const item = quantityItem(vital, component, path, problems);
    if (item) items.push(item);
  });
  if (problems.length === 0 && items.length === 0) {
    problems.push(problem('fhir.value-absent', 'The panel has no measured component.', 'Observation.component', 'required'));
  }
  problems.push(...inconsistentPressures(items));
  return items.map(({ vital, value, unit }) => ({ vital, value, unit }));
}

/**
 * Physiological consistency of one measurement: systolic above diastolic (a 60/120 is two values
 * swapped, not a blood pressure). Compared in mm[Hg], whatever unit came. (The mean is not
 * checked against them: cuffs compute it by their own algorithms, and stored readings must
 * re-import.)
 */
function inconsistentPressures(items: ReadonlyArray<{ vital: VitalKey; canonical: number }>): FhirProblem[] {
  const of = (vital: VitalKey) => items.find((i) => i.vital === vital)?.canonical;
  const systolic = of('systolic_bp');
  const diastolic = of('diastolic_bp');
  if (systolic !== undefined && diastolic !== undefined && systolic <= diastolic) {
    return [problem('reading.bp-inconsistent', `Systolic ${systolic} mm[Hg] is not above diastolic ${diastolic} mm[Hg]; were the two swapped?`, 'Observation.component', 'business-rule')];
  }
  return [];
}

function quantityItem(vital: VitalKey, holder: unknown, path: string, problems: FhirProblem[]): { vital: VitalKey; value: number; unit: string; canonical: number } | undefined {
  const quantity = isObject(holder) ? holder['valueQuantity'] : undefined;
  if (!isObject(quantity)) {
    const absent = isObject(holder) && holder['dataAbsentReason'] !== undefined;
    problems.push(
      problem(
        absent ? 'fhir.value-absent' : 'fhir.value-required',
        absent ? `${VITAL_SIGNS[vital].display} has no value (dataAbsentReason); only measured values are recorded.` : `${VITAL_SIGNS[vital].display} needs a valueQuantity.`,
        `${path}.value[x]`,
        'required',
      ),
    );
    return undefined;
  }
  const value = quantity['value'];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push(problem('reading.not-a-number', `${VITAL_SIGNS[vital].display} must be a number.`, `${path}.valueQuantity.value`, 'value'));
    return undefined;
  }
  if (quantity['comparator'] !== undefined) {
    problems.push(problem('fhir.comparator-not-accepted', 'A bound ("<", ">=") is not a measurement; send the measured value.', `${path}.valueQuantity.comparator`, 'business-rule'));
    return undefined;
  }
  const ucum = quantity['system'] === SYSTEM.ucum && typeof quantity['code'] === 'string' ? quantity['code'] : undefined;
  const unit = ucum ?? (typeof quantity['unit'] === 'string' ? quantity['unit'] : typeof quantity['code'] === 'string' ? quantity['code'] : undefined);
  const unitPath = ucum ? `${path}.valueQuantity.code` : `${path}.valueQuantity.unit`;
  if (unit === undefined) {
    problems.push(problem('unit.required', `Give the unit as a UCUM code (system ${SYSTEM.ucum}), e.g. ${VITAL_SIGNS[vital].unit}.`, `${path}.valueQuantity.code`, 'required'));
    return undefined;
  }
  const canonical = toCanonicalUnit(vital, value, unit);
  if (!canonical.ok) {
    problems.push(problem(canonical.error.code, canonical.error.message, unitPath, 'code-invalid'));
    return undefined;
  }
  const implausible = checkPlausible(vital, canonical.value.value);
  if (implausible) {
    problems.push(problem(implausible.code, implausible.message, `${path}.valueQuantity.value`, 'business-rule'));
    return undefined;
  }
  return { vital, value, unit, canonical: canonical.value.value };
}

/**
 * The duplicate-detection identifiers Homeward made (one per reading of the Observation), parsed:
 * vital → the device time in the key. A key must belong to this Observation (same patient or
 * device, one of its vitals); foreign identifiers are ignored, as the PHD IG says consumers may.
 */
function readingKeys(
  identifiers: unknown,
  observation: { patientId: string | undefined; deviceId: string | null; vitals: readonly VitalKey[] },
  problems: FhirProblem[],
): Map<VitalKey, Date> {
  const keyed = new Map<VitalKey, Date>();
  if (!Array.isArray(identifiers)) return keyed;
  identifiers.forEach((identifier, index) => {
    if (!isObject(identifier) || identifier['system'] !== SYSTEM.readingKey) return;
    const path = `Observation.identifier[${index}].value`;
    const parsed = parseReadingKey(identifier['value']);
    const origin = observation.deviceId === null ? `patient:${observation.patientId ?? ''}` : `device:${observation.deviceId}`;
    if (!parsed || parsed.origin !== origin || !observation.vitals.includes(parsed.vital)) {
      problems.push(problem('fhir.identifier-mismatch', `The ${SYSTEM.readingKey} identifier does not describe this Observation (its device or patient, vital and time).`, path, 'business-rule'));
      return;
    }
    keyed.set(parsed.vital, parsed.time);
  });
  return keyed;
}

/** `device:<id>|<vital>|<ISO time>|<value>` or `patient:<id>|…` (domain readingIdempotencyKey). */
export function parseReadingKey(value: unknown): { origin: string; vital: VitalKey; time: Date; value: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = value.split('|');
  if (parts.length !== 4) return undefined;
  const [origin, vital, time, number] = parts as [string, string, string, string];
  if (!/^(device|patient):/.test(origin) || !(vital in VITAL_SIGNS) || Number.isNaN(Date.parse(time)) || !Number.isFinite(Number(number))) return undefined;
  return { origin: origin.toLowerCase(), vital: vital as VitalKey, time: new Date(time), value: Number(number) };
}

function gatewayOf(extensions: unknown): string | null {
  if (!Array.isArray(extensions)) return null;
  const gateway = extensions.find((e) => isObject(e) && e['url'] === EXTENSION.gatewayDevice);
  const reference = isObject(gateway) && isObject(gateway['valueReference']) ? gateway['valueReference']['reference'] : undefined;
  return typeof reference === 'string' ? (DEVICE_REFERENCE.exec(reference)?.[1]?.toLowerCase() ?? null) : null;
}
