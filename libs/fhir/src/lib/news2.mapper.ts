import type { CodeableConcept, Observation, ObservationComponent } from '@medplum/fhirtypes';
import { VITAL_SIGNS } from '@homeward/domain';
import { ACVPU_NAMES, NEWS2_PARAMETERS, NEWS2_PARAMETER_NAMES, type News2HistoryPoint, type News2Parameter } from '@homeward/rules';
import { quantity } from './observation.mapper';
import { SYSTEM } from './systems';
import { vitalCode } from './vital-codes';

/** NEWS2 total score: SNOMED CT 1104051000000101 (CLINICAL.md; its LOINC code is unverified, so none). */
export function news2Code(): CodeableConcept {
  const sign = VITAL_SIGNS.news2_score;
  return { coding: [{ system: SYSTEM.snomed, code: sign.snomed ?? '', display: 'Royal College of Physicians NEWS2 (National Early Warning Score 2) total score' }], text: sign.display };
}

export const SURVEY_CATEGORY: CodeableConcept = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey', display: 'Survey' }],
  text: 'Assessment score',
};

/**
 * A NEWS2 as Homeward scored it → an Observation with one component per parameter: the value
 * it was scored on (coded like the reading it came from) and the parameter's score (0–3) in the
 * component's interpretation. A partial NEWS2 is never passed off as complete: its total carries
 * the comparator ">=" (the true score is at least this) and each missing parameter is a
 * component with dataAbsentReason not-performed.
 */
export function news2ToObservation(patientId: string, point: News2HistoryPoint): Observation {
  const components: ObservationComponent[] = NEWS2_PARAMETERS.map((parameter) => news2Component(parameter, point));
  return {
    resourceType: 'Observation',
    id: `news2-${patientId}-${point.at.getTime()}`,
    status: 'final',
    category: [SURVEY_CATEGORY],
    code: news2Code(),
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: point.at.toISOString(),
    valueQuantity: { ...quantity(point.score, '{score}'), ...(point.complete ? {} : { comparator: '>=' as const }) },
    interpretation: [{ text: point.complete ? `${point.band} risk` : `at least ${point.band} risk (partial: ${point.missing.map((m) => NEWS2_PARAMETER_NAMES[m]).join(', ')} missing)` }],
    ...(point.complete ? {} : { note: [{ text: `Partial NEWS2: ${point.missing.map((m) => NEWS2_PARAMETER_NAMES[m]).join(', ')} not measured; the score is a lower bound.` }] }),
    component: components,
  };
}

function news2Component(parameter: News2Parameter, point: News2HistoryPoint): ObservationComponent {
  const result = point.parameters[parameter];
  const code = parameterCode(parameter);
  if (!result) {
    return { code, dataAbsentReason: { coding: [{ system: SYSTEM.dataAbsentReason, code: 'not-performed', display: 'Not Performed' }] } };
  }
  const score: CodeableConcept = { coding: [{ system: SYSTEM.news2ParameterScore, code: String(result.score) }], text: `NEWS2 ${NEWS2_PARAMETER_NAMES[parameter]} score ${result.score}` };
  if (parameter === 'air_or_oxygen' || parameter === 'consciousness') {
    const value = String(result.value);
    const text = parameter === 'consciousness' ? `${value} (${ACVPU_NAMES[value as keyof typeof ACVPU_NAMES]})` : value;
    return { code, valueString: text, interpretation: [score] };
  }
  return { code, valueQuantity: quantity(Number(result.value), VITAL_SIGNS[parameter].unit), interpretation: [score] };
}

function parameterCode(parameter: News2Parameter): CodeableConcept {
  if (parameter === 'air_or_oxygen') return { text: 'Air or supplemental oxygen' };
  if (parameter === 'consciousness') return { text: 'Level of consciousness (ACVPU)' };
  return vitalCode(parameter);
}
