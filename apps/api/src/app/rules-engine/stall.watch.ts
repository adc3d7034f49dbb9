import { type Subscription, timer } from 'rxjs';
import type { Storage } from '@homeward/storage';
import type { Clock } from './clock';
import { PipelineStallMonitor } from './pipeline-stall.monitor';
import type { RulesEngineEvent } from './rules-engine.events';
import { errorMessage } from './error-message';

export interface StallWatchSettings {
  readonly consumer: string;
  readonly partitions: number | undefined;
  readonly stallAfterMs: number;
  /** Default a quarter of stallAfterMs, between 250 ms and 30 s. */
  readonly everyMs?: number | undefined;
  readonly clock: Clock;
}

/**
 * Runs the pipeline-stall check on its own timer, outside the engine's queue (a pass that hangs is
 * what it must notice), also with the engine disabled: an api whose rules run in other processes
 * notices when they stop. Raised and resolved alerts are published like the engine's.
 */
export class StallWatch {
  private readonly monitor: PipelineStallMonitor;
  private timer: Subscription | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    storage: Storage,
    private readonly settings: StallWatchSettings,
    private readonly publish: (event: RulesEngineEvent) => void,
    private readonly log: { warn(message: string): void; error(message: string): void },
  ) {
    this.monitor = new PipelineStallMonitor(storage, { consumer: settings.consumer, partitions: settings.partitions, stallAfterMs: settings.stallAfterMs, clock: settings.clock });
  }

  start(): void {
    if (this.timer) return;
    const every = this.settings.everyMs ?? Math.min(30_000, Math.max(250, this.settings.stallAfterMs / 4));
    this.timer = timer(every, every).subscribe(() => void this.check());
  }

  async stop(): Promise<void> {
    this.timer?.unsubscribe();
    this.timer = undefined;
    await this.inFlight;
  }

  /** One check now (one at a time). */
  check(): Promise<void> {
    this.inFlight ??= this.monitor
      .check()
      .then((result) => {
        for (const alert of result.raised) {
          this.log.warn(`pipeline stalled: readings of patient ${alert.patientId} wait unevaluated; technical alert ${alert.id} raised`);
          this.publish({ type: 'raised', alert });
        }
        for (const alert of result.resolved) this.publish({ type: 'resolved', alert });
      })
      .catch((error: unknown) => this.log.error(`pipeline stall check failed: ${errorMessage(error)}`))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
