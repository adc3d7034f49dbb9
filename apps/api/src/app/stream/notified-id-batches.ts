import type { Storage } from '@homeward/storage';

const BATCH_MS = 10;

/**
 * Ids announced on a PostgreSQL channel (a trigger's NOTIFY at commit, from whichever process made
 * the change), gathered for BATCH_MS and handed to `handle` together, one batch after another in
 * order. An empty payload means the LISTEN connection was re-established, so changes in the gap
 * are unknown: `onGap`. Shared by the live stream's alert and system-alert followers.
 */
export class NotifiedIdBatches {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private stopListening: (() => Promise<void>) | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Storage['db'],
    private readonly channel: string,
    private readonly handle: (ids: string[]) => Promise<void>,
    private readonly onGap: () => void = () => undefined,
  ) {}

  /** Starts listening; false when the database driver cannot LISTEN (the caller decides what then). */
  async start(): Promise<boolean> {
    const listen = this.db.listen?.bind(this.db);
    if (!listen) return false;
    this.stopListening = await listen(this.channel, (payload) => this.onNotify(payload));
    return true;
  }

  /** Stops listening and waits for the batch in progress; ids still gathering are dropped. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.stopListening?.();
    await this.flushing;
  }

  private onNotify(payload: string): void {
    if (payload === '') {
      this.onGap();
      return;
    }
    this.pending.add(payload);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flushing = this.flushing.then(() => {
        const ids = [...this.pending];
        this.pending.clear();
        return this.handle(ids);
      });
    }, BATCH_MS);
  }
}
