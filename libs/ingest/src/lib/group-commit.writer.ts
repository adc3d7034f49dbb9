import type { Reading } from '@homeward/domain';
import type { InsertReadingsResult, ReadingRepository, StoredReading } from '@homeward/storage';

interface Pending {
  readonly readings: readonly Reading[];
  readonly resolve: (result: InsertReadingsResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: while one batch is being written, new submissions queue; when the write
 * commits, everything queued goes in the next single statement. Idle, a submission is written
 * at once (no timer, no added latency); busy, many devices share one commit. Each caller's
 * promise resolves only after the transaction holding its readings has committed.
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private flushing = false;
  private queuedReadings = 0;

  constructor(
    private readonly readings: ReadingRepository,
    private readonly maxBatchReadings = 5_000,
    private readonly afterCommit: (stored: readonly StoredReading[]) => void = () => undefined,
  ) {}

  write(readings: readonly Reading[]): Promise<InsertReadingsResult> {
    if (readings.length === 0) return Promise.resolve({ stored: [], duplicates: [] });
    return new Promise((resolve, reject) => {
      this.queue.push({ readings, resolve, reject });
      this.queuedReadings += readings.length;
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch: Pending[] = [];
        let size = 0;
        for (let next = this.queue[0]; next && (batch.length === 0 || size + next.readings.length <= this.maxBatchReadings); next = this.queue[0]) {
          this.queue.shift();
          batch.push(next);
          size += next.readings.length;
        }
        this.queuedReadings -= size;
        await this.writeBatch(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeBatch(batch: readonly Pending[]): Promise<void> {
    let result: InsertReadingsResult;
    try {
      result = await this.readings.insertBatch(batch.flatMap((p) => p.readings));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    // Attribute each stored row to the first submission that carried its key; any other copy
    // (redelivery, or the same reading twice in this batch) is that submission's duplicate.
    const unclaimed = new Map(result.stored.map((r) => [r.idempotencyKey, r]));
    for (const pending of batch) {
      const stored: StoredReading[] = [];
      const duplicates: Reading[] = [];
      for (const reading of pending.readings) {
        const row = unclaimed.get(reading.idempotencyKey);
        if (row) {
          stored.push(row);
          unclaimed.delete(reading.idempotencyKey);
        } else {
          duplicates.push(reading);
        }
      }
      pending.resolve({ stored, duplicates });
    }
    if (result.stored.length > 0) this.afterCommit(result.stored);
  }

  /** Readings waiting for the next commit (for metrics and back-pressure). */
  get backlog(): number {
    return this.queuedReadings;
  }
}
