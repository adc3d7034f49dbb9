/** What one scrape got from a source read at scrape time. */
export interface SourceSample<T> {
  /** The newest value the source ever gave (this scrape's when `outcome` is fresh); undefined when it never answered. */
  readonly value: T | undefined;
  /** How old `value` is: 0 when read in this scrape. */
  readonly ageMs: number | undefined;
  /** fresh: answered in time; late: still in flight after the time limit; failed: it threw. */
  readonly outcome: 'fresh' | 'late' | 'failed';
}

/**
 * A scrape-time source (a database query) that cannot hold a scrape up: each sample waits at most
 * `timeoutMs`, and a source that does not answer (a frozen database accepts the query and never
 * replies) leaves the last value it gave, with its age, instead of hanging /metrics. Only one read
 * is in flight at a time, so repeated scrapes of a frozen source hold one connection, not one
 * each; a read that answers after its scrape gave up still refreshes the value for the next one.
 * Concurrent samples (the gauge and its age, collected in one scrape) share one read.
 */
export class BoundedSource<T> {
  private inFlight: Promise<T> | undefined;
  private sampling: Promise<SourceSample<T>> | undefined;
  private last: { readonly value: T; readonly atMs: number } | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly options: { readonly timeoutMs: number; readonly now: () => number },
  ) {}

  sample(): Promise<SourceSample<T>> {
    this.sampling ??= this.take().finally(() => (this.sampling = undefined));
    return this.sampling;
  }

  private async take(): Promise<SourceSample<T>> {
    const read = (this.inFlight ??= this.start());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.options.timeoutMs);
      timer.unref?.();
    });
    const outcome = await Promise.race([read.then(() => 'fresh' as const, () => 'failed' as const), late]).finally(() => clearTimeout(timer));
    const last = this.last;
    return { value: last?.value, ageMs: last === undefined ? undefined : Math.max(0, this.options.now() - last.atMs), outcome };
  }

  private start(): Promise<T> {
    const read = Promise.resolve()
      .then(() => this.read())
      .then((value) => {
        this.last = { value, atMs: this.options.now() };
        return value;
      });
    void read.then(
      () => (this.inFlight = undefined),
      () => (this.inFlight = undefined),
    );
    return read;
  }
}
