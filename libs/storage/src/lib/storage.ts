import type { Database, DatabaseMode, StorageEngine } from './database';
import { PgDatabase } from './drivers/pg.driver';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded/embedded-postgres';
import { type EnginePreference, migrate } from './migrations/migrator';
import { AlertRepository, MonitoringRepository } from './repositories/alert.repository';
import { AuditLogRepository } from './repositories/audit-log.repository';
import { ReadingRepository } from './repositories/reading.repository';
import { RegistryRepository } from './repositories/registry.repository';
import { RejectedMessageRepository } from './repositories/rejected-message.repository';
import { RulesPartitionRepository } from './repositories/rules-partition.repository';

export interface StorageInfo {
  readonly mode: DatabaseMode;
  readonly engine: StorageEngine;
  readonly migration: { readonly version: number; readonly name: string };
  readonly serverVersion: string;
}

export interface Repositories {
  readonly readings: ReadingRepository;
  readonly registry: RegistryRepository;
  readonly rejected: RejectedMessageRepository;
  readonly audit: AuditLogRepository;
  readonly alerts: AlertRepository;
  readonly monitoring: MonitoringRepository;
  /** Leases of rules partitions between workers, and what they have not evaluated yet. */
  readonly partitions: RulesPartitionRepository;
}

export interface Storage extends Repositories {
  readonly db: Database;
  readonly info: StorageInfo;
  /** Closes the pool, then stops the embedded server if this process started one. */
  close(): Promise<void>;
}

export interface OpenStorageOptions {
  /** A PostgreSQL server; when absent an embedded server is started in dataDir. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly embeddedPort?: number;
  readonly poolSize?: number;
  readonly engine?: EnginePreference;
  /** Days of readings to keep (TimescaleDB retention policy); undefined keeps everything. */
  readonly retentionDays?: number;
  readonly log?: (message: string) => void;
}

export function createRepositories(db: Database, engine: StorageEngine): Repositories {
  return {
    readings: new ReadingRepository(db, engine),
    registry: new RegistryRepository(db),
    rejected: new RejectedMessageRepository(db),
    audit: new AuditLogRepository(db),
    alerts: new AlertRepository(db),
    monitoring: new MonitoringRepository(db),
    partitions: new RulesPartitionRepository(db),
  };
}

/**
 * Connects (starting the embedded server when no DATABASE_URL is given), migrates under the
 * advisory lock, detects the engine once and applies the retention setting.
 */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  const log = options.log ?? (() => undefined);
  let embedded: EmbeddedPostgres | undefined;
  if (!options.databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: options.dataDir,
      log,
      ...(options.embeddedPort === undefined ? {} : { port: options.embeddedPort }),
    });
    log(`embedded PostgreSQL running on 127.0.0.1:${embedded.port}, data in ${embedded.dataDir}`);
  }
  const connectionString = options.databaseUrl ?? embedded?.connectionString ?? '';
  const db = new PgDatabase({
    connectionString,
    ...(options.poolSize === undefined ? {} : { maxConnections: options.poolSize }),
    onIdleError: (error) => log(`database connection lost: ${error.message}`),
  });
  try {
    return await prepare(db, {
      mode: embedded ? 'embedded' : 'server',
      engine: options.engine ?? 'auto',
      retentionDays: options.retentionDays,
      log,
      onClose: async () => {
        await db.close();
        await embedded?.stop();
      },
    });
  } catch (error) {
    await db.close().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }
}

/** Migrates an open database and wraps it with repositories; used by openStorage and by tests. */
export async function prepare(
  db: Database,
  options: {
    mode: DatabaseMode;
    engine?: EnginePreference;
    retentionDays?: number | undefined;
    log?: (message: string) => void;
    onClose?: () => Promise<void>;
  },
): Promise<Storage> {
  const log = options.log ?? (() => undefined);
  const status = await migrate(db, { engine: options.engine ?? 'auto', log });
  await applyRetention(db, status.engine, options.retentionDays, log);
  const version = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? 'unknown';
  const info: StorageInfo = {
    mode: options.mode,
    engine: status.engine,
    migration: { version: status.version, name: status.name },
    serverVersion: version,
  };
  log(`storage: ${info.mode} PostgreSQL ${info.serverVersion}, ${info.engine === 'timescale' ? 'TimescaleDB' : 'plain PostgreSQL'} mode, schema version ${info.migration.version} (${info.migration.name})`);
  return { db, info, ...createRepositories(db, status.engine), close: options.onClose ?? (() => db.close()) };
}

async function applyRetention(db: Database, engine: StorageEngine, days: number | undefined, log: (m: string) => void): Promise<void> {
  if (engine !== 'timescale') {
    if (days !== undefined) log(`retention of ${days} days is only enforced in TimescaleDB mode; plain PostgreSQL keeps every reading`);
    return;
  }
  await db.query("SELECT remove_retention_policy('readings', if_exists => true)");
  if (days !== undefined) {
    await db.query("SELECT add_retention_policy('readings', make_interval(days => $1::int))", [days]);
  }
}
