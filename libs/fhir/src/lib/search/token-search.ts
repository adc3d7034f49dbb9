import { BLOOD_PRESSURE_PANEL, VITAL_KEYS, VITAL_SIGNS, type VitalKey } from '@homeward/domain';
import { SYSTEM } from '../systems';
import { BLOOD_PRESSURE_VITALS, isBloodPressurePanelCoding, vitalCategory, vitalOfCoding } from '../vital-codes';

/**
 * A token condition on one Observation: it matches when any reading it carries is of one of
 * `vitals` (none, when `negate`: the `:not` modifier). A blood pressure panel carries systolic,
 * diastolic and mean, so `code=8480-6` finds the panel itself, never half of one.
 */
export interface TokenCondition {
  readonly vitals: readonly VitalKey[];
  readonly negate: boolean;
}

const SYSTEMS = [SYSTEM.loinc, SYSTEM.snomed, SYSTEM.mdc];

/** Stored readings only: a NEWS2 is derived, never a stored reading. */
const RECORDED = VITAL_KEYS.filter((v) => v !== 'news2_score');

/**
 * One `code` token (`code`, `system|code`, `|code`, `system|`) → the vitals whose Observations
 * carry it. A code Homeward does not record matches nothing (an empty set, not an error).
 */
export function vitalsOfCodeToken(token: string): VitalKey[] {
  const bar = token.indexOf('|');
  const system = bar < 0 ? undefined : token.slice(0, bar);
  const code = bar < 0 ? token : token.slice(bar + 1);
  if (system === '') return []; // |code: a code with no system; all of ours have one
  if (code === '') return system && SYSTEMS.includes(system as (typeof SYSTEMS)[number]) ? [...RECORDED] : [];
  const found = new Set<VitalKey>();
  for (const s of system ? [system] : SYSTEMS) {
    if (isBloodPressurePanelCoding({ system: s, code })) BLOOD_PRESSURE_VITALS.forEach((v) => found.add(v));
    const vital = vitalOfCoding({ system: s, code });
    if (vital && vital !== 'news2_score') found.add(vital);
  }
  return RECORDED.filter((v) => found.has(v));
}

/** `code:text=pressure`: the vitals whose name (or the BP panel's) contains the text, ignoring case. */
export function vitalsOfCodeText(text: string): VitalKey[] {
  const wanted = text.trim().toLowerCase();
  if (wanted === '') return [];
  const panel = BLOOD_PRESSURE_PANEL.display.toLowerCase().includes(wanted);
  return RECORDED.filter((v) => VITAL_SIGNS[v].display.toLowerCase().includes(wanted) || (panel && (BLOOD_PRESSURE_VITALS as readonly VitalKey[]).includes(v)));
}

/** `category=vital-signs` (or `laboratory`, with or without its system) → the vitals in it. */
export function vitalsOfCategoryToken(token: string): VitalKey[] {
  const bar = token.indexOf('|');
  const system = bar < 0 ? undefined : token.slice(0, bar);
  const code = bar < 0 ? token : token.slice(bar + 1);
  if (system !== undefined && system !== SYSTEM.observationCategory) return [];
  return RECORDED.filter((v) => code === '' || vitalCategory(v) === code);
}
