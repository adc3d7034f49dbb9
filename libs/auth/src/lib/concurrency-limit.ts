/**
 * At most `max` tasks at a time; up to `maxQueued` more wait their turn, and beyond that a task is
 * refused at once (`ConcurrencyLimitFull`) rather than piling up. Password and device-secret checks
 * run through one: scrypt takes 32 MiB and ~100 ms of a core each, so a flood of sign-ins or a
 * reconnect storm would otherwise take every core and the memory the clinical requests need.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly max: number,
    readonly maxQueued: number,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      if (this.waiting.length >= this.maxQueued) throw new ConcurrencyLimitFull(this.max, this.maxQueued);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `running` never drops below the queue's need.
      if (next) next();
      else this.running -= 1;
    }
  }
}

export class ConcurrencyLimitFull extends Error {
  constructor(max: number, queued: number) {
    super(`busy: ${max} running and ${queued} waiting`);
    this.name = 'ConcurrencyLimitFull';
  }
}
