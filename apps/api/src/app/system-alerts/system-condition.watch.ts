import type { SystemAlertKind } from '@homeward/domain';
import type { SystemAlertRepository } from '@homeward/storage';
import { type Clock, SYSTEM_CLOCK } from '../clock';

export interface SystemConditionSettings {
  readonly kind: SystemAlertKind;
  /** Where (this gateway's host and port): each source has its own alert. */
  readonly source: string;
  /** What is wrong now, in words for staff, or undefined when all is well (e.g. Gateway.brokerProblem). */
  readonly problem: () => string | undefined | Promise<string | undefined>;
  /** Checks in a row that must see the problem before it is raised, so a blip (a restart) is not an alert. Default 2. */
  readonly confirmAfter?: number;
  readonly clock?: Clock;
  readonly onError?: (error: unknown) => void;
}

/**
 * Keeps a system alert in step with a condition this process can see, such as "the broker is not
 * accepting devices": raised once it has held for `confirmAfter` checks in a row, counted while it
 * lasts, resolved by the first check that finds it gone. `check()` is one step (tests call it);
 * `start(intervalMs)` runs it on a timer. A check that cannot reach the database changes nothing
 * and is tried again at the next one.
 */
export class SystemConditionWatch {
  private seen = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly alerts: SystemAlertRepository,
    private readonly settings: SystemConditionSettings,
  ) {}

  async check(): Promise<'raised' | 'repeated' | 'reopened' | 'cleared' | 'waiting' | 'well'> {
    const { kind, source } = this.settings;
    const clock = this.settings.clock ?? SYSTEM_CLOCK;
    const by = { type: 'system', id: `${kind}-watch` } as const;
    const problem = await this.settings.problem();
    if (problem === undefined) {
      const hadSeen = this.seen;
      this.seen = 0;
      const cleared = await this.alerts.clear(kind, source, clock.now(), by, 'The problem has cleared.');
      return cleared || hadSeen > 0 ? 'cleared' : 'well';
    }
    this.seen += 1;
    if (this.seen < (this.settings.confirmAfter ?? 2)) return 'waiting';
    return (await this.alerts.report({ kind, source, summary: problem, details: { source } }, clock.now(), by)).kind;
  }

  start(intervalMs: number): void {
    this.timer ??= setInterval(() => {
      this.running = this.running.then(() => this.check().then(() => undefined, (error: unknown) => this.settings.onError?.(error)));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
