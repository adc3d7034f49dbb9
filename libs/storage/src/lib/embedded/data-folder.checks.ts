import { existsSync, mkdirSync, readFileSync, statSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { CodedFailure } from '@homeward/domain';

/**
 * The data-folder problems an operator meets, each turned into one line that names the folder and
 * what to do, instead of a stack trace or PostgreSQL's last words. Checked before anything is written.
 */

/** Free space below which we refuse to initialise a database (initdb writes ~40 MB: catalogue and a WAL segment). */
export const MIN_FREE_BYTES_TO_INITIALISE = 64 * 1024 * 1024;
/** Free space below which we refuse to start an existing one: it could not write its WAL. */
export const MIN_FREE_BYTES_TO_RUN = 16 * 1024 * 1024;

/** Creates the data folder if needed; refuses a path that is a file, or one we may not write. */
export function ensureDataFolder(root: string): void {
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new CodedFailure({
      code: 'embedded-postgres.data-dir-not-a-folder',
      message: `The data folder ${root} is a file, not a folder. Move the file away, or set HOMEWARD_DATA_DIR to a folder.`,
    });
  }
  try {
    mkdirSync(root, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw dataFolderFailure(error, root);
  }
}

/** A folder made by a PostgreSQL of another major version cannot be opened by ours (pg_upgrade or dump/restore). */
export function checkMajorVersion(pgdata: string, ourMajor: number, root: string): void {
  const file = join(pgdata, 'PG_VERSION');
  if (!existsSync(file)) return;
  const theirs = readFileSync(file, 'utf8').trim();
  if (Number(theirs.split('.')[0]) === ourMajor) return;
  throw new CodedFailure({
    code: 'embedded-postgres.version-mismatch',
    message: `The data folder ${root} holds a PostgreSQL ${theirs} database, but Homeward runs PostgreSQL ${ourMajor}. Upgrade it (pg_upgrade, or pg_dump and restore), or set HOMEWARD_DATA_DIR to another folder.`,
  });
}

/** PGDATA must belong to the OS user the server runs as, or PostgreSQL refuses it. */
export function checkOwnership(pgdata: string, serverUid: number, serverUser: string): void {
  if (!existsSync(pgdata)) return;
  const owner = statSync(pgdata).uid;
  if (owner === serverUid) return;
  throw new CodedFailure({
    code: 'embedded-postgres.data-dir-permission',
    message: `No permission: ${pgdata} belongs to uid ${owner}, but PostgreSQL runs as ${serverUser} (uid ${serverUid}). Give it back (chown -R ${serverUid} ${pgdata}), or set HOMEWARD_DATA_DIR to another folder.`,
  });
}

export function checkFreeSpace(root: string, neededBytes: number): void {
  let free: number;
  try {
    const stats = statfsSync(root);
    free = Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return; // no statfs here: PostgreSQL's own "No space left on device" is mapped instead
  }
  if (free >= neededBytes) return;
  throw diskFull(root, `only ${megabytes(free)} MB free, at least ${megabytes(neededBytes)} MB needed`);
}

/** Maps a file-system error (or a server's message saying the same) on the data folder to a coded one-liner. */
export function dataFolderFailure(error: unknown, root: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const text = error instanceof Error ? error.message : String(error);
  // Already one of ours, unless it carries PostgreSQL's own words for a full disk or a permission problem.
  if (error instanceof CodedFailure && (error.error.code.startsWith('embedded-postgres.data-dir') || !/No space left on device|Permission denied/i.test(text))) return error;
  if (code === 'ENOSPC' || /No space left on device/i.test(text)) return diskFull(root, 'no space left on device');
  if (code === 'EACCES' || code === 'EPERM' || /Permission denied/i.test(text)) {
    return new CodedFailure({
      code: 'embedded-postgres.data-dir-permission',
      message: `No permission to use the data folder ${root}${process.getuid?.() === 0 ? ' (as root, PostgreSQL runs as the postgres OS user, which needs to reach and write it)' : ''}. Fix its owner or mode, or set HOMEWARD_DATA_DIR to a folder this user can write.`,
    });
  }
  if (code === 'EROFS') {
    return new CodedFailure({ code: 'embedded-postgres.data-dir-read-only', message: `The data folder ${root} is on a read-only file system. Set HOMEWARD_DATA_DIR to a writable folder.` });
  }
  if (code === 'ENOTDIR') {
    return new CodedFailure({ code: 'embedded-postgres.data-dir-not-a-folder', message: `A part of the data folder path ${root} is a file, not a folder. Set HOMEWARD_DATA_DIR to a folder.` });
  }
  return error instanceof Error ? error : new Error(text);
}

function diskFull(root: string, detail: string): CodedFailure {
  return new CodedFailure({
    code: 'embedded-postgres.disk-full',
    message: `The disk holding the data folder ${root} is full (${detail}). Free some space, or set HOMEWARD_DATA_DIR to a folder on another disk.`,
  });
}

function megabytes(bytes: number): number {
  return Math.floor(bytes / (1024 * 1024));
}
