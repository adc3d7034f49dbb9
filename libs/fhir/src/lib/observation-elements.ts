import { type FhirProblem, problem } from './operation-outcome';

/** The elements of an R4 Observation (https://hl7.org/fhir/R4/observation.html#resource). */
const OBSERVATION = [
  'resourceType', 'id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension',
  'identifier', 'basedOn', 'partOf', 'status', 'category', 'code', 'subject', 'focus', 'encounter',
  'effectiveDateTime', 'effectivePeriod', 'effectiveTiming', 'effectiveInstant', 'issued', 'performer',
  ...valueChoices(), 'dataAbsentReason', 'interpretation', 'note', 'bodySite', 'method', 'specimen', 'device',
  'referenceRange', 'hasMember', 'derivedFrom', 'component',
];
const COMPONENT = ['id', 'extension', 'modifierExtension', 'code', ...valueChoices(), 'dataAbsentReason', 'interpretation', 'referenceRange'];
const QUANTITY = ['id', 'extension', 'value', 'comparator', 'unit', 'system', 'code'];

function valueChoices(): string[] {
  return ['Quantity', 'CodeableConcept', 'String', 'Boolean', 'Integer', 'Range', 'Ratio', 'SampledData', 'Time', 'DateTime', 'Period'].map((t) => `value${t}`);
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Strict import: an element R4 does not define is refused, not dropped (a misspelt
 * `effectiveDatetime` would otherwise pass as an Observation without a time), and so is any
 * modifierExtension, which by definition changes the meaning in ways Homeward cannot know.
 * `_element` siblings (a primitive's id and extensions) are allowed next to a known element.
 */
export function unknownObservationElements(input: Json): FhirProblem[] {
  const problems: FhirProblem[] = [];
  check(input, OBSERVATION, 'Observation', problems);
  if (isObject(input['valueQuantity'])) check(input['valueQuantity'], QUANTITY, 'Observation.valueQuantity', problems);
  if (Array.isArray(input['component'])) {
    input['component'].forEach((component, index) => {
      if (!isObject(component)) return;
      const path = `Observation.component[${index}]`;
      check(component, COMPONENT, path, problems);
      if (isObject(component['valueQuantity'])) check(component['valueQuantity'], QUANTITY, `${path}.valueQuantity`, problems);
    });
  }
  return problems;
}

function check(object: Json, known: readonly string[], path: string, problems: FhirProblem[]): void {
  for (const key of Object.keys(object)) {
    const base = key.startsWith('_') ? key.slice(1) : key;
    if (!known.includes(base) || key === '_resourceType') {
      problems.push(problem('fhir.unknown-element', `"${key}" is not an element of ${path.split('.').pop()?.replace(/\[\d+\]$/, '') ?? path} in FHIR R4; check its spelling.`, `${path}.${key}`, 'structure'));
    } else if (base === 'modifierExtension' && Array.isArray(object[key]) && (object[key] as unknown[]).length > 0) {
      problems.push(problem('fhir.modifier-extension', 'A modifierExtension changes what the resource means, and Homeward does not know this one; send the Observation without it.', `${path}.modifierExtension`, 'not-supported'));
    }
  }
}
