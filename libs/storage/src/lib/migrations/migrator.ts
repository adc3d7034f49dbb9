import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CodedFailure } from '@homeward/domain';
import type { Database, SqlClient, StorageEngine } from '../database';

/** Where the numbered SQL migrations live. */
export const MIGRATIONS_DIR = resolve(__dirname, '../../../migrations');

// pg_advisory_lock(key1, key2): "Homeward", "migrations". Session-level, so held on one connection.
const LOCK_KEYS = [0x486f6d65, 1] as const;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  /** 'any' for NNNN_name.sql; an engine for NNNN_name.timescale.sql / NNNN_name.plain.sql. */
  readonly engine: StorageEngine | 'any';
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationStatus {
  readonly engine: StorageEngine;
  readonly version: number;
  readonly name: string;
  readonly applied: readonly Migration[];
}

export type EnginePreference = StorageEngine | 'auto';

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+?)(?:\.(timescale|plain))?\.sql$/;

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** Reads the migrations for one engine: per version, the engine's variant or the common file. */
export function loadMigrations(engine: StorageEngine, dir: string = MIGRATIONS_DIR): Migration[] {
  const byVersion = new Map<number, Migration[]>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(file);
    if (!match) {
      throw new CodedFailure({
        code: 'migration.bad-name',
        message: `Migration file "${file}" is not named NNNN_name.sql, NNNN_name.timescale.sql or NNNN_name.plain.sql.`,
        details: { file, dir },
      });
    }
    const sql = readFileSync(join(dir, file), 'utf8');
    const migration: Migration = {
      version: Number(match[1]),
      name: match[2] ?? '',
      file,
      engine: (match[3] as StorageEngine | undefined) ?? 'any',
      sql,
      checksum: checksumOf(sql),
    };
    byVersion.set(migration.version, [...(byVersion.get(migration.version) ?? []), migration]);
  }
  const chosen: Migration[] = [];
  for (const [version, variants] of [...byVersion].sort(([a], [b]) => a - b)) {
    const common = variants.filter((m) => m.engine === 'any');
    const specific = variants.filter((m) => m.engine === engine);
    const other = variants.filter((m) => m.engine !== 'any' && m.engine !== engine);
    if (common.length > 0 && (specific.length > 0 || other.length > 0)) {
      throw new CodedFailure({
        code: 'migration.ambiguous',
        message: `Migration ${version} has both a common file and engine-specific files: ${variants.map((m) => m.file).join(', ')}.`,
        details: { version },
      });
    }
    const pick = common[0] ?? specific[0];
    if (!pick) {
      throw new CodedFailure({
        code: 'migration.missing-variant',
        message: `Migration ${version} has no file for the ${engine} engine (found ${variants.map((m) => m.file).join(', ')}).`,
        details: { version, engine },
      });
    }
    chosen.push(pick);
  }
  return chosen;
}

interface AppliedRow {
  version: number;
  name: string;
  engine: string;
  checksum: string;
}

/**
 * Applies pending migrations under a PostgreSQL advisory lock, so processes starting together
 * queue instead of racing; each migration commits in its own transaction with its checksum.
 * Refuses to run when an applied migration's file was edited or is missing.
 */
export async function migrate(
  db: Database,
  options: { engine?: EnginePreference; dir?: string; log?: (message: string) => void } = {},
): Promise<MigrationStatus> {
  const log = options.log ?? (() => undefined);
  return db.withConnection(async (conn) => {
    // Exempt from the pool's statement and lock timeouts: a migration may rewrite a large table,
    // and a second starter must wait for the first one's migrations rather than fail.
    await conn.exec('SET statement_timeout = 0; SET lock_timeout = 0');
    await conn.query('SELECT pg_advisory_lock($1, $2)', [...LOCK_KEYS]);
    try {
      await conn.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version     integer PRIMARY KEY,
        name        text NOT NULL,
        engine      text NOT NULL,
        checksum    text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now(),
        duration_ms integer NOT NULL
      )`);
      const applied = (
        await conn.query<AppliedRow>('SELECT version, name, engine, checksum FROM schema_migrations ORDER BY version')
      ).rows;
      const engine = await chooseEngine(conn, applied, options.engine ?? 'auto');
      const migrations = loadMigrations(engine, options.dir);
      verifyApplied(applied, migrations);
      const done = new Set(applied.map((row) => row.version));
      const newlyApplied: Migration[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        const started = Date.now();
        await conn.exec('BEGIN');
        try {
          await conn.exec(migration.sql);
          await conn.query(
            'INSERT INTO schema_migrations (version, name, engine, checksum, duration_ms) VALUES ($1, $2, $3, $4, $5)',
            [migration.version, migration.name, migration.engine, migration.checksum, Date.now() - started],
          );
          await conn.exec('COMMIT');
        } catch (error) {
          await conn.exec('ROLLBACK').catch(() => undefined);
          throw new CodedFailure({
            code: 'migration.failed',
            message: `Migration ${migration.file} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`,
            details: { file: migration.file },
          });
        }
        log(`applied migration ${migration.file} (${Date.now() - started} ms)`);
        newlyApplied.push(migration);
      }
      const last = migrations[migrations.length - 1];
      return { engine, version: last?.version ?? 0, name: last?.name ?? '', applied: newlyApplied };
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1, $2)', [...LOCK_KEYS]).catch(() => undefined);
      await conn.exec('RESET statement_timeout; RESET lock_timeout').catch(() => undefined);
    }
  });
}

function verifyApplied(applied: readonly AppliedRow[], migrations: readonly Migration[]): void {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const migration = byVersion.get(row.version);
    if (!migration) {
      throw new CodedFailure({
        code: 'migration.unknown-applied',
        message: `This database has migration ${row.version} (${row.name}) applied, which this version of Homeward does not have. Run a newer Homeward, or restore the database from before that migration.`,
        details: { version: row.version, name: row.name },
      });
    }
    if (migration.checksum !== row.checksum) {
      throw new CodedFailure({
        code: 'migration.checksum-mismatch',
        message: `Migration ${migration.file} was changed after it was applied to this database (applied checksum ${row.checksum.slice(0, 12)}…, file now ${migration.checksum.slice(0, 12)}…). Restore the file as it was and put the change in a new migration.`,
        details: { file: migration.file, applied: row.checksum, current: migration.checksum },
      });
    }
  }
}

/**
 * The engine is chosen once per database and then sticks: a database migrated as plain stays
 * plain even if TimescaleDB is installed later (moving it is a data migration, not a restart).
 */
async function chooseEngine(conn: SqlClient, applied: readonly AppliedRow[], preference: EnginePreference): Promise<StorageEngine> {
  const recorded = applied.find((row) => row.engine === 'timescale' || row.engine === 'plain')?.engine as StorageEngine | undefined;
  const wantsTimescale = recorded === 'timescale' || (recorded === undefined && preference !== 'plain');
  const timescaleLoadable = wantsTimescale && (await tryEnableTimescale(conn));
  if (recorded === 'timescale' && !timescaleLoadable) {
    throw new CodedFailure({
      code: 'storage.timescale-missing',
      message: 'This database was set up with TimescaleDB, but the timescaledb extension cannot be loaded now. Install it (shared_preload_libraries = timescaledb) and start again.',
    });
  }
  if (recorded) {
    if (preference !== 'auto' && preference !== recorded) {
      throw new CodedFailure({
        code: 'storage.engine-mismatch',
        message: `This database was set up for the ${recorded} engine; HOMEWARD_STORAGE_ENGINE asks for ${preference}.`,
      });
    }
    return recorded;
  }
  if (preference === 'timescale' && !timescaleLoadable) {
    throw new CodedFailure({
      code: 'storage.timescale-missing',
      message: 'HOMEWARD_STORAGE_ENGINE=timescale, but the timescaledb extension is not available on this PostgreSQL.',
    });
  }
  if (preference === 'plain') return 'plain';
  return timescaleLoadable ? 'timescale' : 'plain';
}

async function tryEnableTimescale(conn: SqlClient): Promise<boolean> {
  const available = await conn.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (available.rowCount === 0) return false;
  try {
    // Needs shared_preload_libraries = 'timescaledb' on a server; fails cleanly when missing.
    await conn.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
    return true;
  } catch {
    return false;
  }
}

/** The migration state of a database without changing it, for `homeward migrate --status` and health. */
export async function migrationState(db: SqlClient): Promise<{ version: number; name: string; engine: StorageEngine } | null> {
  const exists = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'schema_migrations'");
  if (exists.rowCount === 0) return null;
  const rows = (await db.query<AppliedRow>('SELECT version, name, engine, checksum FROM schema_migrations ORDER BY version')).rows;
  const last = rows[rows.length - 1];
  if (!last) return null;
  const engine = (rows.find((r) => r.engine !== 'any')?.engine ?? 'plain') as StorageEngine;
  return { version: last.version, name: last.name, engine };
}
