import type { Reading } from '@homeward/domain';
import type { AlertCandidate } from '../model/alert-candidate.model';
import type { DeviceContact } from '../model/device-contact.model';
import { type DeviceFacts, type MalformedFramesFact, type TechnicalFinding, deviceProblems, readingProblemsCleared } from '../technical/technical-problems.rule';
import { deviceUnusedRule } from './device-unused.rule';
import { hubOfflineRule } from './hub-offline.rule';
import { patientSilentRule } from './patient-silent.rule';
import { readingMissingRule } from './reading-missing.rule';
import type { SilenceInput } from './silence-input.model';
import { DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT } from './device-offline.policy';
import { HOUR_MS } from '../shared/reading-window';

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

/**
 * The earliest moment after `input.now` at which timerChecks could answer differently if no fact
 * changed (no reading, contact or frame arrives): the next interval of an expected reading falling
 * due (from the latest activity and from each vital's latest reading, as patientSilentRule and
 * overdueReadings count), or a hub, app or device passing its offline limit. A replay evaluates the
 * timer at these moments and at each new fact: between them every timer pass gives the same
 * findings (only the words' "… hours ago" move on), so the alerts are those of a timer running
 * continuously; with a periodic timer, each is taken at the first tick at or after it. A
 * superset is harmless (an evaluation that finds the same changes nothing). Null: nothing falls due.
 */
export function nextTimerChange(input: TimerCheckInput): Date | null {
  const now = input.now.getTime();
  const offlineAfterMs = (input.offlineAfterMinutes ?? DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT) * 60_000;
  const admitted = input.admittedAt.getTime();
  const starts = new Set<number>([admitted]);
  for (const r of input.latest) if (r.measuredAt.getTime() <= now) starts.add(Math.max(admitted, r.measuredAt.getTime()));
  for (const d of input.devices) if (d.lastSeenAt && d.lastSeenAt.getTime() <= now) starts.add(Math.max(admitted, d.lastSeenAt.getTime()));
  let next = Infinity;
  for (const e of input.expected) {
    const every = e.everyHours * HOUR_MS;
    const grace = e.graceHours * HOUR_MS;
    if (!(every > 0)) continue;
    for (const since of starts) {
      // The k-th interval falls due at since + grace + k·every (missed = floor((now − since − grace) / every)).
      const k = Math.max(1, Math.floor((now - since - grace) / every) + 1);
      next = Math.min(next, since + grace + k * every);
    }
  }
  for (const d of input.devices) {
    // isDeviceOffline: offline once more than the limit has passed since last heard from.
    const seen = (d.lastSeenAt ?? input.admittedAt).getTime();
    if (seen + offlineAfterMs + 1 > now) next = Math.min(next, seen + offlineAfterMs + 1);
  }
  return Number.isFinite(next) ? new Date(next) : null;
}
