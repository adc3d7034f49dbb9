import { type CodedError, type Reading, type Result, fail } from '@homeward/domain';
import type { AirOrOxygenObservation, ClinicalObservation, ConsciousnessObservation } from '../model/clinical-observation.model';
import type { CarePlan, Spo2ScaleDecision } from '../model/care-plan.model';
import { HOUR_MS, isValidDate, isWithin, latestOfEach } from '../shared/reading-window';
import { NEWS2_MEASURED_PARAMETERS, type AirOrOxygen, type News2Parameter, type News2Result, type News2Values } from './news2.model';
import { type News2InputErrorCode, scoreNews2 } from './news2.score';

export type HomeNews2ErrorCode =
  | News2InputErrorCode
  | 'news2.invalid-time'
  | 'news2.invalid-window'
  | 'news2.patient-mismatch'
  | 'news2.scale-2-undocumented';

/** Where a parameter of a home NEWS2 came from. */
export type HomeNews2Source =
  | { readonly from: 'reading'; readonly reading: Reading }
  | { readonly from: 'observation'; readonly observation: ClinicalObservation }
  | { readonly from: 'care-plan'; readonly supplementalOxygen: 'none' | 'continuous' };

interface HomeNews2Context {
  readonly patientId: string;
  /** Readings and observations measured in [from, to] were considered. */
  readonly window: { readonly from: Date; readonly to: Date };
  readonly spo2ScaleDecision: Spo2ScaleDecision;
  /** For each present parameter, the reading, observation or care-plan entry it came from. */
  readonly sources: Readonly<Partial<Record<News2Parameter, HomeNews2Source>>>;
  /** The readings the score used, oldest measured first. */
  readonly readings: readonly Reading[];
  /** The observations the score used, oldest first. */
  readonly observations: readonly ClinicalObservation[];
}

/** A NEWS2 assembled at home. Still a CompleteNews2 | PartialNews2: narrow on `partial` to read the score. */
export type HomeNews2 = News2Result & HomeNews2Context;

/**
 * The home NEWS2 (../shared/CLINICAL.md): the latest measured reading of each parameter inside
 * the care plan's window, which ends at `now`. It lists the parameters it had and the ones it
 * did not, and is partial when any is missing.
 *
 * - Measured parameters (RR, SpO2, systolic BP, pulse, temperature) come from readings, latest by
 *   measuredAt; arrival order does not matter. Readings measured after `now` are not part of the
 *   window (an engine re-evaluating a past moment passes that moment as `now`).
 * - Consciousness (ACVPU) comes only from an observation inside the window: a person has to
 *   assess it, so a care plan cannot assume "Alert".
 * - Air or oxygen: an observation inside the window wins; otherwise the care plan's standing
 *   prescription ("none" → air, "continuous" → oxygen); "intermittent" needs an observation.
 * - The SpO2 scale is the care plan's: scale 2 only with a recorded clinician decision, else the
 *   whole result is refused, since a silent fall-back either way would be wrong.
 *
 * Device status flags (low perfusion, movement, …) do not exclude a reading; the reading is in
 * `sources` for the nurse to see. Excluding it could hide a true low value.
 */
export function assembleHomeNews2(
  readings: readonly Reading[],
  carePlan: CarePlan,
  now: Date,
  observations: readonly ClinicalObservation[] = [],
): Result<HomeNews2, CodedError<HomeNews2ErrorCode>> {
  if (!isValidDate(now)) return fail('news2.invalid-time', '`now` is not a valid time.');
  const { windowHours, spo2Scale, supplementalOxygen } = carePlan.news2;
  if (typeof windowHours !== 'number' || !Number.isFinite(windowHours) || windowHours <= 0) {
    return fail('news2.invalid-window', `The care plan's NEWS2 window must be a positive number of hours, not ${String(windowHours)}.`, {
      windowHours: String(windowHours),
    });
  }
  if (spo2Scale.scale === 2 && !isDocumentedDecision(spo2Scale)) {
    return fail(
      'news2.scale-2-undocumented',
      'The care plan puts this patient on SpO2 scale 2 without a recorded clinician decision (who, when, why). Scale 2 used where it does not belong hides hypoxia; record the decision or return the patient to scale 1.',
      { patientId: carePlan.patientId },
    );
  }
  const stranger = readings.find((r) => r.patientId !== carePlan.patientId) ?? observations.find((o) => o.patientId !== carePlan.patientId);
  if (stranger) {
    return fail('news2.patient-mismatch', "A reading or observation of another patient was passed with this patient's care plan.", {
      carePlanPatientId: carePlan.patientId,
      otherPatientId: stranger.patientId,
    });
  }

  const from = new Date(now.getTime() - windowHours * HOUR_MS);
  const values: { -readonly [K in keyof News2Values]: News2Values[K] } = {};
  const sources: Partial<Record<News2Parameter, HomeNews2Source>> = {};
  const used: Reading[] = [];

  const latest = latestOfEach(readings, NEWS2_MEASURED_PARAMETERS, from, now);
  for (const parameter of NEWS2_MEASURED_PARAMETERS) {
    const reading = latest[parameter];
    if (!reading) continue;
    values[parameter] = reading.value;
    sources[parameter] = { from: 'reading', reading };
    used.push(reading);
  }

  const consciousness = latestObservation(observations, 'consciousness', from, now);
  if (consciousness) {
    values.consciousness = consciousness.value;
    sources.consciousness = { from: 'observation', observation: consciousness };
  }

  const oxygenObservation = latestObservation(observations, 'air-or-oxygen', from, now);
  if (oxygenObservation) {
    values.air_or_oxygen = oxygenObservation.value;
    sources.air_or_oxygen = { from: 'observation', observation: oxygenObservation };
  } else if (supplementalOxygen === 'none' || supplementalOxygen === 'continuous') {
    const standing: AirOrOxygen = supplementalOxygen === 'none' ? 'air' : 'oxygen';
    values.air_or_oxygen = standing;
    sources.air_or_oxygen = { from: 'care-plan', supplementalOxygen };
  }

  const scored = scoreNews2(values, spo2Scale.scale);
  if (!scored.ok) return scored;
  const context: HomeNews2Context = {
    patientId: carePlan.patientId,
    window: { from, to: now },
    spo2ScaleDecision: spo2Scale,
    sources,
    readings: [...used].sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime()),
    observations: [consciousness, oxygenObservation]
      .filter((o): o is ClinicalObservation => o !== undefined)
      .sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime()),
  };
  // scored.value is this call's own object: adding the context to it avoids copying both at every moment judged.
  return { ok: true, value: Object.assign(scored.value, context) };
}

/** A scale-2 decision says who decided it, when and why (otherwise the home NEWS2 is refused). */
export function isDocumentedDecision(decision: Spo2ScaleDecision & { readonly scale: 2 }): boolean {
  return (
    typeof decision.decidedBy === 'string' &&
    decision.decidedBy.trim() !== '' &&
    typeof decision.reason === 'string' &&
    decision.reason.trim() !== '' &&
    isValidDate(decision.decidedAt)
  );
}

type ObservationOfKind<K extends ClinicalObservation['kind']> = K extends 'consciousness' ? ConsciousnessObservation : AirOrOxygenObservation;

function latestObservation<K extends ClinicalObservation['kind']>(
  observations: readonly ClinicalObservation[],
  kind: K,
  from: Date,
  to: Date,
): ObservationOfKind<K> | undefined {
  let latest: ObservationOfKind<K> | undefined;
  for (const observation of observations) {
    if (observation.kind !== kind || !isWithin(observation.observedAt, from, to)) continue;
    // Same instant: the one passed later wins (a correction is recorded after the original).
    if (!latest || observation.observedAt.getTime() >= latest.observedAt.getTime()) latest = observation as ObservationOfKind<K>;
  }
  return latest;
}
