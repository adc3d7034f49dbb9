import { type Observable, Subject, type Subscription, exhaustMap, from, merge, tap } from 'rxjs';

/**
 * One piece of work at a time, from any number of triggers (notifications, timers, hand calls):
 * triggers that fire during a pass are remembered and run together in the next one, so a burst
 * of wake-ups costs one pass, and nothing runs beside a pass in progress (serial()).
 */
export class WorkScheduler<W extends string> {
  private readonly wakes = new Subject<W>();
  private readonly pending = new Set<W>();
  private queue: Promise<unknown> = Promise.resolve();
  private subscription: Subscription | undefined;

  constructor(private readonly pass: (work: ReadonlySet<W>) => Promise<void>) {}

  get running(): boolean {
    return this.subscription !== undefined;
  }

  start(triggers: readonly Observable<W>[]): void {
    if (this.subscription) return;
    this.subscription = merge(this.wakes, ...triggers)
      .pipe(
        tap((work) => this.pending.add(work)),
        exhaustMap(() => from(this.runPending())),
      )
      .subscribe(() => {
        const next = [...this.pending][0];
        if (next !== undefined && this.running) setImmediate(() => this.wakes.next(next));
      });
  }

  /** Stops the triggers and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.queue.catch(() => undefined);
  }

  wake(work: W): void {
    this.wakes.next(work);
  }

  /** Work for the pass in progress to pick up before it ends (or the next one). */
  add(work: W): void {
    if (this.running) this.pending.add(work);
  }

  /** Runs `fn` after the pass in progress, and before the next. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private runPending(): Promise<void> {
    return this.serial(async () => {
      while (this.pending.size > 0 && this.running) {
        const work = new Set(this.pending);
        this.pending.clear();
        await this.pass(work);
      }
    });
  }
}
