export { REDACTED, REDACTED_LOG_KEYS, createLogger, messageLogger, type LogFormat, type LogLevel, type Logger, type LoggerOptions } from './lib/logger';
export { HomewardMetrics, type MetricSources, type PoolStats } from './lib/metrics';
export { type ReadinessCheck, type RunningMetricsServer, readinessProblems, startMetricsServer } from './lib/metrics-server';
