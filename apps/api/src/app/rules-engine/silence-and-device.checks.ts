import type { Alert, Reading } from '@homeward/domain';
import {
  type AlertCandidate,
  DEVICE_CLOCK_OFF_RULE,
  DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT,
  DEVICE_UNUSED_RULE,
  HUB_OFFLINE_RULE,
  LATE_DELIVERY_RULE,
  LOW_BATTERY_RULE,
  MALFORMED_FRAMES_RULE,
  MALFORMED_FRAMES_WINDOW_MS,
  OVERDUE_RULE,
  PATIENT_SILENT_RULE,
  READING_MISSING_RULE,
  type EngineCarePlan,
  type SilenceInput,
  type TechnicalFinding,
  readingProblems,
  readingsAnswer,
  silenceCandidates,
  timerChecks,
} from '@homeward/rules';
import type { DeviceContactState, MalformedFrames, MonitoredAdmission, RaiseAlertInput, Storage } from '@homeward/storage';
import { errorMessage } from './error-message';

/** A proposal from any rule, ready for AlertRepository.raise (the engine adds ward, time and timers). */
export type SilenceProposal = Omit<RaiseAlertInput, 'wardId' | 'at' | 'escalationDueAt' | 'nextReminderAt' | 'by'>;

/** The three kinds of silence (issue 15 item 3), each its own alert kind, and a single expected reading missing. */
export const SILENCE_RULE_IDS: readonly string[] = [PATIENT_SILENT_RULE, HUB_OFFLINE_RULE, DEVICE_UNUSED_RULE, READING_MISSING_RULE];
/** Judged on the timer pass from the store and the clock; an open one not proposed again resolves. */
export const TIMER_RULES: ReadonlySet<string> = new Set([...SILENCE_RULE_IDS, LOW_BATTERY_RULE, MALFORMED_FRAMES_RULE]);
/** Judged from newly stored readings; resolved when the device's newest reading is fine. */
export const READING_RULES: ReadonlySet<string> = new Set([DEVICE_CLOCK_OFF_RULE, LATE_DELIVERY_RULE]);
export const SILENCE_RULES: ReadonlySet<string> = new Set(SILENCE_RULE_IDS);

/** Read once per timer pass for all patients. */
export interface PassFacts {
  /** Unresolved alerts of the timer's rules, by patient. */
  readonly open: ReadonlyMap<string, readonly Alert[]>;
  readonly malformed: readonly MalformedFrames[];
}

export interface ChecksOutcome {
  readonly proposals: readonly SilenceProposal[];
  /** Open alerts whose condition has cleared: the engine resolves them (self-resolving rules). */
  readonly answered: readonly Alert[];
}

/**
 * onReadings' answer. `error`: the pure checks threw on this patient's readings (a fault met by
 * their data), so nothing was proposed or answered for them; the caller raises that patient's
 * rules-failed alert instead of failing the page.
 */
export interface ReadingChecksOutcome extends ChecksOutcome {
  /** The checks failed on these readings: `device`, the device problems were not looked for; `answers`, they were, but not what the readings end. */
  readonly failed?: { readonly part: 'device' | 'answers'; readonly error: string };
}

/** The device problems found in newly stored readings (readingProblems of @homeward/rules). */
export type ReadingProblems = typeof readingProblems;
/** The open silence and device alerts newly stored readings end (readingsAnswer of @homeward/rules). */
export type ReadingsAnswer = typeof readingsAnswer;

/**
 * Silence (patient silent, hub or app offline, device unused) and technical problems (device clock
 * off, late delivery, malformed frames, low battery) for one admitted patient, as of `now`. Pure
 * rules from `@homeward/rules` decide; this reads what they judge from the store. Nothing is timed
 * from boot: every judgement compares stored times with the engine's clock, so after a restart the
 * time the server was down counts, and a pass after it raises what fell due meanwhile.
 */
export class SilenceAndDeviceChecks {
  constructor(
    private readonly storage: Storage,
    private readonly offlineAfterMinutes: number = DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT,
    /** Test seam (RulesEngineOptions.readingProblems): a test gives checks that fail for one patient. */
    private readonly problems: ReadingProblems = readingProblems,
    /** Test seam (RulesEngineOptions.readingsAnswer), as `problems`. */
    private readonly answer: ReadingsAnswer = readingsAnswer,
  ) {}

  /**
   * What a timer pass reads once for every patient: the open alerts of the timer's rules and the
   * malformed frames of the last 24 hours. Per patient it then reads two things (onTimer).
   */
  async passFacts(now: Date): Promise<PassFacts> {
    const open = new Map<string, Alert[]>();
    for (const rule of TIMER_RULES) {
      for (const alert of await this.storage.alerts.unresolvedOfRule(rule, { limit: 1_000_000 })) open.set(alert.patientId, [...(open.get(alert.patientId) ?? []), alert]);
    }
    const malformed = await this.storage.deviceState.malformedFrames(new Date(now.getTime() - MALFORMED_FRAMES_WINDOW_MS));
    return { open, malformed };
  }

  /** The timer pass for one patient: silences and device problems raised, those cleared answered (timerChecks of @homeward/rules decides). */
  async onTimer(admission: MonitoredAdmission, plan: EngineCarePlan, now: Date, facts: PassFacts): Promise<ChecksOutcome> {
    const devices = (await this.storage.deviceState.contactsOf(admission.patientId)).map((d) => asSeenAt(d, now));
    const input = await this.silenceInput(admission, plan, now, devices);
    const checked = timerChecks({ ...input, devices, malformed: facts.malformed }, facts.open.get(admission.patientId) ?? []);
    return { proposals: [...checked.silences.map(silenceProposal), ...checked.technical.map(technicalProposal)], answered: checked.answered };
  }

  /**
   * Newly stored readings: clock and delivery problems raised; silences they end, and clock or
   * delivery alerts their device's newest reading clears, answered (readingsAnswer of
   * @homeward/rules). Reads the store only when the patient has such an alert open. `unresolved`:
   * the patient's unresolved alerts when the caller read them already (a page's, in one statement
   * for all its patients).
   */
  async onReadings(admission: MonitoredAdmission, plan: EngineCarePlan, fresh: readonly Reading[], now: Date, unresolved?: readonly Alert[]): Promise<ReadingChecksOutcome> {
    // The store is read first: its failure is the page's, not this patient's (it goes on up).
    const open = (unresolved ?? (await this.storage.alerts.forPatient(admission.patientId))).filter((a) => TIMER_RULES.has(a.rule) || READING_RULES.has(a.rule));
    const input = open.some((a) => SILENCE_RULES.has(a.rule)) ? await this.silenceInput(admission, plan, now) : null;
    let proposals: SilenceProposal[];
    try {
      proposals = this.problems(admission.patientId, fresh, now).map(technicalProposal);
    } catch (error) {
      return { proposals: [], answered: [], failed: { part: 'device', error: errorMessage(error) } };
    }
    if (open.length === 0) return { proposals, answered: [] };
    // The device problems found stand when only the answering fails.
    try {
      return { proposals, answered: this.answer(fresh, now, open, { reading: READING_RULES, silence: SILENCE_RULES }, input ? silenceCandidates(input) : null) };
    } catch (error) {
      return { proposals, answered: [], failed: { part: 'answers', error: errorMessage(error) } };
    }
  }

  private async silenceInput(admission: MonitoredAdmission, plan: EngineCarePlan, now: Date, known?: readonly DeviceContactState[]): Promise<SilenceInput> {
    const latest = await this.storage.readings.latestPerVital(admission.patientId, { asOf: now });
    const devices = known ?? (await this.storage.deviceState.contactsOf(admission.patientId)).map((d) => asSeenAt(d, now));
    return {
      patientId: admission.patientId,
      expected: plan.expectedReadings,
      latest,
      devices,
      admittedAt: admission.admittedAt,
      now,
      offlineAfterMinutes: this.offlineAfterMinutes,
    };
  }
}

/**
 * A device's contact times as the engine's clock sees them. They are stamped by the gateway's
 * clock, which may be ahead of the engine's (another process; the demo, whose engine follows the
 * replay): what happened after `now` happened now, in the same order, so "offline since its last
 * will" and "heard from after it" keep their meaning and no wording says "-2 hours ago".
 */
export function asSeenAt(device: DeviceContactState, now: Date): DeviceContactState {
  const n = now.getTime();
  const seen = device.lastSeenAt?.getTime() ?? null;
  const status = device.connection;
  const at = status?.at.getTime() ?? null;
  if ((seen === null || seen <= n) && (at === null || at <= n)) return device;
  // Heard from after the status (both may be ahead of now): keep the status just before.
  const seenAfterStatus = seen !== null && (at === null || seen > at);
  const clampedSeen = seen === null ? null : new Date(Math.min(seen, n));
  const clampedAt = at === null ? null : new Date(seenAfterStatus ? Math.min(at, n - 1) : Math.min(at, n));
  return { ...device, lastSeenAt: clampedSeen, connection: status && clampedAt ? { state: status.state, at: clampedAt } : null };
}

/** Why the engine closed a self-resolving alert, in words for its history. */
export function resolveReason(rule: string): string {
  switch (rule) {
    case PATIENT_SILENT_RULE:
      return 'Readings resumed.';
    case HUB_OFFLINE_RULE:
      return 'The hub or app is back online.';
    case DEVICE_UNUSED_RULE:
      return 'The device is in use again.';
    case READING_MISSING_RULE:
      return 'The missing readings arrived.';
    case DEVICE_CLOCK_OFF_RULE:
      return "The device's latest reading came with its clock right.";
    case LATE_DELIVERY_RULE:
      return "The device's latest reading arrived on time.";
    case LOW_BATTERY_RULE:
      return 'The battery has been charged or replaced.';
    case MALFORMED_FRAMES_RULE:
      return 'No malformed frames from the device for 24 hours.';
    case OVERDUE_RULE:
      return 'The overdue reading arrived.';
    default:
      return 'The condition has cleared.';
  }
}

export function silenceProposal(candidate: AlertCandidate): SilenceProposal {
  return {
    patientId: candidate.patientId,
    rule: candidate.rule,
    subject: candidate.subject,
    severity: candidate.severity,
    explanation: candidate.explanation,
    details: candidate.details,
    latestValue: null,
    // When it fell due: each further interval missed moves it on (a further occurrence).
    measuredAt: candidate.measuredAt,
    readingIds: [],
    evidenceReceivedAt: candidate.measuredAt,
  };
}

export function technicalProposal(finding: TechnicalFinding): SilenceProposal {
  return {
    patientId: finding.patientId,
    rule: finding.rule,
    subject: finding.subject,
    severity: finding.severity,
    explanation: finding.explanation,
    details: finding.details,
    latestValue: null,
    measuredAt: finding.measuredAt,
    readingIds: finding.readingIds,
    evidenceReceivedAt: finding.receivedAt,
  };
}
