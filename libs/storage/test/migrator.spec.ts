import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodedFailure } from '@homeward/domain';
import { MIGRATIONS_DIR, PgDatabase, createScratchDatabase, loadMigrations, migrate, startScratchEmbeddedPostgres } from '../src';

// Runs against a scratch database on DATABASE_URL's server when set, else on an embedded server.
let serverUrl: string;
let stopServer: () => Promise<void> = async () => undefined;
beforeAll(async () => {
  if (process.env['DATABASE_URL']) {
    serverUrl = process.env['DATABASE_URL'];
  } else {
    const server = await startScratchEmbeddedPostgres();
    serverUrl = server.connectionString;
    stopServer = server.cleanup;
  }
});
afterAll(() => stopServer());

async function withScratch<T>(fn: (db: PgDatabase, url: string) => Promise<T>): Promise<T> {
  const scratch = await createScratchDatabase(serverUrl);
  const db = new PgDatabase({ connectionString: scratch.url });
  try {
    return await fn(db, scratch.url);
  } finally {
    await db.close();
    await scratch.drop();
  }
}

function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'homeward-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

/** Every migration version in the folder, ascending (0001–0003 and whatever issues added since). */
const ALL_VERSIONS = [...new Set(readdirSync(MIGRATIONS_DIR).flatMap((f) => (/^(\d{4})_/.exec(f) ? [Number(f.slice(0, 4))] : [])))].sort((a, b) => a - b);

describe('migrations', () => {
  it('picks the engine variant of each numbered file', () => {
    // The first three are fixed; later numbers are added by their issues, so they are read from
    // the folder: per version the common file, else the engine's own variant.
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && f >= '0004').sort();
    const later = (engine: 'plain' | 'timescale') => files.filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f) || f.endsWith(`.${engine}.sql`));
    expect(loadMigrations('plain').map((m) => m.file)).toEqual(['0001_registry.sql', '0002_readings.sql', '0003_readings_timeseries.plain.sql', ...later('plain')]);
    expect(loadMigrations('timescale').map((m) => m.file)).toEqual([
      '0001_registry.sql',
      '0002_readings.sql',
      '0003_readings_timeseries.timescale.sql',
      ...later('timescale'),
    ]);
    expect(loadMigrations('timescale').map((m) => m.file)).toContain('0008_trend_aggregate_indexes.timescale.sql');
  });

  it('lets processes that start together queue on the advisory lock: each migration applied once', async () => {
    await withScratch(async (db, url) => {
      // A second pool stands in for a second process: separate connections, separate sessions.
      const others = [new PgDatabase({ connectionString: url })];
      try {
        const results = await Promise.all([migrate(db), migrate(others[0]!), migrate(db), migrate(others[0]!)]);
        const appliedCounts = results.map((r) => r.applied.length).sort();
        expect(appliedCounts).toEqual([0, 0, 0, readdirSync(MIGRATIONS_DIR).filter((f) => !f.includes('.timescale.')).length]);
        const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(rows.rows.map((r) => r.version)).toEqual(ALL_VERSIONS);
        expect(results.every((r) => r.engine === 'plain' && r.version === ALL_VERSIONS.at(-1))).toBe(true);
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
    });
  });

  it('refuses to run when an applied migration was edited, naming the file', async () => {
    const dir = copyOfMigrations();
    try {
      await withScratch(async (db) => {
        await migrate(db, { dir });
        writeFileSync(join(dir, '0002_readings.sql'), '-- edited\n', { flag: 'a' });
        const failure = await migrate(db, { dir }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(CodedFailure);
        expect((failure as CodedFailure).error.code).toBe('migration.checksum-mismatch');
        expect((failure as CodedFailure).message).toMatch(/0002_readings\.sql was changed after it was applied/);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database that has a migration this code does not know', async () => {
    const dir = copyOfMigrations();
    try {
      await withScratch(async (db) => {
        await migrate(db, { dir });
        await db.query("INSERT INTO schema_migrations (version, name, engine, checksum, duration_ms) VALUES (99, 'from_the_future', 'any', 'x', 0)");
        const failure = (await migrate(db, { dir }).catch((e: unknown) => e)) as CodedFailure;
        expect(failure.error.code).toBe('migration.unknown-applied');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration whole and records nothing for it', async () => {
    const dir = copyOfMigrations();
    try {
      writeFileSync(join(dir, '9999_broken.sql'), 'CREATE TABLE half_done (a int);\nSELECT no_such_function();\n');
      await withScratch(async (db) => {
        const failure = (await migrate(db, { dir }).catch((e: unknown) => e)) as CodedFailure;
        expect(failure.error.code).toBe('migration.failed');
        expect(failure.message).toMatch(/9999_broken\.sql failed and was rolled back/);
        const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(versions.rows.map((r) => r.version)).toEqual(ALL_VERSIONS);
        const table = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'half_done'");
        expect(table.rowCount).toBe(0);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a migration file that is not named by the convention', () => {
    const dir = copyOfMigrations();
    try {
      writeFileSync(join(dir, '5_oops.sql'), 'SELECT 1;');
      expect(() => loadMigrations('plain', dir)).toThrow(/not named NNNN_name\.sql/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a plain database plain even when asked for TimescaleDB later', async () => {
    await withScratch(async (db) => {
      await migrate(db, { engine: 'plain' });
      const failure = (await migrate(db, { engine: 'timescale' }).catch((e: unknown) => e)) as CodedFailure;
      expect(['storage.engine-mismatch', 'storage.timescale-missing']).toContain(failure.error.code);
    });
  });
});
