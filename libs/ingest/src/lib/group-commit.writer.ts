import type { Reading } from '@homeward/domain';
import type { InsertReadingsResult, ReadingRepository, StoredReading } from '@homeward/storage';

interface Pending {
  readonly readings: readonly Reading[];
  readonly resolve: (result: InsertReadingsResult) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Readings in one statement at most (default 5,000). */
  readonly maxBatchReadings?: number;
  /**
   * Batches being written at once (default 1). With one, a submission that arrives during a
   * commit waits for that commit and then for its own; with more, the next batch is on its way
   * while the previous one flushes its WAL, at the price of smaller batches. On the shared
   * 2-core bench machine two writers measured no better than one (within run-to-run noise), so
   * one stays the default.
   */
  readonly maxConcurrentBatches?: number;
  /** Called with what a batch stored, once it has committed. */
  readonly afterCommit?: (stored: readonly StoredReading[]) => void;
  /**
   * Wakes the readings' consumers after a commit that stored something. Given, the batches are
   * written without their own NOTIFY (insertBatch notify: false) and this is called instead (the
   * pipeline's CoalescedWake); absent, each batch notifies in its own statement, at its commit.
   */
  readonly wakeConsumers?: () => void;
}

/**
 * Group commit: while batches are being written, new submissions queue; when a write commits,
 * everything queued goes in the next single statement. Idle, a submission is written at once
 * (no timer, no added latency); busy, many devices share one commit. Each caller's promise
 * resolves only after the transaction holding its readings has committed, and a batch that
 * fails rejects only the submissions in it (nothing of theirs was stored).
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private writing = 0;
  private queuedReadings = 0;
  private readonly maxBatchReadings: number;
  private readonly maxConcurrentBatches: number;

  constructor(
    private readonly readings: Pick<ReadingRepository, 'insertBatch'>,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxBatchReadings = options.maxBatchReadings ?? 5_000;
    this.maxConcurrentBatches = Math.max(1, options.maxConcurrentBatches ?? 1);
  }

  write(readings: readonly Reading[]): Promise<InsertReadingsResult> {
    if (readings.length === 0) return Promise.resolve({ stored: [], duplicates: [] });
    return new Promise((resolve, reject) => {
      this.queue.push({ readings, resolve, reject });
      this.queuedReadings += readings.length;
      this.pump();
    });
  }

  /** Starts batches while there is work queued and room for another write. */
  private pump(): void {
    while (this.queue.length > 0 && this.writing < this.maxConcurrentBatches) {
      const batch: Pending[] = [];
      let size = 0;
      for (let next = this.queue[0]; next && (batch.length === 0 || size + next.readings.length <= this.maxBatchReadings); next = this.queue[0]) {
        this.queue.shift();
        batch.push(next);
        size += next.readings.length;
      }
      this.queuedReadings -= size;
      this.writing += 1;
      void this.writeBatch(batch).finally(() => {
        this.writing -= 1;
        this.pump();
      });
    }
  }

  private async writeBatch(batch: readonly Pending[]): Promise<void> {
    let result: InsertReadingsResult;
    try {
      const readings = batch.length === 1 ? (batch[0] as Pending).readings : batch.flatMap((p) => p.readings);
      result = await this.readings.insertBatch(readings, undefined, { notify: this.options.wakeConsumers === undefined });
    } catch (error) {
      // One bad reading (refused by the database itself: a data or constraint error) fails the
      // whole statement: each submission is then written on its own, so it sinks only its own
      // message. Anything else (the store unreachable, the connection cut) fails them all: none
      // of them was stored, and none is acknowledged.
      if (batch.length > 1 && refusedByDatabase(error)) {
        for (const pending of batch) await this.writeBatch([pending]);
        return;
      }
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
    if (result.stored.length > 0) {
      this.options.wakeConsumers?.();
      this.options.afterCommit?.(result.stored);
    }
  }

  /** Readings waiting for the next commit (for metrics and back-pressure). */
  get backlog(): number {
    return this.queuedReadings;
  }
}

/**
 * SQLSTATE class 22 (data exception) or 23 (integrity constraint violation): the statement's
 * content was refused, so the same rows will fail again however often they are sent.
 */
export function refusedByDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
