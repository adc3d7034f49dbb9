import type { Acvpu, AirOrOxygen } from '../news2/news2.model';

/**
 * NEWS2 inputs that are not device readings, so not VitalKeys in @homeward/domain: a level of
 * consciousness assessed by a person, and whether the patient was breathing air or supplemental
 * oxygen. At home they come from a nurse's video or face-to-face assessment, a carer, or the
 * patient's answer on the app when they submit a reading.
 */
interface ObservationBase {
  /** Store-assigned identifier, when it has one. */
  readonly id?: string;
  readonly patientId: string;
  /** When the assessment was made. "Latest" means latest observed, like a reading's measuredAt. */
  readonly observedAt: Date;
  /** Who made it (user id, or "patient" / "carer" for self-report). */
  readonly recordedBy: string;
}

export interface ConsciousnessObservation extends ObservationBase {
  readonly kind: 'consciousness';
  readonly value: Acvpu;
}

export interface AirOrOxygenObservation extends ObservationBase {
  readonly kind: 'air-or-oxygen';
  readonly value: AirOrOxygen;
}

export type ClinicalObservation = ConsciousnessObservation | AirOrOxygenObservation;
