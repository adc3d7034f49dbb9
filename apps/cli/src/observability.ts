import type { HomewardConfig } from '@homeward/config';
import { type Gateway, IngestPipeline } from '@homeward/gateway';
import { HomewardMetrics, type Logger, type ReadinessCheck, type RunningMetricsServer, createLogger, startMetricsServer } from '@homeward/observability';
import { OperationsRepository, type ProblemLogger, type Storage, checkDatabase } from '@homeward/storage';

/**
 * The process logger: JSON lines on stderr, or pino-pretty's lines when HOMEWARD_LOG_FORMAT=pretty
 * or (unset) when stderr is a terminal, so a person at a terminal reads sentences and a log
 * collector gets JSON.
 */
export function processLogger(config: Pick<HomewardConfig, 'logLevel' | 'logFormat'>): Logger {
  const terminal = process.stderr.isTTY === true;
  return createLogger({ level: config.logLevel, format: config.logFormat ?? (terminal ? 'pretty' : 'json'), colorize: terminal });
}

/** Storage failures as structured warnings and errors (never info), tagged so they can be found. */
export function problemLogger(logger: Logger): ProblemLogger {
  return (level, message, context) => logger[level]({ component: 'storage', ...context }, message);
}

/**
 * The api's ingest pipeline when no gateway runs in this process (HOMEWARD_SERVICES=api): manual
 * entries are counted into readings stored as the gateway's pipeline would count them.
 */
export function countedPipeline(storage: Storage, config: Pick<HomewardConfig, 'ingest'>, metrics: HomewardMetrics): IngestPipeline {
  return new IngestPipeline(storage, {
    maxClockSkewMs: config.ingest.maxClockSkewMs,
    onStored: (stored) => {
      for (const reading of stored) metrics.readingsStored.inc({ source: reading.source });
    },
  });
}

/** Readiness of this process: the database answers, and the broker side is up when the gateway runs here. */
export function readinessChecks(storage: Storage, gateway: Gateway | undefined): { database: ReadinessCheck; broker: ReadinessCheck[] } {
  return {
    // Bounded (checkDatabase answers within 1.5 s), so a frozen database cannot hang the probe.
    database: { name: 'database', check: () => checkDatabase(storage) },
    broker: gateway ? [{ name: 'broker', check: async () => gateway.brokerProblem() }] : [],
  };
}

/**
 * /metrics and /health/{live,ready} for a rules worker (it has no API): pool use, alerts by state
 * and its cursors' lag; ready while the database answers and the engine runs. Only when
 * HOMEWARD_METRICS_PORT is set.
 */
export async function serveWorkerMetrics(options: {
  storage: Storage;
  config: Pick<HomewardConfig, 'metricsPort' | 'api'>;
  engineRunning: () => boolean;
}): Promise<RunningMetricsServer | undefined> {
  const { storage, config } = options;
  if (config.metricsPort === undefined) return undefined;
  const metrics = new HomewardMetrics();
  const operations = new OperationsRepository(storage.db);
  metrics.watch({ dbPool: () => storage.db.poolStats?.(), alertsByState: () => operations.alertsByState(), rulesLag: () => operations.readingCursorLag() });
  const engine: ReadinessCheck = { name: 'rules-engine', check: async () => (options.engineRunning() ? undefined : 'the rules engine is not running') };
  return startMetricsServer({ metrics, host: config.api.host, port: config.metricsPort, readiness: [readinessChecks(storage, undefined).database, engine] });
}
