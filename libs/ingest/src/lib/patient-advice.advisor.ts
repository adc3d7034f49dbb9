import { DEFAULT_PATIENT_ADVICE, type PatientAdvice } from '@homeward/contracts';
import { type AdvisedReading, type CarePlan, NEWS2_WINDOW_HOURS_DEFAULT, mapCarePlan, patientAdviceFor } from '@homeward/rules';
import type { RegistryRepository } from '@homeward/storage';

/** What deciding one patient's advice needs: their care plan as the rules read it, and their ward's words. */
export interface PatientAdviceContext {
  readonly carePlan: CarePlan;
  readonly message: string;
}

export interface PatientAdvisorOptions {
  /**
   * How long a patient's care plan and ward advice are reused (default 0: read every time). The
   * device gateway keeps them 30 s, so a stream of readings costs no query per message; a change
   * to the plan or the ward's words reaches device acks within that time.
   */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * The answer's advice for a patient's own just-submitted readings (manual entry's 201, a device's
 * ack): the ward's words, or the default, when any reading is in the red band (patientAdviceFor in
 * @homeward/rules), else undefined. Duplicates count too: a sender resending after a lost answer
 * must still be told. A patient on no ward is judged on scale 1 with the default words: a red
 * value deserves advice whatever the registry says.
 */
export class PatientAdvisor {
  private readonly cache = new Map<string, { context: PatientAdviceContext; expires: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly registry: Pick<RegistryRepository, 'patientAdviceContext'>,
    options: PatientAdvisorOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  async adviceFor(patientId: string, readings: readonly AdvisedReading[]): Promise<PatientAdvice | undefined> {
    if (readings.length === 0) return undefined;
    const context = await this.context(patientId);
    return patientAdviceFor(readings, context.carePlan) === 'red' ? { level: 'red', message: context.message } : undefined;
  }

  private async context(patientId: string): Promise<PatientAdviceContext> {
    const hit = this.cache.get(patientId);
    if (hit && hit.expires > this.now()) return hit.context;
    const context = patientAdviceContext(patientId, await this.registry.patientAdviceContext(patientId));
    if (this.ttlMs > 0) {
      if (this.cache.size >= 100_000) this.cache.clear(); // a bound, far above one gateway's patients
      this.cache.set(patientId, { context, expires: this.now() + this.ttlMs });
    }
    return context;
  }
}

/** The stored admission and ward advice (or none) → what the decision reads. */
export function patientAdviceContext(patientId: string, stored: Awaited<ReturnType<RegistryRepository['patientAdviceContext']>>): PatientAdviceContext {
  if (!stored) return { carePlan: { patientId, pathway: 'general', news2: { windowHours: NEWS2_WINDOW_HOURS_DEFAULT, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } }, message: DEFAULT_PATIENT_ADVICE };
  return {
    carePlan: mapCarePlan({ patientId, pathway: stored.admission.pathway, carePlan: stored.admission.carePlan }).carePlan,
    message: stored.wardPatientAdvice ?? DEFAULT_PATIENT_ADVICE,
  };
}

const DEVICE_ADVICE_TTL_MS = 30_000;
const shared = new WeakMap<object, PatientAdvisor>();

/**
 * One advisor per registry with the device gateway's 30 s reuse, for a caller that builds no
 * advisor of its own (the gateway's per-message ack).
 */
export function devicePatientAdvisor(registry: Pick<RegistryRepository, 'patientAdviceContext'>): PatientAdvisor {
  let advisor = shared.get(registry);
  if (!advisor) {
    advisor = new PatientAdvisor(registry, { ttlMs: DEVICE_ADVICE_TTL_MS });
    shared.set(registry, advisor);
  }
  return advisor;
}
