import { type FileHandle, mkdir, open, readFile, rename, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One message waiting to go upstream. */
export interface QueuedMessage {
  /** Unique; also the MQTT payload's messageId. */
  readonly id: string;
  readonly topic: string;
  /** The JSON body, except `sentAt`, which is computed at each send from `clockOffsetMs`. */
  readonly body: Record<string, unknown>;
  /** receivedAt − device clock at receipt (the coincident timestamp), or null when unknown. */
  readonly clockOffsetMs: number | null;
  readonly enqueuedAt: string;
}

type Record_ = { readonly t: 'put'; readonly m: QueuedMessage } | { readonly t: 'ack'; readonly id: string };

export interface DurableQueueOptions {
  /** Rewrite the file without acknowledged messages after this many acknowledgements. */
  readonly compactAfterAcks?: number;
}

interface PendingWrite {
  readonly text: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * An append-only, fsync'd log of messages and their acknowledgements (JSON lines), so a home
 * hub loses nothing when the internet, the broker or the process goes away. `enqueue` resolves
 * only after the message is on disk (fsync); `ack` records that the broker has it (PUBACK).
 * Reopening the file replays it: every message put and not acknowledged is pending again, in
 * order. A line torn by a crash mid-write is cut off. Appends that arrive while a write is in
 * progress share the next write and fsync (group commit). After `compactAfterAcks`
 * acknowledgements the file is rewritten with only the pending messages (temporary file, fsync,
 * rename, fsync of the folder).
 */
export class DurableQueue {
  private readonly pendingMessages = new Map<string, QueuedMessage>();
  private writes: PendingWrite[] = [];
  private flushing: Promise<void> | null = null;
  /** Enqueued, not yet fsync'd: held back from `pending()`, but kept by a compaction. */
  private readonly notYetDurable = new Set<string>();
  private acksSinceCompaction = 0;
  private compactionRequested = false;
  private closed = false;

  private constructor(
    private readonly path: string,
    private file: FileHandle,
    private readonly options: Required<DurableQueueOptions>,
  ) {}

  static async open(path: string, options: DurableQueueOptions = {}): Promise<DurableQueue> {
    await mkdir(dirname(path), { recursive: true });
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const pending = new Map<string, QueuedMessage>();
    let goodLength = 0;
    let offset = 0;
    for (const line of text.split('\n')) {
      const end = offset + Buffer.byteLength(line) + 1;
      if (line.length > 0) {
        const record = parse(line);
        // Only a final line without its newline can be torn; anything else unreadable is skipped.
        if (!record && end > Buffer.byteLength(text)) break;
        if (record?.t === 'put') pending.set(record.m.id, record.m);
        else if (record?.t === 'ack') pending.delete(record.id);
      }
      if (end <= Buffer.byteLength(text)) goodLength = end;
      offset = end;
    }
    if (goodLength < Buffer.byteLength(text)) await truncate(path, goodLength);
    const file = await open(path, 'a');
    const queue = new DurableQueue(path, file, { compactAfterAcks: options.compactAfterAcks ?? 1_000 });
    for (const [id, message] of pending) queue.pendingMessages.set(id, message);
    return queue;
  }

  /** Messages not yet acknowledged, oldest first. */
  pending(): QueuedMessage[] {
    return [...this.pendingMessages.values()].filter((m) => !this.notYetDurable.has(m.id));
  }

  get size(): number {
    return this.pendingMessages.size;
  }

  /** Resolves once the message is on disk. */
  async enqueue(message: QueuedMessage): Promise<void> {
    // In the map before the write, so a compaction running meanwhile keeps it.
    this.pendingMessages.set(message.id, message);
    this.notYetDurable.add(message.id);
    try {
      await this.append({ t: 'put', m: message });
    } catch (error) {
      this.pendingMessages.delete(message.id);
      throw error;
    } finally {
      this.notYetDurable.delete(message.id);
    }
  }

  /** Records the broker's acknowledgement. A message acknowledged twice is harmless. */
  async ack(id: string): Promise<void> {
    if (!this.pendingMessages.has(id)) return;
    this.pendingMessages.delete(id);
    await this.append({ t: 'ack', id });
    this.acksSinceCompaction += 1;
    if (this.acksSinceCompaction >= this.options.compactAfterAcks) {
      this.compactionRequested = true;
      this.flushing ??= this.flush();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing) await this.flushing;
    this.closed = true;
    await this.file.close();
  }

  private append(record: Record_): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the hub queue is closed'));
    return new Promise((resolve, reject) => {
      this.writes.push({ text: `${JSON.stringify(record)}\n`, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** The one writer: appends and compactions run here, one at a time, on the current file. */
  private async flush(): Promise<void> {
    try {
      while (this.writes.length > 0 || this.compactionRequested) {
        if (this.writes.length === 0) {
          this.compactionRequested = false;
          await this.compact().catch(() => undefined); // a failed compaction leaves the log as it was
          continue;
        }
        const batch = this.writes;
        this.writes = [];
        try {
          await this.file.write(batch.map((w) => w.text).join(''));
          await this.file.sync();
          for (const w of batch) w.resolve();
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private async compact(): Promise<void> {
    this.acksSinceCompaction = 0;
    const temporary = `${this.path}.compact`;
    const out = await open(temporary, 'w');
    try {
      await out.write(this.pending().map((m) => `${JSON.stringify({ t: 'put', m })}\n`).join(''));
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(temporary, this.path);
    await this.file.close();
    const folder = await open(dirname(this.path), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    this.file = await open(this.path, 'a');
  }
}

function parse(line: string): Record_ | null {
  try {
    const value = JSON.parse(line) as Record_;
    if (value && (value.t === 'put' || value.t === 'ack')) return value;
  } catch {
    // torn or corrupt
  }
  return null;
}
