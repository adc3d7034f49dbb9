import type { Reading } from '@homeward/domain';
import type { AlertCandidate } from '../model/alert-candidate.model';
import type { DeviceContact } from '../model/device-contact.model';
import { type DeviceFacts, type MalformedFramesFact, type TechnicalFinding, deviceProblems, readingProblemsCleared } from '../technical/technical-problems.rule';
import { deviceUnusedRule } from './device-unused.rule';
import { hubOfflineRule } from './hub-offline.rule';
import { patientSilentRule } from './patient-silent.rule';
import { readingMissingRule } from './reading-missing.rule';
import type { SilenceInput } from './silence-input.model';

/**
 * The engine's timer decisions for one patient at one moment, as pure functions of what the store
 * holds (latest readings, the care plan's schedule, the devices' contact and battery, malformed
 * frames) and the clock: the live timer pass (apps/api silence-and-device.checks.ts) reads those
 * facts and calls these, and a replay can call them with the facts as of a past moment.
 */

/** The three kinds of silence and a single expected reading missing, in the order the engine proposes them. */
export function silenceCandidates(input: SilenceInput): AlertCandidate[] {
  return [...patientSilentRule(input), ...hubOfflineRule(input), ...deviceUnusedRule(input), ...readingMissingRule(input)];
}

export interface TimerCheckInput extends SilenceInput {
  readonly devices: readonly (DeviceContact & DeviceFacts)[];
  readonly malformed: readonly MalformedFramesFact[];
}

export interface TimerChecks<A> {
  readonly silences: readonly AlertCandidate[];
  readonly technical: readonly TechnicalFinding[];
  /** The patient's unresolved timer-rule alerts not proposed again: cleared, the engine resolves them. */
  readonly answered: readonly A[];
}

/** A timer pass for one patient: silences and device problems as of `now`, and which open ones have cleared. */
export function timerChecks<A extends { readonly subject: string }>(input: TimerCheckInput, open: readonly A[]): TimerChecks<A> {
  const silences = silenceCandidates(input);
  const technical = deviceProblems(input.patientId, input.devices, input.malformed, input.now);
  const proposed = new Set([...silences.map((c) => c.subject), ...technical.map((f) => f.subject)]);
  return { silences, technical, answered: open.filter((a) => !proposed.has(a.subject)) };
}

/**
 * Newly stored readings, for the patient's open silence and technical alerts: the clock and
 * delivery alerts their device's newest reading clears, and the silences no longer found as of
 * `now` (`silencesNow`: silenceCandidates with the store as it is now, or null when none is open).
 */
export function readingsAnswer<A extends { readonly rule: string; readonly subject: string }>(
  fresh: readonly Reading[],
  now: Date,
  open: readonly A[],
  rules: { readonly reading: ReadonlySet<string>; readonly silence: ReadonlySet<string> },
  silencesNow: readonly AlertCandidate[] | null,
): A[] {
  const cleared = readingProblemsCleared(fresh, now);
  const answered = open.filter((a) => rules.reading.has(a.rule) && cleared.has(a.subject));
  if (silencesNow !== null) {
    const still = new Set(silencesNow.map((c) => c.subject));
    answered.push(...open.filter((a) => rules.silence.has(a.rule) && !still.has(a.subject)));
  }
  return answered;
}
