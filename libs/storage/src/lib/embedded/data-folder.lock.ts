import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcessIdentity, isSameProcess, pidExists, processIdentity } from './process-identity';

export const LOCK_FILE = 'homeward.lock';

/** What `<data folder>/homeward.lock` says: which Homeward owns the folder, and the PostgreSQL it started. */
export interface DataFolderOwner {
  readonly owner: ProcessIdentity & { readonly command: string };
  readonly postgres?: ProcessIdentity & { readonly port: number };
}

export type LockAttempt =
  | { readonly kind: 'acquired'; readonly lock: HeldDataFolderLock; readonly previous: DataFolderOwner | undefined }
  | { readonly kind: 'held'; readonly by: DataFolderOwner };

/**
 * One data folder, one owner. The lock names its owner by pid and start time, so a lock left by a
 * crashed run is recognised as stale (that process is gone, or the pid now belongs to another
 * program) and taken over, while a live owner is never displaced. The file appears complete or not
 * at all (written aside, then hard-linked into place, which fails if one exists). PostgreSQL's own
 * postmaster.pid stays the last line of defence against two servers on one PGDATA.
 */
export function acquireDataFolderLock(root: string, command: string): LockAttempt {
  const path = join(root, LOCK_FILE);
  const self = processIdentity(process.pid) ?? { pid: process.pid, startTicks: 0 };
  const mine: DataFolderOwner = { owner: { ...self, command } };
  let previous: DataFolderOwner | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const aside = `${path}.${process.pid}.new`;
    writeFileSync(aside, JSON.stringify(mine), { mode: 0o644 });
    try {
      linkSync(aside, path);
      return { kind: 'acquired', lock: new HeldDataFolderLock(path, mine), previous };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(aside, { force: true });
    }
    const current = readOwner(path);
    if (current && ownerAlive(current)) return { kind: 'held', by: current };
    previous = current ?? previous;
    // Stale: its owner is gone. Remove it and try again (a concurrent starter may win; fine).
    rmSync(path, { force: true });
  }
  const current = readOwner(path);
  if (current) return { kind: 'held', by: current };
  throw new Error(`could not take the lock ${path}`);
}

/** The current owner's record, or undefined when there is none or it is unreadable. */
export function readOwner(path: string): DataFolderOwner | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as DataFolderOwner;
    return Number.isInteger(parsed.owner?.pid) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function ownerAlive(record: DataFolderOwner): boolean {
  // Without /proc (not Linux) we cannot tell a reused pid from the owner; err on the side of "alive".
  if (!existsSync('/proc/self/stat')) return pidExists(record.owner.pid);
  return isSameProcess(record.owner);
}

export class HeldDataFolderLock {
  private released = false;

  constructor(
    readonly path: string,
    private content: DataFolderOwner,
  ) {}

  get owner(): DataFolderOwner {
    return this.content;
  }

  /** Records the PostgreSQL this owner runs (after every start and restart), so a crash leaves it identifiable. */
  recordPostgres(postgres: ProcessIdentity & { port: number }): void {
    if (this.released) return;
    this.content = { ...this.content, postgres };
    const aside = `${this.path}.${process.pid}.new`;
    writeFileSync(aside, JSON.stringify(this.content), { mode: 0o644 });
    renameSync(aside, this.path);
  }

  /** Removes the lock if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const current = readOwner(this.path);
    if (current && current.owner.pid === this.content.owner.pid && current.owner.startTicks === this.content.owner.startTicks) rmSync(this.path, { force: true });
  }
}
