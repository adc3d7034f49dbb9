import type { Reading, VitalKey } from '@homeward/domain';
import { ALERT_SEVERITIES, severityRank } from '../model/alert-candidate.model';
import type { CarePlan, Spo2ScaleDecision } from '../model/care-plan.model';
import type { News2MeasuredParameter, News2ParameterScore, Spo2Scale } from '../news2/news2.model';
import { scorePulse, scoreRespirationRate, scoreSpo2Scale1, scoreSpo2Scale2, scoreSystolicBp, scoreTemperature } from '../news2/news2-parameters.score';
import { roundToUnits } from '../shared/rounding';
import { COMPARISON_DECIMALS } from '../shared/vital-display';
import { effectiveThresholds } from './vital-threshold.rule';

/** What a patient is told about their own reading. Only one level today: act now. */
export type PatientAdviceLevel = 'red';

/** The parts of a reading the decision reads, so a stored reading and a duplicate both fit. */
export type AdvisedReading = Pick<Reading, 'vital' | 'value'>;

/** The rank of the top alert severity ("high"). */
const TOP_SEVERITY_RANK = ALERT_SEVERITIES.length - 1;

const NEWS2_SCORERS: Readonly<Record<Exclude<News2MeasuredParameter, 'spo2'>, (value: number) => News2ParameterScore>> = {
  respiration_rate: scoreRespirationRate,
  systolic_bp: scoreSystolicBp,
  heart_rate: scorePulse,
  body_temperature: scoreTemperature,
};

/**
 * Whether the readings a patient (or their device, carer or nurse) just submitted put them in the
 * red band, so the answer they get tells them to call the ward now rather than only "thank you".
 *
 * Red (../shared/CLINICAL.md, "Severity at home": a single NEWS2 parameter scoring 3 is top
 * severity on every pathway):
 * - a NEWS2 parameter (RR, SpO2, systolic BP, pulse, temperature) whose own chart score is 3, read
 *   with libs/rules' NEWS2 scorers. SpO2 uses scale 2 only when the care plan records a
 *   clinician's scale-2 decision (who, when, why); an undocumented scale 2 falls back to scale 1
 *   here, because for advice the risk of hiding hypoxia outweighs a needless call. On scale 2,
 *   SpO2 ≥ 97 % scores 3 only on oxygen: a "continuous" oxygen prescription counts as on oxygen;
 *   "none" or "intermittent" as on air, since the entry has no air/oxygen answer (the lower bound,
 *   as the home NEWS2 does);
 * - a vital outside NEWS2 (weight, glucose, diastolic BP) only when a limit of the patient's
 *   pathway or a clinician's override for that vital, at top severity, is crossed. Pathway
 *   defaults set none today, so only a clinician's top-severity limit makes them red;
 * - a NEWS2 vital whose latest clinician override says `lowersSeverity` (the clinician decided,
 *   with a reason and a review date, that e.g. this patient's usual SpO2 of 89 % is not an
 *   emergency) is judged like a vital outside NEWS2: only its top-severity limits make it red, so
 *   the patient is not told to call at every ordinary reading.
 *
 * Each reading is judged on its own, not the aggregate: an aggregate needs readings the patient
 * did not just send, and the ward's NEWS2 alert covers it for the nurse. A device-sent NEWS2
 * total (news2_score) is not the patient's physiology and is not judged. Non-finite values are
 * skipped (ingest refuses them before storage anyway).
 */
export function patientAdviceFor(readings: readonly AdvisedReading[], carePlan: CarePlan): PatientAdviceLevel | null {
  const spo2Scale = adviceSpo2Scale(carePlan.news2.spo2Scale);
  const onOxygen = carePlan.news2.supplementalOxygen === 'continuous';
  // The limits are worked out only when a reading needs them: the device gateway asks this for
  // every message, and most are NEWS2 vitals of patients without overrides.
  let limits: ReturnType<typeof effectiveThresholds> | undefined;
  const limitsOf = (vital: VitalKey) => (limits ??= effectiveThresholds(carePlan)).find((l) => l.vital === vital);
  const hasOverrides = (carePlan.thresholdOverrides ?? []).length > 0;
  const isRed = (reading: AdvisedReading): boolean => {
    const { vital, value } = reading;
    if (!Number.isFinite(value) || vital === 'news2_score') return false;
    const lowered = hasOverrides && limitsOf(vital)?.override?.lowersSeverity === true;
    if (!lowered) {
      if (vital === 'spo2') return (spo2Scale === 2 ? scoreSpo2Scale2(value, onOxygen ? 'oxygen' : 'air') : scoreSpo2Scale1(value)) === 3;
      if (isScoredByNews2(vital)) return NEWS2_SCORERS[vital](value) === 3;
    }
    const decimals = COMPARISON_DECIMALS[vital];
    const rounded = roundToUnits(value, decimals);
    const top = (limitsOf(vital)?.thresholds ?? []).filter((t) => severityRank(t.severity) === TOP_SEVERITY_RANK);
    return top.some((t) => {
      const limit = roundToUnits(t.value, decimals);
      return t.direction === 'at-or-below' ? rounded <= limit : rounded >= limit;
    });
  };
  return readings.some(isRed) ? 'red' : null;
}

function isScoredByNews2(vital: VitalKey): vital is Exclude<News2MeasuredParameter, 'spo2'> {
  return Object.prototype.hasOwnProperty.call(NEWS2_SCORERS, vital);
}

/** Scale 2 only with a documented clinician decision; anything less is scale 1. */
function adviceSpo2Scale(decision: Spo2ScaleDecision): Spo2Scale {
  if (decision.scale !== 2) return 1;
  const documented =
    typeof decision.decidedBy === 'string' &&
    decision.decidedBy.trim() !== '' &&
    typeof decision.reason === 'string' &&
    decision.reason.trim() !== '' &&
    decision.decidedAt instanceof Date &&
    !Number.isNaN(decision.decidedAt.getTime());
  return documented ? 2 : 1;
}
