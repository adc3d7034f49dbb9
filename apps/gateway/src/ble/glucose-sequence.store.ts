import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The last glucose record sequence number seen per device, so the next Record Access Control Point
 * request asks only for newer records. Advanced only after the records up to it are committed
 * (or queued durably, in hub mode): a crash in between re-fetches them, and storage drops the
 * duplicates by idempotency key.
 */
export interface GlucoseSequenceStore {
  lastSequence(deviceId: string): Promise<number | null>;
  saveLastSequence(deviceId: string, sequenceNumber: number): Promise<void>;
}

export class InMemoryGlucoseSequenceStore implements GlucoseSequenceStore {
  private readonly values = new Map<string, number>();

  lastSequence(deviceId: string): Promise<number | null> {
    return Promise.resolve(this.values.get(deviceId) ?? null);
  }

  saveLastSequence(deviceId: string, sequenceNumber: number): Promise<void> {
    this.values.set(deviceId, sequenceNumber);
    return Promise.resolve();
  }
}

/**
 * A small JSON file (device id → sequence number), rewritten atomically: write a temporary file,
 * fsync it, rename it over the old one, fsync the folder. A gateway has a handful of glucose
 * meters, so rewriting the whole file is cheap, and it needs no database table.
 */
export class FileGlucoseSequenceStore implements GlucoseSequenceStore {
  private cache: Map<string, number> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async lastSequence(deviceId: string): Promise<number | null> {
    return (await this.load()).get(deviceId) ?? null;
  }

  async saveLastSequence(deviceId: string, sequenceNumber: number): Promise<void> {
    const values = await this.load();
    values.set(deviceId, sequenceNumber);
    const snapshot = JSON.stringify(Object.fromEntries(values), null, 2);
    // Writes are chained so two meters finishing together cannot interleave their renames.
    this.writing = this.writing.catch(() => undefined).then(() => this.persist(snapshot));
    await this.writing;
  }

  private async load(): Promise<Map<string, number>> {
    if (this.cache) return this.cache;
    let parsed: unknown = {};
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const values = new Map<string, number>();
    if (parsed && typeof parsed === 'object') {
      for (const [id, value] of Object.entries(parsed)) if (Number.isInteger(value)) values.set(id, value as number);
    }
    this.cache = values;
    return values;
  }

  private async persist(text: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.path);
    const folder = await open(dirname(this.path), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}
