import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type Observable, Subject, map, timer } from 'rxjs';
import { DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT } from '@homeward/rules';
import { type LeaseClaim, ReadingStreamConsumer, type Storage, describeClaim } from '@homeward/storage';
import { AlertWriter } from './alert-writer';
import { type Clock, SYSTEM_CLOCK } from './clock';
import { ReadingsPass } from './readings.pass';
import { RULES_ENGINE_OPTIONS, RULES_ENGINE_STORAGE, type RulesEngineOptions } from './rules-engine.options';
import { READINGS_CHANNEL, type RulesEngineEvent } from './rules-engine.events';
import { SilenceAndDeviceChecks } from './silence-and-device.checks';
import { StallWatch } from './stall.watch';
import { TimerPass } from './timer.pass';
import { WorkScheduler } from './work.scheduler';
import { errorMessage } from './error-message';

const HELD_BACK_RETRY_MS = 100;
const DEFAULT_LEASE_MS = 15_000;
type Work = 'readings' | 'timers' | 'leases';

/**
 * The rules engine: a scheduler. A ReadingStreamConsumer (`@homeward/storage`) hands it pages of
 * committed readings, fresh lane before late, from cursors in the database, and commits each
 * page's alerts with the cursor's move (at least once; a replay adds nothing); ReadingsPass
 * evaluates a page, TimerPass runs escalations, reminders and silence and device checks. Wakes on
 * LISTEN homeward_readings, polls as a fallback, and runs one piece of work at a time. With
 * `partitioning`, several workers split the patients by partition leases; the holder of
 * partition 0 runs the timers.
 */
@Injectable()
export class RulesEngineService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RulesEngine');
  private readonly clock: Clock;
  private readonly consumer: string;
  private readonly eventsSubject = new Subject<RulesEngineEvent>();
  private readonly work = new WorkScheduler<Work>((work) => this.pass(work));
  private stopListening: (() => Promise<void>) | undefined;
  /** A pending wake for readings (held back, or late readings gathering). */
  private readingsWake: { readonly at: number; readonly timer: NodeJS.Timeout } | undefined;
  /** While stop() waits: a drain in progress ends after its current page instead of working through the backlog. */
  private stopping = false;
  private readonly workerId: string;
  private readonly stream: ReadingStreamConsumer;
  private readonly readingsPass: ReadingsPass;
  private readonly timerPass: TimerPass;
  private readonly stallWatch: StallWatch | undefined;

  /** Alerts raised, repeated, escalated, reminded and resolved, as they are committed. */
  readonly events$: Observable<RulesEngineEvent> = this.eventsSubject.asObservable();

  constructor(
    @Inject(RULES_ENGINE_STORAGE) private readonly storage: Storage,
    @Inject(RULES_ENGINE_OPTIONS) private readonly options: RulesEngineOptions,
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.consumer = options.consumer ?? 'rules-engine';
    const partitions = options.partitioning?.partitions;
    this.workerId = options.partitioning?.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.stream = new ReadingStreamConsumer(storage, {
      consumer: this.consumer,
      pageSize: options.pageSize ?? 500,
      laterLanePageSize: options.latePageSize ?? 5_000,
      laterLaneGatherMs: options.latePageGatherMs ?? 0,
      ...(partitions === undefined ? {} : { partitioning: { partitions, leaseMs: options.partitioning?.leaseMs ?? DEFAULT_LEASE_MS, workerId: this.workerId } }),
      onLeases: (claim) => this.leasesChanged(claim),
      onPageLost: (reason, cursor) =>
        this.logger.warn(reason === 'lease-lost' ? `${cursor}: partition no longer held by worker ${this.workerId}; its page is left to the new holder` : `another "${cursor}" instance moved the cursor first; its page stands`),
    });
    const publish = (event: RulesEngineEvent) => this.eventsSubject.next(event);
    const writer = new AlertWriter(storage, options, (message) => this.logger.warn(message));
    const silence = new SilenceAndDeviceChecks(storage, this.offlineAfterMinutes, options.readingProblems, options.readingsAnswer);
    this.readingsPass = new ReadingsPass(storage, writer, silence, publish, options.beforeCommit, options.clinicalRules, (message) => this.logger.error(message));
    this.timerPass = new TimerPass(storage, writer, silence, publish, (message) => this.logger.error(message));
    const stallAfterMs = options.stallAlertAfterMs;
    const stall = { consumer: this.consumer, partitions, stallAfterMs: stallAfterMs ?? 0, everyMs: options.stallCheckIntervalMs, clock: this.clock };
    this.stallWatch = stallAfterMs === undefined ? undefined : new StallWatch(storage, stall, publish, this.logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.stallWatch?.start(); // also with enabled: false: it is how an api notices its workers stopped
    if (this.options.enabled !== false) await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stallWatch?.stop();
    await this.stop();
  }

  /** This worker's name in the partition lease table. */
  get worker(): string {
    return this.workerId;
  }

  /** The partitions this worker holds (all of them, as one partition, without partitioning). */
  get ownedPartitions(): readonly number[] {
    return this.stream.ownedPartitions;
  }

  /** A hub or app not heard from for this long is offline (isDeviceOffline), here and on the patient page. */
  get offlineAfterMinutes(): number {
    return this.options.hubOfflineAfterMinutes ?? DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT;
  }

  /** The engine's clock: silence and device state are judged against it. */
  now(): Date {
    return this.clock.now();
  }

  /** The name of this engine's (fresh lane's) cursor in reading_consumers; the late lane's adds ".late". */
  get consumerName(): string {
    return this.consumer;
  }

  get isRunning(): boolean {
    return this.work.running;
  }

  /** Runs the pipeline-stall check now (it also runs on its own timer when configured). */
  checkPipelineStall(): Promise<void> {
    return this.stallWatch?.check() ?? Promise.resolve();
  }

  /** Starts listening, polling and the timers; the first pass runs at once (catching up after a restart). */
  async start(): Promise<void> {
    if (this.work.running) return;
    this.stopping = false;
    if (this.options.listen !== false && this.storage.db.listen) {
      try {
        this.stopListening = await this.storage.db.listen(READINGS_CHANNEL, () => {
          // A late page in progress hands over to the fresh lane at its next patient.
          this.stream.nudge();
          this.work.wake('readings');
        });
      } catch (error) {
        this.logger.warn(`cannot LISTEN ${READINGS_CHANNEL} (${errorMessage(error)}); polling only`);
      }
    }
    const every = (ms: number, work: Work) => timer(0, ms).pipe(map((): Work => work));
    const leaseMs = this.options.partitioning ? (this.options.partitioning.leaseMs ?? DEFAULT_LEASE_MS) : undefined;
    this.work.start([every(this.options.pollIntervalMs ?? 5_000, 'readings'), every(this.options.timerIntervalMs ?? 30_000, 'timers'), ...(leaseMs ? [every(leaseMs / 3, 'leases')] : [])]);
  }

  /** Stops waking and waits for the pass in progress; committed work stays committed; partitions are handed back. */
  async stop(): Promise<void> {
    this.stopping = true;
    const stopListening = this.stopListening;
    this.stopListening = undefined;
    await stopListening?.().catch(() => undefined);
    await this.work.stop();
    this.stopping = false;
    await this.stream.release().catch((error: unknown) => this.logger.warn(`could not release partitions: ${errorMessage(error)}`));
  }

  /** Asks for a pass over new readings soon (the gateway's notification does the same). */
  wake(): void {
    this.stream.nudge();
    this.work.wake('readings');
  }

  /** Evaluates every committed reading not yet evaluated; resolves with how many readings it consumed. */
  drain(): Promise<number> {
    return this.work.serial(() => this.drainNow());
  }

  /** Escalations, reminders, silence and device checks, as of the clock's now. */
  runTimers(): Promise<void> {
    return this.work.serial(() => this.runTimersNow());
  }

  private async pass(work: ReadonlySet<Work>): Promise<void> {
    try {
      if (work.has('leases')) await this.stream.renewLeases();
      if (work.has('readings')) await this.drainNow();
      if (work.has('timers')) await this.runTimersNow();
    } catch (error) {
      // The cursor did not move: the next wake or poll retries the same page.
      this.logger.error(`rules engine pass failed: ${errorMessage(error)}`);
    }
  }

  private leasesChanged(claim: LeaseClaim): void {
    if (claim.taken.length === 0 && claim.released.length === 0) return;
    this.logger.log(describeClaim(this.workerId, this.options.partitioning?.partitions ?? 1, claim));
    // Partitions just taken over may have readings waiting since their last holder stopped.
    if (claim.taken.length > 0) this.work.add('readings');
  }

  private async drainNow(): Promise<number> {
    const { consumed, heldBack, laterDueInMs } = await this.stream.drain((page) => this.readingsPass.onPage(page, this.clock.now()), () => this.stopping);
    // Committed readings held back behind another open transaction: no notification will come
    // when it ends, so look again shortly instead of waiting for the next poll.
    if (heldBack) this.wakeForReadingsIn(HELD_BACK_RETRY_MS);
    // Late readings gathering (latePageGatherMs): their page is due then, notified or not.
    if (laterDueInMs !== undefined) this.wakeForReadingsIn(laterDueInMs);
    return consumed;
  }

  /** One wake-up timer for readings at a time: the earliest asked for. */
  private wakeForReadingsIn(ms: number): void {
    if (!this.work.running) return;
    const at = this.clock.now().getTime() + ms;
    if (this.readingsWake && this.readingsWake.at <= at) return;
    if (this.readingsWake) clearTimeout(this.readingsWake.timer);
    const timer = setTimeout(() => {
      this.readingsWake = undefined;
      if (this.work.running) this.work.wake('readings');
    }, ms);
    timer.unref();
    this.readingsWake = { at, timer };
  }

  private async runTimersNow(): Promise<void> {
    if (this.options.partitioning) {
      await this.stream.renewLeasesIfDue();
      if (!this.stream.ownedPartitions.includes(0)) return; // the holder of partition 0 runs the timers
    }
    const now = this.clock.now();
    // The moment is recorded for backtests (rules_timer_ticks); failing to record it never holds up the pass.
    await this.storage.partitions.recordTimerTick(now, this.workerId).catch((error: unknown) => this.logger.warn(`could not record the timer tick: ${errorMessage(error)}`));
    // Fresh readings announced during the pass are evaluated between admissions, not after it.
    await this.timerPass.run(now, () => this.stream.yieldToFirstLane((page) => this.readingsPass.onPage(page, this.clock.now())));
  }
}
