import type { News2Risk, News2RiskBand } from './news2.model';

/**
 * Risk band and clinical response for an aggregate, RCP 2017 chart 3 (thresholds and triggers)
 * and chart 4 (clinical response; "chart 2" in ../shared/CLINICAL.md). The response text follows
 * the RCP wording for a hospital ward; a virtual ward's own escalation policy says what each
 * means at home.
 *
 * A 3 in any single parameter makes the band low-medium only while the aggregate is 0–4: an
 * aggregate of 5–6 is medium and 7+ high whatever the single scores are.
 */
export function news2Risk(aggregate: number, hasSingleParameter3: boolean): News2Risk {
  if (!Number.isInteger(aggregate) || aggregate < 0 || aggregate > 20) {
    throw new RangeError(`A NEWS2 aggregate is a whole number from 0 to 20, not ${aggregate}.`);
  }
  if (aggregate >= 7) return RESPONSES['aggregate-7-plus'];
  if (aggregate >= 5) return RESPONSES['aggregate-5-6'];
  if (hasSingleParameter3) return RESPONSES['single-parameter-3'];
  if (aggregate >= 1) return RESPONSES['aggregate-1-4'];
  return RESPONSES['aggregate-0'];
}

const RESPONSES: Readonly<Record<News2Risk['trigger'], News2Risk>> = {
  'aggregate-0': {
    band: 'low',
    trigger: 'aggregate-0',
    monitoring: 'Minimum 12-hourly',
    response: 'Continue routine NEWS2 monitoring.',
  },
  'aggregate-1-4': {
    band: 'low',
    trigger: 'aggregate-1-4',
    monitoring: 'Minimum 4–6-hourly',
    response:
      'Inform a registered nurse, who must assess the patient and decide whether more frequent monitoring or escalation of care is needed.',
  },
  'single-parameter-3': {
    band: 'low-medium',
    trigger: 'single-parameter-3',
    monitoring: 'Minimum 1-hourly',
    response:
      'Urgent ward-based response: the registered nurse informs the medical team caring for the patient, who will review and decide whether escalation of care is needed.',
  },
  'aggregate-5-6': {
    band: 'medium',
    trigger: 'aggregate-5-6',
    monitoring: 'Minimum 1-hourly',
    response:
      'Urgent response threshold: the registered nurse immediately informs the medical team and requests urgent assessment by a clinician or team competent in the care of acutely ill patients; care in an environment with monitoring facilities.',
  },
  'aggregate-7-plus': {
    band: 'high',
    trigger: 'aggregate-7-plus',
    monitoring: 'Continuous monitoring of vital signs',
    response:
      'Emergency response threshold: the registered nurse immediately informs the medical team (at least specialist registrar level); emergency assessment by a team with critical care competencies, including advanced airway skills; consider transfer to a level 2 or 3 care facility (HDU or ICU).',
  },
};

/** Bands in increasing order of urgency, for comparisons ("alert from low-medium up"). */
export function news2BandRank(band: News2RiskBand): number {
  return BAND_RANK[band];
}

const BAND_RANK: Readonly<Record<News2RiskBand, number>> = { low: 0, 'low-medium': 1, medium: 2, high: 3 };
