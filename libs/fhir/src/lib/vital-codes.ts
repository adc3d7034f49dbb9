import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { BLOOD_PRESSURE_PANEL, VITAL_SIGNS, type VitalKey } from '@homeward/domain';
import { PROFILE, SYSTEM } from './systems';

/**
 * The code of a vital as a FHIR CodeableConcept: LOINC first (FHIR vital-signs profile; the
 * alternates too, e.g. SpO2's 2708-6 which the R4 oxygensat profile requires), then SNOMED CT
 * (UK Core) and the IEEE 11073 MDC code (PHD IG). Only codes in the domain catalogue, which
 * follows ../shared/CLINICAL.md: a code it does not record is left out, never guessed.
 */
export function vitalCode(vital: VitalKey): CodeableConcept {
  const sign = VITAL_SIGNS[vital];
  const coding: Coding[] = [];
  if (sign.loinc) coding.push({ system: SYSTEM.loinc, code: sign.loinc, display: sign.display });
  for (const alternate of sign.loincAlternates ?? []) coding.push({ system: SYSTEM.loinc, code: alternate, display: sign.display });
  if (sign.snomed) coding.push({ system: SYSTEM.snomed, code: sign.snomed, display: sign.display });
  if (sign.mdc !== undefined) coding.push({ system: SYSTEM.mdc, code: String(sign.mdc), display: sign.display });
  return { coding, text: sign.display };
}

export function bloodPressurePanelCode(): CodeableConcept {
  const { loinc, snomed, mdc, display } = BLOOD_PRESSURE_PANEL;
  return {
    coding: [
      { system: SYSTEM.loinc, code: loinc, display },
      { system: SYSTEM.snomed, code: snomed, display },
      { system: SYSTEM.mdc, code: String(mdc), display: 'MDC_PRESS_BLD_NONINV' },
    ],
    text: display,
  };
}

/** The LOINC code for capillary glucose reported in mg/dL (CLINICAL.md); values are stored in mmol/L. */
export const GLUCOSE_MG_DL_LOINC = '41653-7';

/** The R4 core vital-signs profile a single reading's Observation conforms to, if any. */
export function vitalProfile(vital: VitalKey): string | undefined {
  switch (vital) {
    case 'heart_rate':
      return PROFILE.heartRate;
    case 'spo2':
      return PROFILE.oxygenSaturation;
    case 'respiration_rate':
      return PROFILE.respiratoryRate;
    case 'body_temperature':
      return PROFILE.bodyTemperature;
    case 'body_weight':
      return PROFILE.bodyWeight;
    default:
      return undefined;
  }
}

/** Which vital a coding names (by system and code), or undefined. The BP panel is not a vital. */
export function vitalOfCoding(coding: Coding): VitalKey | undefined {
  if (coding.code === undefined) return undefined;
  for (const sign of Object.values(VITAL_SIGNS)) {
    if (coding.system === SYSTEM.loinc && (sign.loinc === coding.code || sign.loincAlternates?.includes(coding.code))) return sign.key;
    if (coding.system === SYSTEM.snomed && sign.snomed === coding.code) return sign.key;
    if (coding.system === SYSTEM.mdc && sign.mdc !== undefined && String(sign.mdc) === coding.code) return sign.key;
  }
  if (coding.system === SYSTEM.loinc && coding.code === GLUCOSE_MG_DL_LOINC) return 'blood_glucose';
  return undefined;
}

export function isBloodPressurePanelCoding(coding: Coding): boolean {
  return (
    (coding.system === SYSTEM.loinc && coding.code === BLOOD_PRESSURE_PANEL.loinc) ||
    (coding.system === SYSTEM.snomed && coding.code === BLOOD_PRESSURE_PANEL.snomed) ||
    (coding.system === SYSTEM.mdc && coding.code === String(BLOOD_PRESSURE_PANEL.mdc))
  );
}

/**
 * The observation-category a vital's Observations carry. Capillary glucose is not a vital sign
 * (the R4 vital-signs profile lists none such; the PHD IG files it as a laboratory-type result).
 */
export function vitalCategory(vital: VitalKey): 'vital-signs' | 'laboratory' {
  return vital === 'blood_glucose' ? 'laboratory' : 'vital-signs';
}

export const BLOOD_PRESSURE_VITALS = ['systolic_bp', 'diastolic_bp', 'mean_arterial_pressure'] as const satisfies readonly VitalKey[];
