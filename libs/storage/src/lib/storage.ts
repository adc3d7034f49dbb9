import { FhirSubscriptionRepository } from './repositories/fhir-subscription.repository';
import type { Database, DatabaseMode, StorageEngine } from './database';
import { PgDatabase } from './drivers/pg.driver';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded/embedded-postgres';
import { type ProblemLogger, reportSupervision } from './embedded/supervision.report';
import { type EnginePreference, migrate } from './migrations/migrator';
import { AlertRepository, MonitoringRepository } from './repositories/alert.repository';
import { AnalyticsRepository } from './repositories/analytics.repository';
import { AuditLogRepository } from './repositories/audit-log.repository';
import { CarerRepository } from './repositories/carer.repository';
import { DeviceStateRepository } from './repositories/device-state.repository';
import { EscalationNotificationRepository } from './repositories/escalation-notification.repository';
import { ObservationSearchRepository } from './repositories/observation-search.repository';
import { ReadingRepository } from './repositories/reading.repository';
import { RegistryRepository } from './repositories/registry.repository';
import { RejectedMessageRepository } from './repositories/rejected-message.repository';
import { RulesPartitionRepository } from './repositories/rules-partition.repository';
import { SystemAlertRepository } from './repositories/system-alert.repository';
import { SmsMessageRepository } from './repositories/sms-message.repository';

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
  /** Wards' escalation contacts and the deliveries of escalations to them. */
  readonly notifications: EscalationNotificationRepository;
  /** FHIR rest-hook Subscriptions and their deliveries (migration 0017). */
  readonly fhirSubscriptions: FhirSubscriptionRepository;
  /** Devices' contact and connection state and their malformed frames, for the silence and technical alerts. */
  readonly deviceState: DeviceStateRepository;
  /** Problems of Homeward itself (database restarted, pipeline stalled, …) that every member of staff sees. */
  readonly systemAlerts: SystemAlertRepository;
  /** Readings as FHIR-style results (a BP panel is one): search with snapshot paging, whole panels, same-measurement lookups. */
  readonly observationSearch: ObservationSearchRepository;
  /** Read-only snapshots of a ward's period for the alert-burden and outcomes reports. */
  readonly analytics: AnalyticsRepository;
  /** Phone numbers and the texts in and out (readings, replies, reminders) with their delivery receipts. */
  readonly sms: SmsMessageRepository;
  /** Carers and their consent- or best-interest-based links to patients. */
  readonly carers: CarerRepository;
}

export interface Storage extends Repositories {
  readonly db: Database;
  readonly info: StorageInfo;
  /** Why the embedded server cannot serve now (it died and is being restarted), or undefined; see checkDatabase. */
  serverProblem?(): string | undefined;
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
  /** Storage failures (a lost connection, the embedded server dying): warnings and errors with context. */
  readonly logProblem?: ProblemLogger;
  /**
   * own (default): run the embedded server and own the data folder (homeward start); attach:
   * use the server of the Homeward that owns it, or run one for the duration (admin commands);
   * join: use the owner's server, never run one (rules workers that `homeward start` runs).
   */
  readonly embeddedUse?: 'own' | 'attach' | 'join';
  /** Names the owner in the data folder's lock ("homeward start"). */
  readonly command?: string;
  /** Restart the embedded server with backoff when it dies (default: when owning). */
  readonly supervise?: boolean;
  /** Called each time the embedded server is back after dying (the restarts counter). */
  readonly onDatabaseRestart?: () => void;
  /** Server-side statement and lock timeouts for pooled connections (0: none); see PgDatabaseOptions. */
  readonly statementTimeoutMs?: number;
  readonly lockTimeoutMs?: number;
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
    notifications: new EscalationNotificationRepository(db),
    fhirSubscriptions: new FhirSubscriptionRepository(db),
    deviceState: new DeviceStateRepository(db),
    systemAlerts: new SystemAlertRepository(db),
    observationSearch: new ObservationSearchRepository(db),
    analytics: new AnalyticsRepository(db, engine),
    sms: new SmsMessageRepository(db),
    carers: new CarerRepository(db),
  };
}

/**
 * Connects (starting the embedded server when no DATABASE_URL is given), migrates under the
 * advisory lock, detects the engine once and applies the retention setting.
 */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  const log = options.log ?? (() => undefined);
  const logProblem: ProblemLogger = options.logProblem ?? ((level, message) => log(`${level}: ${message}`));
  let embedded: EmbeddedPostgres | undefined;
  let opened: Storage | undefined;
  let closing = false;
  if (!options.databaseUrl) {
    const use = options.embeddedUse ?? 'own';
    embedded = await startEmbeddedPostgres({
      dataDir: options.dataDir,
      log,
      use,
      ...(options.command === undefined ? {} : { command: options.command }),
      supervise: options.supervise ?? use === 'own',
      onEvent: reportSupervision({ logProblem, onRestart: options.onDatabaseRestart, audit: () => opened?.audit, systemAlerts: () => opened?.systemAlerts }),
      ...(options.embeddedPort === undefined ? {} : { port: options.embeddedPort }),
    });
    if (!embedded.attached) log(`embedded PostgreSQL running on 127.0.0.1:${embedded.port}, data in ${embedded.dataDir}`);
  }
  const connectionString = options.databaseUrl ?? embedded?.connectionString ?? '';
  const db = new PgDatabase({
    connectionString,
    ...(options.poolSize === undefined ? {} : { maxConnections: options.poolSize }),
    ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
    // A connection ended by our own orderly shutdown is expected, not a problem.
    onIdleError: (error) => {
      if (!closing) logProblem('warn', `database connection lost: ${error.message}`, { mode: embedded ? 'embedded' : 'server', code: (error as { code?: string }).code });
    },
  });
  try {
    const server = embedded;
    const prepared = await prepare(db, {
      mode: embedded ? 'embedded' : 'server',
      engine: options.engine ?? 'auto',
      retentionDays: options.retentionDays,
      log,
      onClose: async () => {
        closing = true;
        await db.close();
        await embedded?.stop();
      },
    });
    opened = server && !server.attached ? { ...prepared, serverProblem: () => server.problem() } : prepared;
    return opened;
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
