import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type Observable, Subject, type Subscription, exhaustMap, from, map, merge, tap, timer } from 'rxjs';
import type { Alert, AlertActor, AlertSeverityBand } from '@homeward/domain';
import {
  type AlertCandidate,
  DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT,
  type EngineCarePlan,
  OVERDUE_RULE,
  TECHNICAL_RULES,
  evaluatePatientRules,
  mapCarePlan,
  rulesLookBackMs,
} from '@homeward/rules';
import {
  type MonitoredAdmission,
  type Partitioning,
  type RaiseAlertInput,
  type RaiseAlertResult,
  type ReadingCursor,
  type SqlClient,
  type Storage,
  type StoredReading,
  partitionCursorName,
} from '@homeward/storage';
import { type Clock, SYSTEM_CLOCK } from './clock';
import { PIPELINE_STALL_RULE, PipelineStallMonitor } from './pipeline-stall.monitor';
import { SILENCE_RULE_IDS, SilenceAndDeviceChecks, resolveReason } from './silence-and-device.checks';
import {
  DEFAULT_ESCALATE_AFTER_MINUTES,
  DEFAULT_REMIND_EVERY_MINUTES,
  type MinutesBySeverity,
  RULES_ENGINE_OPTIONS,
  RULES_ENGINE_STORAGE,
  type RulesEngineOptions,
} from './rules-engine.options';

/** What the engine did, for the live alert stream and the notifier (not the record: alert_events is). */
export interface RulesEngineEvent {
  /** 'worsened': an acknowledged or escalated alert re-opened by a worse finding, published like a raise. */
  readonly type: 'raised' | 'repeated' | 'worsened' | 'escalated' | 'reminded' | 'resolved';
  readonly alert: Alert;
}

export const READINGS_CHANNEL = 'homeward_readings';
export const RULES_ENGINE_ACTOR: AlertActor = { type: 'system', id: 'rules-engine' };
/** Rules whose alerts the engine may resolve itself; NEWS2, threshold and trend alerts need a person. */
export const SELF_RESOLVING_RULES: ReadonlySet<string> = new Set([OVERDUE_RULE, PIPELINE_STALL_RULE, ...SILENCE_RULE_IDS, ...TECHNICAL_RULES]);

const HELD_BACK_RETRY_MS = 100;
const DEFAULT_LEASE_MS = 15_000;
type Work = 'readings' | 'timers' | 'leases';

/** A proposal from any rule, ready for AlertRepository.raise. */
type Proposal = Omit<RaiseAlertInput, 'wardId' | 'at' | 'escalationDueAt' | 'nextReminderAt' | 'by'>;

/**
 * The rules engine. Consumes committed readings at least once through a cursor stored in the
 * database, and writes the alerts of a batch and the cursor's new position in one transaction,
 * so after a crash or restart the batch is evaluated again from the store and nothing is lost or
 * counted twice (a repeat of known evidence leaves the alert unchanged).
 *
 * Per patient, rules run at each measurement moment in measurement-time order, over the readings
 * window read from the store by measured time, not arrival: a late reading is evaluated at the
 * moment it was measured, and so is every later moment whose window it falls in.
 *
 * Wakes on LISTEN homeward_readings, polls as a fallback, and runs escalation timers, reminders
 * and silence and device checks on a timer. All work runs one piece at a time in this process; a
 * second process with the same consumer name takes turns through the cursor's row lock.
 *
 * With `partitioning`, several workers split the patients: this one evaluates only the
 * partitions whose leases it holds (renewed on a heartbeat, checked again inside each batch's
 * transaction), each from its own cursor, so a patient's readings are evaluated in order by one
 * worker at a time; a dead worker's partitions expire and are taken over from their cursors. The
 * timers (escalations, reminders, silence and device checks) run in the holder of partition 0.
 */
@Injectable()
export class RulesEngineService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RulesEngine');
  private readonly clock: Clock;
  private readonly consumer: string;
  private readonly eventsSubject = new Subject<RulesEngineEvent>();
  private readonly wakes = new Subject<Work>();
  private readonly pending = new Set<Work>();
  private queue: Promise<unknown> = Promise.resolve();
  private subscription: Subscription | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private running = false;
  /** While stop() waits: a drain in progress ends after its current batch instead of working through the backlog. */
  private stopping = false;
  /** The last page ended at committed readings still held back by an open transaction. */
  private heldBack = false;
  private readonly reportedPlanProblems = new Set<string>();
  private readonly partitioning: Partitioning | undefined;
  private readonly leaseMs: number;
  private readonly workerId: string;
  /** Partitions this worker holds, as of its last heartbeat. */
  private owned: readonly number[] = [];
  private leasesRenewedAt = 0;
  private readonly stallMonitor: PipelineStallMonitor | undefined;
  private stallTimer: Subscription | undefined;
  private stallCheck: Promise<void> | undefined;
  private readonly silence: SilenceAndDeviceChecks;

  /** Alerts raised, repeated, escalated, reminded and resolved, as they are committed. */
  readonly events$: Observable<RulesEngineEvent> = this.eventsSubject.asObservable();

  constructor(
    @Inject(RULES_ENGINE_STORAGE) private readonly storage: Storage,
    @Inject(RULES_ENGINE_OPTIONS) private readonly options: RulesEngineOptions,
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.consumer = options.consumer ?? 'rules-engine';
    this.partitioning = options.partitioning ? { consumer: this.consumer, partitions: options.partitioning.partitions } : undefined;
    this.leaseMs = options.partitioning?.leaseMs ?? DEFAULT_LEASE_MS;
    this.workerId = options.partitioning?.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.silence = new SilenceAndDeviceChecks(storage, this.offlineAfterMinutes);
    this.stallMonitor =
      options.stallAlertAfterMs === undefined
        ? undefined
        : new PipelineStallMonitor(storage, { consumer: this.consumer, partitions: this.partitioning?.partitions, stallAfterMs: options.stallAlertAfterMs, clock: this.clock });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.startStallChecks();
    if (this.options.enabled !== false) await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stallTimer?.unsubscribe();
    this.stallTimer = undefined;
    await this.stallCheck;
    await this.stop();
  }

  /** This worker's name in the partition lease table. */
  get worker(): string {
    return this.workerId;
  }

  /** The partitions this worker holds (all of them, as one partition, without partitioning). */
  get ownedPartitions(): readonly number[] {
    return this.partitioning ? this.owned : [0];
  }

  /** Runs the pipeline-stall check now (it also runs on its own timer when configured). */
  checkPipelineStall(): Promise<void> {
    if (!this.stallMonitor) return Promise.resolve();
    const monitor = this.stallMonitor;
    // Not in the engine's queue: a pass that hangs is exactly what this must notice.
    this.stallCheck ??= monitor
      .check()
      .then((result) => {
        for (const alert of result.raised) {
          this.logger.warn(`pipeline stalled: readings of patient ${alert.patientId} wait unevaluated; technical alert ${alert.id} raised`);
          this.eventsSubject.next({ type: 'raised', alert });
        }
        for (const alert of result.resolved) this.eventsSubject.next({ type: 'resolved', alert });
      })
      .catch((error: unknown) => this.logger.error(`pipeline stall check failed: ${describe(error)}`))
      .finally(() => (this.stallCheck = undefined));
    return this.stallCheck;
  }

  private startStallChecks(): void {
    const after = this.options.stallAlertAfterMs;
    if (after === undefined || this.stallTimer) return;
    const every = this.options.stallCheckIntervalMs ?? Math.min(30_000, Math.max(250, after / 4));
    this.stallTimer = timer(every, every).subscribe(() => void this.checkPipelineStall());
  }

  /** A hub or app not heard from for this long is offline (isDeviceOffline), here and on the patient page. */
  get offlineAfterMinutes(): number {
    return this.options.hubOfflineAfterMinutes ?? DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT;
  }

  /** The engine's clock: silence and device state are judged against it. */
  now(): Date {
    return this.clock.now();
  }

  /** The name of this engine's cursor in reading_consumers. */
  get consumerName(): string {
    return this.consumer;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts listening, polling and the timers; the first pass runs at once (catching up after a restart). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    if (this.options.listen !== false && this.storage.db.listen) {
      try {
        this.stopListening = await this.storage.db.listen(READINGS_CHANNEL, () => this.wakes.next('readings'));
      } catch (error) {
        this.logger.warn(`cannot LISTEN ${READINGS_CHANNEL} (${describe(error)}); polling only`);
      }
    }
    const poll = timer(0, this.options.pollIntervalMs ?? 5_000).pipe(map((): Work => 'readings'));
    const timers = timer(0, this.options.timerIntervalMs ?? 30_000).pipe(map((): Work => 'timers'));
    const leases = this.partitioning ? timer(0, this.leaseMs / 3).pipe(map((): Work => 'leases')) : [];
    this.subscription = merge(this.wakes, poll, timers, leases)
      .pipe(
        tap((work) => this.pending.add(work)),
        // One pass at a time; wakes that arrive meanwhile are remembered in `pending`.
        exhaustMap(() => from(this.runPending())),
      )
      .subscribe(() => {
        const next = [...this.pending][0];
        if (next !== undefined && this.running) setImmediate(() => this.wakes.next(next));
      });
  }

  /** Stops waking and waits for the pass in progress; committed work stays committed. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.running) {
      this.running = false;
      this.subscription?.unsubscribe();
      this.subscription = undefined;
      const stopListening = this.stopListening;
      this.stopListening = undefined;
      await stopListening?.().catch(() => undefined);
    }
    await this.queue.catch(() => undefined);
    this.stopping = false;
    // Also when driven by hand (enabled: false): drain() claims leases too.
    if (this.partitioning && this.leasesRenewedAt > 0) {
      // Hand the partitions back now rather than make the other workers wait for expiry.
      await this.storage.partitions.release(this.partitioning, this.workerId).catch((error: unknown) => this.logger.warn(`could not release partitions: ${describe(error)}`));
      this.owned = [];
      this.leasesRenewedAt = 0;
    }
  }

  /** Asks for a pass over new readings soon (the gateway's notification does the same). */
  wake(): void {
    this.wakes.next('readings');
  }

  /** Evaluates every committed reading not yet evaluated; resolves with how many readings it consumed. */
  drain(): Promise<number> {
    return this.serial(() => this.drainNow());
  }

  /** Escalations, reminders, silence and device checks, as of the clock's now. */
  runTimers(): Promise<void> {
    return this.serial(() => this.runTimersNow());
  }

  private runPending(): Promise<void> {
    return this.serial(async () => {
      while (this.pending.size > 0 && this.running) {
        const work = new Set(this.pending);
        this.pending.clear();
        try {
          if (work.has('leases')) await this.renewLeases();
          if (work.has('readings')) await this.drainNow();
          if (work.has('timers')) await this.runTimersNow();
        } catch (error) {
          // The cursor did not move: the next wake or poll retries the same batch.
          this.logger.error(`rules engine pass failed: ${describe(error)}`);
        }
      }
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Heartbeat: renew this worker's leases, give up what exceeds its share, take free or expired ones. */
  private async renewLeases(): Promise<void> {
    if (!this.partitioning) return;
    const claim = await this.storage.partitions.claim(this.partitioning, this.workerId, this.leaseMs);
    this.leasesRenewedAt = Date.now();
    this.owned = claim.owned;
    if (claim.taken.length > 0 || claim.released.length > 0) {
      this.logger.log(
        `worker ${this.workerId} holds partitions [${claim.owned.join(', ')}] of ${this.partitioning.partitions} (${claim.liveWorkers} live worker${claim.liveWorkers === 1 ? '' : 's'}` +
          `${claim.taken.length > 0 ? `; took ${claim.taken.join(', ')}` : ''}${claim.released.length > 0 ? `; gave up ${claim.released.join(', ')}` : ''})`,
      );
    }
    // Partitions just taken over may have readings waiting since their last holder stopped.
    if (claim.taken.length > 0 && this.running) this.pending.add('readings');
  }

  /** Between batches, so a long catch-up never lets the leases lapse. */
  private async renewLeasesIfDue(): Promise<void> {
    if (this.partitioning && Date.now() - this.leasesRenewedAt >= this.leaseMs / 3) await this.renewLeases();
  }

  private async drainNow(): Promise<number> {
    let total = 0;
    let heldBack = false;
    if (!this.partitioning) {
      for (;;) {
        const consumed = await this.processBatch(undefined);
        heldBack = this.heldBack;
        if (consumed === 0) break;
        total += consumed;
        if (this.stopping) break; // committed with its cursor: the rest waits for the next start
      }
    } else {
      await this.renewLeasesIfDue();
      for (const partition of this.owned) {
        if (this.stopping) break;
        for (;;) {
          const consumed = await this.processBatch(partition);
          if (consumed === 0) {
            heldBack ||= this.heldBack;
            break;
          }
          total += consumed;
          if (this.stopping) break;
          await this.renewLeasesIfDue();
          if (!this.owned.includes(partition)) break;
        }
      }
    }
    // Committed readings held back behind another open transaction: no notification will come
    // when it ends, so look again shortly instead of waiting for the next poll.
    if (heldBack && this.running) {
      setTimeout(() => {
        if (this.running) this.wakes.next('readings');
      }, HELD_BACK_RETRY_MS).unref();
    }
    return total;
  }

  /**
   * One page of the readings stream (of one partition, when partitioned), evaluated and
   * committed with the cursor; 0 at the end.
   */
  private async processBatch(partition: number | undefined): Promise<number> {
    const { alerts, readings, monitoring } = this.storage;
    const partitioning = partition === undefined ? undefined : this.partitioning;
    const cursor = partitioning && partition !== undefined ? partitionCursorName(this.consumer, partition, partitioning.partitions) : this.consumer;
    const from = await alerts.readCursor(cursor);
    const page = await readings.afterCursor(
      from,
      this.options.pageSize ?? 500,
      partitioning && partition !== undefined ? { index: partition, count: partitioning.partitions } : undefined,
    );
    this.heldBack = page.heldBack;
    // Holding the partition's lease first (share-locked to commit) keeps a batch from committing
    // after its lease passed to another worker: the other worker's batch would count it again.
    const stillMine = async (tx: SqlClient) => partitioning === undefined || partition === undefined || this.storage.partitions.holds(partitioning, this.workerId, partition, tx);
    if (page.readings.length === 0) {
      // Only other partitions' readings went by: move past them so the next page starts there.
      if (!sameCursor(from, page.cursor)) {
        await this.storage.db.transaction(async (tx) => (await stillMine(tx)) && alerts.advanceCursor(cursor, from, page.cursor, tx));
      }
      return 0;
    }
    const now = this.clock.now();

    const work: { admission: MonitoredAdmission; proposals: Proposal[]; answered: Alert[] }[] = [];
    for (const [patientId, fresh] of groupByPatient(page.readings)) {
      const admission = await monitoring.activeAdmission(patientId);
      if (!admission) continue; // not on a virtual ward: stored, not monitored
      const plan = this.planOf(admission);
      const checked = await this.silence.onReadings(admission, plan, fresh, now);
      const proposals = [...(await this.evaluateFresh(admission, plan, fresh, from)), ...checked.proposals];
      const answered = [...checked.answered];
      work.push({ admission, proposals, answered });
    }

    const events: RulesEngineEvent[] = [];
    const moved = await this.storage.db.transaction(async (tx): Promise<boolean | 'lease-lost'> => {
      if (!(await stillMine(tx))) return 'lease-lost';
      // Then the cursor, so its row is locked for the whole batch (compare and set).
      if (!(await alerts.advanceCursor(cursor, from, page.cursor, tx))) return false;
      for (const { admission, proposals, answered } of work) {
        for (const proposal of proposals) {
          const result = await alerts.raise(this.raiseInput(admission, proposal, now), tx);
          const event = eventOf(result);
          if (event) events.push(event);
        }
        events.push(...(await this.resolveAnswered(answered, now, tx)));
      }
      await this.options.beforeCommit?.({ readings: page.readings.length, alerts: events.length });
      return true;
    });
    if (moved === 'lease-lost') {
      this.logger.warn(`partition ${partition ?? '?'} is no longer held by worker ${this.workerId}; its batch is left to the new holder`);
      this.owned = this.owned.filter((p) => p !== partition);
      return 0;
    }
    if (!moved) {
      this.logger.warn(`another "${cursor}" instance moved the cursor first; its batch stands`);
      return 0;
    }
    for (const event of events) this.eventsSubject.next(event);
    return page.readings.length;
  }

  /**
   * The rules at every moment the new readings can change: each new reading's own measurement
   * time, and every later moment already evaluated (at or before the batch's starting cursor
   * `evaluated`) whose window reaches back to it: a late reading re-opens those. Later moments
   * whose readings are still after the cursor are left to their own batch, which sees this
   * batch's readings in their window; re-evaluating them here too made a backlog cost a whole
   * window of evaluations per reading.
   */
  private async evaluateFresh(admission: MonitoredAdmission, plan: EngineCarePlan, fresh: readonly StoredReading[], evaluated: ReadingCursor): Promise<Proposal[]> {
    const reach = this.windowMs(plan);
    const times = fresh.map((r) => r.measuredAt.getTime());
    const earliest = Math.min(...times);
    const latest = Math.max(...times);
    const reopened = (await this.storage.readings.momentsThrough(admission.patientId, { from: new Date(earliest + 1), to: new Date(latest + reach + 1) }, evaluated))
      .map((d) => d.getTime())
      .filter((t) => times.some((f) => t > f && t <= f + reach));
    const moments = [...new Set([...times, ...reopened])].sort((a, b) => a - b);
    const last = moments[moments.length - 1] ?? latest;
    const window = await this.storage.readings.inRange(admission.patientId, {
      from: new Date(earliest - reach),
      to: new Date(last + 1),
      limit: 100_000,
    });
    const proposals: Proposal[] = [];
    const seen = new Set<string>();
    for (const moment of moments) {
      for (const candidate of evaluatePatientRules(window, plan.carePlan, new Date(moment))) {
        const key = `${candidate.rule}|${candidate.subject}|${candidate.severity}|${candidate.readingIds.join(',')}|${candidate.measuredAt.getTime()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        proposals.push(proposalOf(candidate));
      }
    }
    return proposals;
  }

  /** How far a reading's influence reaches: the longest window any rule of this plan looks back over. */
  private windowMs(plan: EngineCarePlan): number {
    return rulesLookBackMs(plan.carePlan);
  }

  private async runTimersNow(): Promise<void> {
    if (this.partitioning) {
      await this.renewLeasesIfDue();
      if (!this.owned.includes(0)) return; // the holder of partition 0 runs the timers
    }
    const now = this.clock.now();
    const { alerts } = this.storage;
    for (const alert of await alerts.dueForEscalation(now)) {
      const minutes = this.minutes('escalate', alert.severity, alert.wardId);
      const escalated = await alerts.transition(alert.id, {
        action: 'escalate',
        by: RULES_ENGINE_ACTOR,
        at: now,
        reason: `${capitalise(alert.severity)}-severity alert not acknowledged within ${minutes ?? '?'} minutes of being raised.`,
      });
      if (escalated.ok) this.eventsSubject.next({ type: 'escalated', alert: escalated.value });
    }
    for (const alert of await alerts.dueForReminder(now)) {
      const every = this.minutes('remind', alert.severity, alert.wardId);
      const waited = Math.round((now.getTime() - alert.openedAt.getTime()) / 60_000);
      const reminded = await alerts.recordReminder(alert.id, {
        by: RULES_ENGINE_ACTOR,
        at: now,
        nextReminderAt: every === null ? null : new Date(now.getTime() + every * 60_000),
        note: `Still ${alert.state} ${waited} minutes after it was raised.`,
      });
      if (reminded) this.eventsSubject.next({ type: 'reminded', alert: reminded });
    }
    await this.checkSilence(now);
  }

  /**
   * Silence and device problems of every admitted patient (the plan's expected readings or the
   * pathway's schedule), judged against the clock; cleared ones resolve.
   */
  private async checkSilence(now: Date): Promise<void> {
    const { alerts, monitoring } = this.storage;
    const facts = await this.silence.passFacts(now);
    for (const admission of await monitoring.activeAdmissions()) {
      const { proposals, answered } = await this.silence.onTimer(admission, this.planOf(admission), now, facts);
      if (proposals.length === 0 && answered.length === 0) continue;
      const events: RulesEngineEvent[] = [];
      await this.storage.db.transaction(async (tx) => {
        for (const proposal of proposals) {
          const event = eventOf(await alerts.raise(this.raiseInput(admission, proposal, now), tx));
          if (event) events.push(event);
        }
        events.push(...(await this.resolveAnswered(answered, now, tx)));
      });
      for (const event of events) this.eventsSubject.next(event);
    }
  }

  private planOf(admission: MonitoredAdmission): EngineCarePlan {
    const plan = mapCarePlan(admission);
    const problems = `${admission.admissionId}: ${plan.problems.join('; ')}`;
    if (plan.problems.length > 0 && !this.reportedPlanProblems.has(problems)) {
      this.reportedPlanProblems.add(problems); // once per admission and set of problems, not every pass
      this.logger.warn(`care plan of admission ${admission.admissionId}: ${plan.problems.join('; ')} (pathway defaults used for those parts)`);
    }
    return plan;
  }

  /** Resolves alerts whose condition has cleared: silences, technical problems (SELF_RESOLVING_RULES). */
  private async resolveAnswered(answered: readonly Alert[], now: Date, tx: SqlClient): Promise<RulesEngineEvent[]> {
    const events: RulesEngineEvent[] = [];
    for (const alert of answered) {
      const resolved = await this.storage.alerts.transition(
        alert.id,
        { action: 'resolve', by: RULES_ENGINE_ACTOR, at: now, outcome: 'reading-received', selfResolving: true, reason: resolveReason(alert.rule) },
        tx,
      );
      if (resolved.ok) events.push({ type: 'resolved', alert: resolved.value });
    }
    return events;
  }

  private raiseInput(admission: MonitoredAdmission, proposal: Proposal, now: Date): RaiseAlertInput {
    const escalate = this.minutes('escalate', proposal.severity, admission.wardId);
    const remind = this.minutes('remind', proposal.severity, admission.wardId);
    return {
      ...proposal,
      wardId: admission.wardId,
      at: now,
      escalationDueAt: escalate === null ? null : new Date(now.getTime() + escalate * 60_000),
      nextReminderAt: remind === null ? null : new Date(now.getTime() + remind * 60_000),
      by: RULES_ENGINE_ACTOR,
    };
  }

  /** The ward's timer for a severity, else the engine's, else the default. */
  private minutes(kind: 'escalate' | 'remind', severity: AlertSeverityBand, wardId: string): number | null {
    const key = kind === 'escalate' ? 'escalateAfterMinutes' : 'remindEveryMinutes';
    const defaults: MinutesBySeverity = kind === 'escalate' ? DEFAULT_ESCALATE_AFTER_MINUTES : DEFAULT_REMIND_EVERY_MINUTES;
    const ward = this.options.wards?.[wardId]?.[key]?.[severity];
    if (ward !== undefined) return ward;
    const engine = this.options[key]?.[severity];
    return engine !== undefined ? engine : defaults[severity];
  }
}

function proposalOf(candidate: AlertCandidate): Proposal {
  const received = candidate.readings.map((r) => r.receivedAt.getTime());
  return {
    patientId: candidate.patientId,
    rule: candidate.rule,
    subject: candidate.subject,
    severity: candidate.severity,
    explanation: candidate.explanation,
    details: candidate.details,
    latestValue: latestValueOf(candidate),
    measuredAt: candidate.measuredAt,
    readingIds: candidate.readingIds,
    evidenceReceivedAt: received.length > 0 ? new Date(Math.max(...received)) : candidate.measuredAt,
  };
}

/** The number a nurse scans first: the NEWS2 score, the vital's value, the latest weight. */
function latestValueOf(candidate: AlertCandidate): number | null {
  const d = candidate.details;
  for (const key of ['score', 'value', 'latestKg']) {
    const value = d[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

function eventOf(result: RaiseAlertResult): RulesEngineEvent | undefined {
  return result.kind === 'raised' || result.kind === 'repeated' || result.kind === 'worsened' ? { type: result.kind, alert: result.alert } : undefined;
}

function groupByPatient(readings: readonly StoredReading[]): Map<string, StoredReading[]> {
  const groups = new Map<string, StoredReading[]>();
  for (const reading of readings) {
    const group = groups.get(reading.patientId);
    if (group) group.push(reading);
    else groups.set(reading.patientId, [reading]);
  }
  return groups;
}

function sameCursor(a: ReadingCursor, b: ReadingCursor): boolean {
  return a.txid === b.txid && a.id === b.id;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
