import type { BacktestAlert as BacktestAlertDto, BacktestCatch, BacktestFinding, BacktestPlanAlerts, BacktestPlanFindings, BacktestReport, RateRow, TimerTicksKind } from '@homeward/contracts';
import { AlertEpisodeLedger, type Reading, type RecordedAlertAction, type RecordedSuppression, type ReplayedAlert } from '@homeward/domain';
import {
  type AlertCandidate,
  DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT,
  type ExpectedReading,
  MALFORMED_FRAMES_WINDOW_MS,
  type StoredCarePlan,
  type TimerCheckInput,
  evaluatePatientRules,
  mapCarePlan,
  nextTimerChange,
  readingProblems,
  readingsAnswer,
  rulesLookBackMs,
  silenceCandidates,
  timerChecks,
} from '@homeward/rules';
import type { AnalyticsAdmission, DeviceHistory, MalformedFrame, OpenAlertAt } from '@homeward/storage';
import { proposalOf } from '../rules-engine/alert-writer';
import { READING_RULES, SILENCE_RULES, TIMER_RULES, asSeenAt, silenceProposal, technicalProposal } from '../rules-engine/silence-and-device.checks';
import { DAY_MS, HOUR_MS, countBy, overlapMs, rate } from './analytics-figures';

/** Outcomes that mean a person had to act clinically on the alert: the catches a plan change must not lose. */
export const CLINICAL_ACTION_OUTCOMES: readonly string[] = ['contacted-patient', 'visit-arranged', 'escalated-to-gp', 'escalated-to-999', 'escalated-to-ward'];
/** How far either side of a past alert's first evidence a plan's finding still counts as catching it. */
export const CATCH_WINDOW_HOURS = 72;

/** A past alert of the ward that needed clinical action, as the catch comparison needs it. */
export interface ActionedAlert {
  readonly id: string;
  readonly patientId: string;
  readonly rule: string;
  readonly severity: string;
  readonly firstMeasuredAt: Date;
  readonly outcome: string;
}

export interface BacktestAdmission {
  readonly admission: AnalyticsAdmission;
  /** The patient's stored readings from (period start − the longest look-back) to the period's end. */
  readonly readings: readonly Reading[];
  /** The care plan to try for this admission, or undefined to keep the stored one. */
  readonly proposed: StoredCarePlan | undefined;
  /**
   * What people and the escalation timer did to the patient's alerts in the period (the stored
   * alert trail, oldest first), replayed between the moments; absent: nobody acted.
   */
  readonly actions?: readonly RecordedAlertAction[];
  /** Clinicians' suppressions of the patient's rules in force during the period. */
  readonly suppressions?: readonly RecordedSuppression[];
  /**
   * The facts the timer pass judges at past moments (devices' contact history, malformed frames):
   * given, the silence and technical rules are replayed too; absent, only the readings' rules.
   */
  readonly timer?: TimerFacts;
  /** The patient's alerts unresolved when the period starts, as they stood then: carried into the replay. */
  readonly openAtStart?: readonly OpenAlertAt[];
}

export interface TimerFacts {
  readonly devices: readonly DeviceHistory[];
  readonly malformed: readonly MalformedFrame[];
  /** The engine's hubOfflineAfterMinutes (default DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT). */
  readonly offlineAfterMinutes?: number;
}

/**
 * The period replayed. `timerTicks`: the moments the engine's timer pass ran (rules_timer_ticks,
 * ms since the epoch, ascending), the record from `ticksRecordedFrom` on: the replay's timer runs
 * exactly then. Before that (no ticks recorded: before migration 0024, or past their retention), or
 * without them, the ticks are inferred: with `timerEveryMs` on multiples of it since the epoch (as
 * a test's clock does), else at the very moment each decision can change (the engine's periodic
 * pass opens the same alerts at most one interval later).
 */
export interface BacktestPeriod {
  readonly from: Date;
  readonly to: Date;
  readonly timerEveryMs?: number;
  readonly timerTicks?: readonly number[];
  readonly ticksRecordedFrom?: number;
}

/** Whether the period's timer moments were read from the engine's record, inferred, or partly each. */
export function timerTicksKind(period: BacktestPeriod): TimerTicksKind {
  const recordedFrom = period.ticksRecordedFrom;
  if (recordedFrom === undefined || !period.timerTicks || recordedFrom >= period.to.getTime()) return 'inferred';
  return recordedFrom <= period.from.getTime() ? 'recorded' : 'partly-recorded';
}

/** The report's parts are the API's answer, declared once in @homeward/contracts (the dashboard reads them). */
export type FindingKey = BacktestFinding;
export type PlanFindings = BacktestPlanFindings;
export type CatchComparison = BacktestCatch;
export type BacktestAlert = BacktestAlertDto;
export type PlanAlerts = BacktestPlanAlerts;

/** The answer without its ward, plus every finding of each plan, for machines (--json) and the equivalence test against the engine's alerts. */
export interface RuleBacktestReport extends Omit<BacktestReport, 'wardId' | 'wardName'> {
  readonly findings: { readonly current: readonly (FindingKey & { readonly patientId: string })[]; readonly proposed: readonly (FindingKey & { readonly patientId: string })[] };
}

export interface Finding extends FindingKey {
  readonly patientId: string;
  readonly time: number;
}

/**
 * Replays stored readings through the live rule code (evaluatePatientRules of @homeward/rules, the
 * function the engine calls, at each reading's measurement time with the plan's look-back, as the
 * engine does) under the stored and a proposed care plan, and compares what the rules found
 * (findings: a rule firing at a reading) and the alerts they give with the recorded actions
 * replayed (alerts: AlertEpisodeLedger of @homeward/domain). Pure: the caller reads the snapshot.
 */
export function ruleBacktest(admissions: readonly BacktestAdmission[], actioned: readonly ActionedAlert[], period: BacktestPeriod): RuleBacktestReport {
  return backtestReport(admissions.map((item) => replayAdmission(item, period)), admissions, actioned, period);
}

/** What one admission's stored and proposed plans found (proposed: the same findings when no plan is proposed). */
export interface AdmissionReplay {
  readonly current: readonly Finding[];
  readonly proposed: readonly Finding[];
  readonly currentAlerts: PlanReplayAlerts;
  readonly proposedAlerts: PlanReplayAlerts;
}

/** One plan's replayed alerts of one admission, with how many recorded actions found their alert. */
export interface PlanReplayAlerts {
  readonly alerts: readonly BacktestAlert[];
  readonly actionsReplayed: number;
  readonly actionsUnmatched: number;
}

/** Replays one admission under its stored and its proposed care plan: the part a worker thread can do. */
export function replayAdmission(item: BacktestAdmission, period: BacktestPeriod): AdmissionReplay {
  const { admission } = item;
  const stored: StoredCarePlan = { patientId: admission.patientId, pathway: admission.pathway, carePlan: admission.carePlan };
  const current = replay(item, stored, period);
  const proposed = item.proposed ? replay(item, item.proposed, period) : current;
  return { current: current.findings, proposed: proposed.findings, currentAlerts: current.alerts, proposedAlerts: proposed.alerts };
}

/** The report from every admission's replay, `replays[i]` being `admissions[i]`'s: in admission order, whoever replayed them. */
export function backtestReport(replays: readonly AdmissionReplay[], admissions: readonly BacktestAdmission[], actioned: readonly ActionedAlert[], period: BacktestPeriod): RuleBacktestReport {
  const { from, to } = period;
  let patientDaysMs = 0;
  const current: Finding[] = [];
  const proposed: Finding[] = [];
  const currentAlerts: PlanReplayAlerts[] = [];
  const proposedAlerts: PlanReplayAlerts[] = [];
  admissions.forEach(({ admission }, i) => {
    patientDaysMs += overlapMs(admission.admittedAt, admission.dischargedAt, from, to);
    const replayed = replays[i];
    if (!replayed) throw new RangeError(`Admission ${admission.id} was not replayed.`);
    current.push(...replayed.current);
    proposed.push(...replayed.proposed);
    currentAlerts.push(replayed.currentAlerts);
    proposedAlerts.push(replayed.proposedAlerts);
  });
  const days = patientDaysMs / DAY_MS;
  const keyOf = (f: Finding) => `${f.patientId}|${f.at}|${f.rule}|${f.subject}|${f.severity}`;
  const currentKeys = new Set(current.map(keyOf));
  const proposedKeys = new Set(proposed.map(keyOf));
  const currentByPatient = byPatient(current);
  const proposedByPatient = byPatient(proposed);
  const patients = [...new Set([...currentByPatient.keys(), ...proposedByPatient.keys()])].sort();
  const strip = ({ at, evidenceAt, rule, subject, severity, readingIds }: Finding): FindingKey => ({ at, evidenceAt, rule, subject, severity, readingIds });
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    patientDays: Math.round(days * 100) / 100,
    timerTicks: timerTicksKind(period),
    current: summarise(current, days),
    proposed: summarise(proposed, days),
    differences: patients
      .map((patientId) => ({
        patientId,
        appear: (proposedByPatient.get(patientId) ?? []).filter((f) => !currentKeys.has(keyOf(f))).map(strip),
        disappear: (currentByPatient.get(patientId) ?? []).filter((f) => !proposedKeys.has(keyOf(f))).map(strip),
      }))
      .filter((d) => d.appear.length + d.disappear.length > 0),
    findings: { current: current.map((f) => ({ patientId: f.patientId, ...strip(f) })), proposed: proposed.map((f) => ({ patientId: f.patientId, ...strip(f) })) },
    alerts: { current: currentAlerts.flatMap((a) => a.alerts), proposed: proposedAlerts.flatMap((a) => a.alerts) },
    alertBurden: { current: summariseAlerts(currentAlerts, days), proposed: summariseAlerts(proposedAlerts, days) },
    catches: actioned.filter((a) => CLINICAL_ACTION_OUTCOMES.includes(a.outcome)).map((a) => catchOf(a, currentByPatient.get(a.patientId) ?? [], proposedByPatient.get(a.patientId) ?? [])),
  };
}

/**
 * The plan's findings at every reading's measurement time inside the admission and the period, and
 * the alerts they give: at each moment, as of when the engine saw it (its newest reading's
 * arrival), the recorded actions done before then are applied, then the moment's findings go
 * through the engine's decisions (AlertEpisodeLedger: decideAlert and applyAlertChange, as
 * AlertRepository.raise), with the candidates turned into findings by the engine's proposalOf.
 * With the timer replayed (item.timer), the readings pass's technical checks run on each
 * moment's readings and the timer pass's silence and device checks (timerChecks of
 * @homeward/rules, the functions the engine's passes call) at every moment their answer can change.
 */
function replay(item: BacktestAdmission, plan: StoredCarePlan, period: BacktestPeriod): { findings: Finding[]; alerts: PlanReplayAlerts } {
  const { admission } = item;
  const { carePlan, expectedReadings } = mapCarePlan(plan);
  const lookBack = rulesLookBackMs(carePlan);
  const start = Math.max(period.from.getTime(), admission.admittedAt.getTime());
  const end = Math.min(period.to.getTime(), (admission.dischargedAt ?? period.to).getTime());
  const sorted = [...item.readings].sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
  const actions = [...(item.actions ?? [])].filter((a) => a.patientId === admission.patientId).sort((a, b) => a.at.getTime() - b.at.getTime());
  const ledger = new AlertEpisodeLedger(item.suppressions ?? []);
  for (const open of item.openAtStart ?? []) if (open.patientId === admission.patientId) ledger.carry(carriedAlert(open));
  const timers = item.timer ? new TimerReplay(item, item.timer, expectedReadings, ledger, start, end, period) : null;
  let acted = 0;
  let applied = 0;
  const actUntil = (time: number) => {
    while (acted < actions.length && (actions[acted] as RecordedAlertAction).at.getTime() <= time) {
      // A timer pass before the action runs first (ties: the action, as a person acts on what they see).
      timers?.runUntil((actions[acted] as RecordedAlertAction).at.getTime() - 1);
      if (ledger.act(actions[acted] as RecordedAlertAction).kind === 'action-applied') applied++;
      timers?.touched((actions[acted] as RecordedAlertAction).at.getTime());
      acted++;
    }
    timers?.runUntil(time);
  };
  const findings: Finding[] = [];
  const seen = new Set<string>();
  /** One evaluation at a moment, as of `now`: candidates through the decisions, findings counted once. */
  const evaluate = (window: readonly Reading[], moment: number, now: Date, raisedNow?: Set<string>) => {
    for (const c of evaluatePatientRules(window, carePlan, new Date(moment))) {
      const key = `${c.rule}|${c.subject}|${c.severity}|${c.readingIds.join(',')}|${c.measuredAt.getTime()}`;
      // The engine's page proposes each distinct candidate once (readings.pass.ts proposalsAt).
      if (raisedNow?.has(key)) continue;
      raisedNow?.add(key);
      // Every candidate goes to the decisions, as the engine's pass sends each moment's: the same
      // evidence again is ignored there, unless a suppression has ended meanwhile (then it raises).
      // Escalation timers are not replayed: escalations come from the trail.
      ledger.raise(Object.assign(proposalOf(c), { escalationDueAt: null, nextReminderAt: null }), now);
      // A finding is counted once: the first moment that found it (same evidence).
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(findingOf(c, admission.patientId, moment));
    }
  };
  /** Before the engine's readings pass at `now`: the timer passes before it, then the actions up to it. */
  const upTo = (now: number) => {
    timers?.runUntil(now - 1);
    actUntil(now);
  };
  if (arrivedInOrder(sorted, start, end)) {
    let low = 0;
    let next = 0;
    while (next < sorted.length && (sorted[next] as Reading).measuredAt.getTime() < start) next++;
    while (next < sorted.length) {
      const first = next;
      const moment = (sorted[next] as Reading).measuredAt.getTime();
      if (moment >= end) break;
      // The moment's readings arrived together, after every earlier moment's: the engine judged it then.
      const now = (sorted[next] as Reading).receivedAt;
      while (next < sorted.length && (sorted[next] as Reading).measuredAt.getTime() === moment) next++;
      while (low < sorted.length && (sorted[low] as Reading).measuredAt.getTime() < moment - lookBack) low++;
      upTo(now.getTime());
      // The readings pass answers open silence and technical alerts before its raises are written (readings.pass.ts).
      const answered = timers?.answeredBy(sorted.slice(first, next), now) ?? [];
      evaluate(sorted.slice(low, next), moment, now);
      timers?.onReadings(sorted.slice(first, next), now, answered);
    }
  } else {
    replayInArrivalOrder(sorted, lookBack, start, end, (fresh, window, moments, now) => {
      upTo(now.getTime());
      const answered = timers?.answeredBy(fresh, now) ?? [];
      const raisedNow = new Set<string>();
      for (const moment of moments) evaluate(window, moment, now, raisedNow);
      timers?.onReadings(fresh, now, answered);
    });
  }
  actUntil(end);
  timers?.runUntil(end - 1);
  return { findings, alerts: { alerts: ledger.alerts().map(backtestAlertOf), actionsReplayed: applied, actionsUnmatched: acted - applied } };
}

/**
 * Whether the engine saw the readings moment by moment in measurement order: each moment's readings
 * arrived at once, no earlier than the previous moment's. Then judging each moment with every
 * reading measured up to it, when its readings arrived, is what the engine did; otherwise (a hub's
 * backlog, a device resending) the replay follows the arrivals (replayInArrivalOrder).
 */
function arrivedInOrder(sorted: readonly Reading[], start: number, end: number): boolean {
  let previous = -Infinity;
  for (let i = 0; i < sorted.length; ) {
    const moment = (sorted[i] as Reading).measuredAt.getTime();
    const at = (sorted[i] as Reading).receivedAt.getTime();
    for (; i < sorted.length && (sorted[i] as Reading).measuredAt.getTime() === moment; i++) if ((sorted[i] as Reading).receivedAt.getTime() !== at) return false;
    if (moment >= end) break;
    if (moment >= start && at < previous) return false;
    previous = Math.max(previous, at);
  }
  return true;
}

/**
 * The readings pass as the engine ran it, arrival by arrival (readings.pass.ts): the readings that
 * arrived together (one receipt time), at every moment they can change: their own measurement
 * times and every moment already judged that a look-back reaches from them (a late reading
 * re-opens those), over the readings received by then. Calls `judge` with the arrival, its window
 * and moments (inside the period), oldest arrival first.
 */
function replayInArrivalOrder(
  sorted: readonly Reading[],
  lookBack: number,
  start: number,
  end: number,
  judge: (fresh: readonly Reading[], window: readonly Reading[], moments: readonly number[], now: Date) => void,
): void {
  const arrivals = new Map<number, Reading[]>();
  for (const r of sorted) {
    const at = r.receivedAt.getTime();
    const list = arrivals.get(at);
    if (list) list.push(r);
    else arrivals.set(at, [r]);
  }
  const measured = sorted.map((r) => r.measuredAt.getTime());
  const handled: number[] = [];
  for (const at of [...arrivals.keys()].sort((a, b) => a - b)) {
    const fresh = arrivals.get(at) as Reading[];
    const times = [...new Set(fresh.map((r) => r.measuredAt.getTime()))].sort((a, b) => a - b);
    const moments = new Set(times.filter((t) => t >= start && t < end));
    for (const f of times) {
      for (let i = upperBound(handled, f); i < handled.length && (handled[i] as number) <= f + lookBack; i++) {
        const m = handled[i] as number;
        if (m >= start && m < end) moments.add(m);
      }
    }
    for (const t of times) {
      const i = upperBound(handled, t);
      if (handled[i - 1] !== t) handled.splice(i, 0, t);
    }
    if (moments.size === 0 && !(at >= start && at < end)) continue;
    const ordered = [...moments].sort((a, b) => a - b);
    const earliest = times[0] as number;
    const last = Math.max(ordered[ordered.length - 1] ?? earliest, times[times.length - 1] as number);
    // The engine's window for the page: from the earliest new reading's look-back to the last moment, as stored by then.
    const window = sorted.slice(upperBound(measured, earliest - lookBack - 1), upperBound(measured, last)).filter((r) => r.receivedAt.getTime() <= at);
    judge(fresh, window, ordered, new Date(at));
  }
}

/** An alert open when the period starts, as the ledger holds it. */
function carriedAlert(a: OpenAlertAt): ReplayedAlert {
  return {
    patientId: a.patientId,
    rule: a.rule,
    subject: a.subject,
    state: a.state,
    severity: a.severity,
    occurrences: a.occurrences,
    readingIds: a.readingIds,
    explanation: a.explanation,
    details: a.details,
    latestValue: a.latestValue,
    firstMeasuredAt: a.firstMeasuredAt,
    latestMeasuredAt: a.latestMeasuredAt,
    escalationDueAt: null,
    nextReminderAt: null,
    worsenedAt: a.worsenedAt,
    worsenedFrom: a.worsenedFrom,
    openedAt: a.openedAt,
    evidenceTakenAt: a.evidenceTakenAt,
    acknowledgedAt: a.acknowledgedAt,
    escalatedAt: a.escalatedAt,
    resolvedAt: null,
    outcome: null,
    severityHistory: a.severityHistory,
    actedOnAs: [a.id],
  };
}

/**
 * The engine's timer pass and the readings pass's technical checks, replayed for one admission
 * with the store as it was at each moment: readings received by then, the devices' contact
 * history (device_contacts), the malformed frames of the 24 hours before.
 */
class TimerReplay {
  /**
   * Per vital: its readings by when the engine could see them (received, and measured, by then),
   * with the latest measured among each prefix (latestPerVital as of a moment, by binary search).
   */
  private readonly byVital: { readonly visible: number[]; readonly best: Reading[] }[] = [];
  /** Per device: when it was heard from, its battery levels and its statuses, each in time order. */
  private readonly devices: { id: string; type: DeviceHistory['type']; patientId: string; seen: number[]; seenUntil: number[]; batteryAt: number[]; batteryLevel: number[]; statusAt: number[]; status: string[] }[];
  private readonly frames: readonly MalformedFrame[];
  private readonly frameAt: number[];
  /** Every moment a fact changes: a reading or contact arriving, a frame arriving or leaving the 24-hour window. */
  private readonly factTimes: number[];
  private factIndex = 0;
  private last = -Infinity;
  private due: number;
  private readonly everyMs: number | undefined;
  /** The engine's recorded ticks, and from when they are the record (Infinity: none). */
  private readonly ticks: readonly number[];
  private readonly recordedFrom: number;
  /** The earliest moment the ledger changed (an action, a reading's alerts) since the last pass. */
  private changedAt = Infinity;

  constructor(
    private readonly item: BacktestAdmission,
    private readonly facts: TimerFacts,
    private readonly expected: readonly ExpectedReading[],
    private readonly ledger: AlertEpisodeLedger,
    start: number,
    private readonly end: number,
    period: BacktestPeriod,
  ) {
    this.everyMs = period.timerEveryMs;
    this.ticks = period.timerTicks ?? [];
    this.recordedFrom = period.timerTicks && period.ticksRecordedFrom !== undefined ? period.ticksRecordedFrom : Infinity;
    const visible = (r: Reading) => Math.max(r.receivedAt.getTime(), r.measuredAt.getTime());
    const vitals = new Map<string, Reading[]>();
    for (const r of item.readings) vitals.set(r.vital, [...(vitals.get(r.vital) ?? []), r]);
    for (const list of vitals.values()) {
      list.sort((a, b) => visible(a) - visible(b));
      const best: Reading[] = [];
      for (const r of list) {
        const before = best[best.length - 1];
        best.push(before && before.measuredAt >= r.measuredAt ? before : r);
      }
      this.byVital.push({ visible: list.map(visible), best });
    }
    this.devices = facts.devices.map((d) => {
      const contacts = [...d.contacts].sort((a, b) => a.at.getTime() - b.at.getTime());
      const seen = contacts.filter((c) => c.kind === 'seen');
      const battery = seen.filter((c) => c.batteryLevel !== null);
      const status = contacts.filter((c) => c.kind !== 'seen');
      return {
        id: d.id,
        type: d.type,
        patientId: d.patientId,
        seen: seen.map((c) => c.at.getTime()),
        seenUntil: seen.map((c) => (c.until ?? c.at).getTime()),
        batteryAt: battery.map((c) => c.at.getTime()),
        batteryLevel: battery.map((c) => c.batteryLevel as number),
        statusAt: status.map((c) => c.at.getTime()),
        status: status.map((c) => c.kind),
      };
    });
    this.frames = [...facts.malformed].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
    this.frameAt = this.frames.map((m) => m.receivedAt.getTime());
    const times = [
      ...item.readings.map((r) => Math.max(r.receivedAt.getTime(), r.measuredAt.getTime())),
      // A span's end too: from then on the device's last contact stops moving.
      ...facts.devices.flatMap((d) => d.contacts.flatMap((c) => (c.until ? [c.at.getTime(), c.until.getTime()] : [c.at.getTime()]))),
      ...facts.malformed.flatMap((m) => [m.receivedAt.getTime(), m.receivedAt.getTime() + MALFORMED_FRAMES_WINDOW_MS]),
    ];
    this.factTimes = [...new Set(times)].sort((a, b) => a - b);
    // The first pass at the start; facts before it are the state then, not moments of this replay.
    this.last = start - 1;
    this.due = start;
  }

  /** The timer passes at every moment up to `until` (inclusive) at which the answer can change. */
  runUntil(until: number): void {
    for (;;) {
      while (this.factIndex < this.factTimes.length && (this.factTimes[this.factIndex] as number) <= this.last) this.factIndex++;
      const fact = this.factTimes[this.factIndex] ?? Infinity;
      const change = Math.min(this.due, fact);
      let at = this.tickAtOrAfter(change);
      // From the first recorded tick on, the engine's record: the first tick at or after the change
      // (or a ledger change: a person's action, a reading's alerts), none at which nothing changes
      // (passes in between would judge the same facts and open alerts the same way: no-ops).
      if (at >= this.recordedFrom) at = this.ticks[upperBound(this.ticks, Math.max(this.last, Math.min(change, this.changedAt) - 1))] ?? Infinity;
      if (at > until || at >= this.end) return;
      this.pass(at);
    }
  }

  /** The ledger changed at `at` outside a pass: the engine's next recorded tick judges it again. */
  touched(at: number): void {
    if (at >= this.recordedFrom) this.changedAt = Math.min(this.changedAt, at);
  }

  private tickAtOrAfter(t: number): number {
    const every = this.everyMs;
    if (!every || every <= 0 || !Number.isFinite(t)) return t;
    return Math.ceil(t / every) * every;
  }

  private pass(at: number): void {
    this.last = at;
    this.changedAt = Infinity;
    const now = new Date(at);
    const input = this.inputAt(now);
    const { patientId } = this.item.admission;
    const open = this.ledger.unresolvedAlerts().filter((a) => a.patientId === patientId && TIMER_RULES.has(a.rule));
    const checked = timerChecks(input, open);
    for (const p of [...checked.silences.map(silenceProposal), ...checked.technical.map(technicalProposal)]) {
      this.ledger.raise({ ...p, escalationDueAt: null, nextReminderAt: null }, now);
    }
    for (const a of checked.answered) this.ledger.resolveCleared(a, now);
    // A device inside a contact span is heard from until the span's end: it changes nothing before
    // then (judged at `at` it was just heard from, which would make every pass due 30 minutes on).
    const spanEnds = this.devices.map((d) => {
      const span = upperBound(d.seen, at) - 1;
      return span < 0 ? null : (d.seenUntil[span] as number);
    });
    const ahead = { ...input, devices: input.devices.map((d, i) => ((spanEnds[i] ?? -Infinity) > at ? { ...d, lastSeenAt: new Date(spanEnds[i] as number) } : d)) };
    this.due = nextTimerChange(ahead)?.getTime() ?? Infinity;
  }

  /** The store as the engine read it at `now` (binary searches over the facts sorted once). */
  private inputAt(now: Date): TimerCheckInput {
    const t = now.getTime();
    const latest: Reading[] = [];
    for (const vital of this.byVital) {
      const best = vital.best[upperBound(vital.visible, t) - 1];
      if (best) latest.push(best);
    }
    const devices = this.devices.map((d) => {
      // Inside a span it was heard from at most 5 minutes before (as of `t`: at `t`); after it, at its end.
      const span = upperBound(d.seen, t) - 1;
      const lastSeen = span < 0 ? undefined : Math.min(d.seenUntil[span] as number, t);
      const battery = upperBound(d.batteryAt, t) - 1;
      const status = upperBound(d.statusAt, t) - 1;
      const state = {
        id: d.id,
        type: d.type,
        patientId: d.patientId,
        lastSeenAt: lastSeen === undefined ? null : new Date(lastSeen),
        batteryLevel: battery < 0 ? null : (d.batteryLevel[battery] ?? null),
        batteryAt: battery < 0 ? null : new Date(d.batteryAt[battery] as number),
        connection: status < 0 ? null : { state: d.status[status] as 'online' | 'offline', at: new Date(d.statusAt[status] as number) },
      };
      return asSeenAt(state, now);
    });
    const frames = new Map<string, { count: number; lastAt: Date; codes: Set<string> }>();
    // received_at > now − 24 h, and received by now.
    for (let i = upperBound(this.frameAt, t - MALFORMED_FRAMES_WINDOW_MS); i < upperBound(this.frameAt, t); i++) {
      const m = this.frames[i] as MalformedFrame;
      const f = frames.get(m.deviceId) ?? { count: 0, lastAt: m.receivedAt, codes: new Set<string>() };
      f.count++;
      if (m.receivedAt > f.lastAt) f.lastAt = m.receivedAt;
      f.codes.add(m.code);
      frames.set(m.deviceId, f);
    }
    return {
      patientId: this.item.admission.patientId,
      expected: this.expected,
      latest,
      devices,
      admittedAt: this.item.admission.admittedAt,
      now,
      offlineAfterMinutes: this.facts.offlineAfterMinutes ?? DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT,
      malformed: [...frames].map(([deviceId, f]) => ({ deviceId, count: f.count, lastAt: f.lastAt, codes: [...f.codes].sort() })),
    };
  }

  /** The open silence and technical alerts a moment's readings answer (readingsAnswer, as SilenceAndDeviceChecks.onReadings). */
  answeredBy(fresh: readonly Reading[], now: Date): ReplayedAlert[] {
    const { patientId } = this.item.admission;
    const open = this.ledger.unresolvedAlerts().filter((a) => a.patientId === patientId && (TIMER_RULES.has(a.rule) || READING_RULES.has(a.rule)));
    if (open.length === 0) return [];
    const silencesNow = open.some((a) => SILENCE_RULES.has(a.rule)) ? silenceCandidates(this.inputAt(now)) : null;
    return readingsAnswer(fresh, now, open, { reading: READING_RULES, silence: SILENCE_RULES }, silencesNow);
  }

  /** The readings pass's technical findings on the moment's readings, then what they answered resolved. */
  onReadings(fresh: readonly Reading[], now: Date, answered: readonly ReplayedAlert[]): void {
    for (const p of readingProblems(this.item.admission.patientId, fresh, now).map(technicalProposal)) this.ledger.raise({ ...p, escalationDueAt: null, nextReminderAt: null }, now);
    for (const a of answered) this.ledger.resolveCleared(a, now);
    this.touched(now.getTime());
  }
}

/** How many of the sorted `times` are at or before `t`. */
function upperBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function backtestAlertOf(a: ReplayedAlert): BacktestAlert {
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    patientId: a.patientId,
    rule: a.rule,
    subject: a.subject,
    severity: a.severity,
    severityHistory: a.severityHistory.map((h) => ({ at: h.at.toISOString(), severity: h.severity })),
    state: a.state,
    openedAt: a.openedAt.toISOString(),
    acknowledgedAt: iso(a.acknowledgedAt),
    escalatedAt: iso(a.escalatedAt),
    resolvedAt: iso(a.resolvedAt),
    outcome: a.outcome,
    firstMeasuredAt: a.firstMeasuredAt.toISOString(),
    latestMeasuredAt: a.latestMeasuredAt.toISOString(),
    occurrences: a.occurrences,
    readingIds: a.readingIds,
    explanation: a.explanation,
    liveAlertIds: a.actedOnAs,
  };
}

/** Counts by key, in key order, with their rate per patient-day. */
function rateRows(counts: Map<string, number>, days: number): RateRow[] {
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => ({ key, count, perPatientDay: rate(count, days) }));
}

function summariseAlerts(plans: readonly PlanReplayAlerts[], days: number): PlanAlerts {
  const alerts = plans.flatMap((p) => p.alerts);
  return {
    alerts: alerts.length,
    perPatientDay: rate(alerts.length, days),
    byRule: rateRows(countBy(alerts, (a) => a.rule), days),
    bySeverity: rateRows(countBy(alerts, (a) => a.severity), days),
    actionsReplayed: plans.reduce((n, p) => n + p.actionsReplayed, 0),
    actionsUnmatched: plans.reduce((n, p) => n + p.actionsUnmatched, 0),
  };
}

/** Findings per patient, each list in the order found (one pass instead of a scan per patient). */
function byPatient(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const group = groups.get(f.patientId);
    if (group) group.push(f);
    else groups.set(f.patientId, [f]);
  }
  return groups;
}

function findingOf(c: AlertCandidate, patientId: string, moment: number): Finding {
  return { patientId, time: moment, at: new Date(moment).toISOString(), evidenceAt: c.measuredAt.toISOString(), rule: c.rule, subject: c.subject, severity: c.severity, readingIds: c.readingIds };
}

function summarise(findings: readonly Finding[], days: number): PlanFindings {
  return { findings: findings.length, perPatientDay: rate(findings.length, days), byRule: rateRows(countBy(findings, (f) => f.rule), days), bySeverity: rateRows(countBy(findings, (f) => f.severity), days) };
}

function catchOf(alert: ActionedAlert, current: readonly Finding[], proposed: readonly Finding[]): CatchComparison {
  const centre = alert.firstMeasuredAt.getTime();
  const first = (findings: readonly Finding[]) =>
    findings.filter((f) => f.patientId === alert.patientId && Math.abs(f.time - centre) <= CATCH_WINDOW_HOURS * HOUR_MS).reduce<number | null>((min, f) => (min === null || f.time < min ? f.time : min), null);
  const c = first(current);
  const p = first(proposed);
  return {
    alertId: alert.id,
    patientId: alert.patientId,
    rule: alert.rule,
    outcome: alert.outcome,
    liveFirstMeasuredAt: alert.firstMeasuredAt.toISOString(),
    currentAt: c === null ? null : new Date(c).toISOString(),
    proposedAt: p === null ? null : new Date(p).toISOString(),
    shiftHours: c === null || p === null ? null : Math.round(((p - c) / HOUR_MS) * 10) / 10,
  };
}
