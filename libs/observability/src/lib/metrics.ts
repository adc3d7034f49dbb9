import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BoundedSource, type SourceSample } from './bounded-source';

/** Connections of a node-postgres pool (pg's totalCount, idleCount, waitingCount). */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/**
 * What the processes know about their state, read at scrape time (so a gauge is never stale):
 * the gateway registers connections and its broker link, the api the database figures.
 */
export interface MetricSources {
  /** Device clients connected to the embedded broker. */
  readonly mqttConnections?: () => number;
  /** The broker side is up: embedded listeners listening, or the external broker connected. */
  readonly brokerLinkUp?: () => boolean;
  readonly dbPool?: () => PoolStats | undefined;
  /** Alerts by state (open, acknowledged, escalated, resolved), counted in the database. */
  readonly alertsByState?: () => Promise<Readonly<Record<string, number>>>;
  /** Per rules-engine cursor: now − measurement time of the last reading it evaluated. */
  readonly rulesLag?: () => Promise<ReadonlyArray<{ readonly cursor: string; readonly seconds: number }>>;
}

type DatabaseSources = Pick<MetricSources, 'alertsByState' | 'rulesLag'>;
type Sampled<K extends keyof DatabaseSources> = Awaited<ReturnType<NonNullable<DatabaseSources[K]>>>;

/** How long a scrape waits for a database figure before it shows the last one with its age. */
export const DEFAULT_SOURCE_TIMEOUT_MS = 1_000;

/** The `source` label of each database figure (in failures and ages). */
const SOURCE_LABEL: Record<keyof DatabaseSources, string> = { alertsByState: 'alerts', rulesLag: 'rules-lag' };

/** Seconds from receipt to commit: group commit keeps this near one round trip when idle. */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Every Homeward metric, in one registry. One instance per process: in `homeward start` the
 * gateway and the api share it and the API port serves it; a process without the API serves it
 * from startMetricsServer.
 */
export class HomewardMetrics {
  readonly registry = new Registry();
  private sources: MetricSources = {};
  private readonly stateGauges: Partial<Record<keyof MetricSources, Gauge<string>>> = {};
  private readonly watched = new Set<keyof MetricSources>();
  private readonly scrapeFailures: Counter<'source'>;
  private readonly bounded: { alertsByState?: BoundedSource<Sampled<'alertsByState'>>; rulesLag?: BoundedSource<Sampled<'rulesLag'>> } = {};
  private readonly now: () => number;
  private readonly sourceTimeoutMs: number;

  readonly mqttMessagesReceived: Counter<'kind'>;
  readonly mqttMessagesSent: Counter<'kind'>;
  readonly readingsStored: Counter<'source'>;
  readonly readingsDuplicate: Counter<'source'>;
  readonly rejections: Counter<'transport' | 'code'>;
  readonly rejectedMessages: Counter<'code' | 'device_id'>;
  readonly statusMessagesDropped: Counter<'reason'>;
  readonly ingestLatency: Histogram<'transport'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly databaseRestarts: Counter;
  readonly rulesWorkerRestarts: Counter;
  readonly escalationDeliveryAttempts: Counter<'channel' | 'outcome'>;
  private readonly sourceAge: Gauge<'source'>;

  constructor(
    options: {
      readonly processMetrics?: boolean;
      /** The clock for the age of database figures (injected, so tests move it). */
      readonly now?: () => number;
      /** How long a scrape waits for a database figure (DEFAULT_SOURCE_TIMEOUT_MS). */
      readonly sourceTimeoutMs?: number;
    } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sourceTimeoutMs = options.sourceTimeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS;
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    // `this` inside collect() is the metric; the sources are read through this closure instead.
    const read = <K extends keyof MetricSources>(key: K): MetricSources[K] => this.sources[key];
    const failed = (source: string) => this.scrapeFailures.inc({ source });

    this.scrapeFailures = new Counter({ name: 'homeward_metrics_source_failures_total', help: 'Scrapes in which a source (such as the database) could not be read', labelNames: ['source'], registers });
    // State gauges join the registry only once a process watches their source, so a process that
    // has no broker does not report "0 connections, broker down".
    this.stateGauges.mqttConnections = new Gauge({
      name: 'homeward_mqtt_connections',
      help: 'Device clients connected to the embedded MQTT broker',
      registers: [],
      collect() {
        const source = read('mqttConnections');
        if (source) this.set(source());
      },
    });
    this.stateGauges.brokerLinkUp = new Gauge({
      name: 'homeward_mqtt_broker_up',
      help: '1 when the broker side is up (embedded listeners listening, or the external broker connected), else 0',
      registers: [],
      collect() {
        const source = read('brokerLinkUp');
        if (source) this.set(source() ? 1 : 0);
      },
    });
    this.mqttMessagesReceived = new Counter({ name: 'homeward_mqtt_messages_received_total', help: 'Device messages received, by topic kind (readings, status)', labelNames: ['kind'], registers });
    this.mqttMessagesSent = new Counter({ name: 'homeward_mqtt_messages_sent_total', help: 'Messages the gateway sent to devices (acks)', labelNames: ['kind'], registers });
    this.readingsStored = new Counter({ name: 'homeward_readings_stored_total', help: 'Readings committed, by source (mqtt, manual, ble)', labelNames: ['source'], registers });
    this.readingsDuplicate = new Counter({ name: 'homeward_readings_duplicate_total', help: 'Readings received again and recognised as duplicates (not stored twice)', labelNames: ['source'], registers });
    this.rejections = new Counter({ name: 'homeward_ingest_rejections_total', help: 'Refused messages or items, by transport and reason code', labelNames: ['transport', 'code'], registers });
    // One series per device that sends bad input: the operator's pointer to `homeward rejected --device`.
    // Unregistered ids are counted as "unknown" so a stranger cannot grow the series without bound.
    this.rejectedMessages = new Counter({ name: 'homeward_rejected_messages_total', help: 'Device messages refused and kept in rejected_messages, by reason code and device id', labelNames: ['code', 'device_id'], registers });
    this.statusMessagesDropped = new Counter({ name: 'homeward_mqtt_status_dropped_total', help: 'Device status messages dropped unstored: over the per-device rate, or a refusal already recorded in the same minute', labelNames: ['reason'], registers });
    this.ingestLatency = new Histogram({
      name: 'homeward_ingest_latency_seconds',
      help: 'From receipt of a device message to the commit of what it carried',
      labelNames: ['transport'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.databaseRestarts = new Counter({ name: 'homeward_database_restarts_total', help: 'Times the embedded PostgreSQL died and was restarted by this process', registers });
    this.rulesWorkerRestarts = new Counter({ name: 'homeward_rules_worker_restarts_total', help: 'Times a rules-worker child process of `homeward start` exited unasked and was started again', registers });
    // outcome="failed" is an escalation that reached nobody on that channel: worth paging on.
    this.escalationDeliveryAttempts = new Counter({ name: 'homeward_escalation_delivery_attempts_total', help: 'Attempts to tell an escalation contact, by channel and outcome (delivered, retry, failed)', labelNames: ['channel', 'outcome'], registers });
    this.httpRequests = new Counter({ name: 'homeward_http_requests_total', help: 'API requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers });
    this.stateGauges.dbPool = new Gauge({
      name: 'homeward_db_pool_connections',
      help: 'Database pool connections: total, idle, and callers waiting for one',
      labelNames: ['state'],
      registers: [],
      collect() {
        const stats = read('dbPool')?.();
        if (!stats) return;
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
    // Database figures: bounded, so a frozen database cannot hang the scrape (see BoundedSource).
    const sample = <K extends keyof DatabaseSources>(key: K): Promise<SourceSample<Sampled<K>>> | undefined =>
      (this.bounded[key] as BoundedSource<Sampled<K>> | undefined)?.sample();
    const sampled = async <K extends keyof DatabaseSources>(key: K): Promise<Sampled<K> | undefined> => {
      const result = await sample(key);
      if (!result) return undefined;
      if (result.outcome !== 'fresh') failed(SOURCE_LABEL[key]);
      return result.value;
    };
    this.stateGauges.alertsByState = new Gauge({
      name: 'homeward_alerts',
      help: 'Alerts in the database by state (the last value read when the database does not answer: see homeward_metrics_source_age_seconds)',
      labelNames: ['state'],
      registers: [],
      async collect() {
        const counts = await sampled('alertsByState');
        this.reset();
        for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
      },
    });
    this.stateGauges.rulesLag = new Gauge({
      name: 'homeward_rules_engine_lag_seconds',
      help: 'How long the oldest reading waiting for the rules engine has been in Homeward (now minus its receipt time; 0 when none waits), per cursor',
      labelNames: ['cursor'],
      registers: [],
      async collect() {
        const lags = await sampled('rulesLag');
        this.reset();
        for (const { cursor, seconds } of lags ?? []) this.set({ cursor }, seconds);
      },
    });
    const sourceKeys = Object.keys(SOURCE_LABEL) as Array<keyof DatabaseSources>;
    this.sourceAge = new Gauge({
      name: 'homeward_metrics_source_age_seconds',
      help: 'Age of the value shown for a database figure: 0 when read in this scrape, growing while the database does not answer in time',
      labelNames: ['source'],
      registers: [],
      async collect() {
        this.reset();
        const results = await Promise.all(sourceKeys.map(async (key) => [key, await sample(key)] as const));
        for (const [key, result] of results) if (result?.ageMs !== undefined) this.set({ source: SOURCE_LABEL[key] }, result.ageMs / 1000);
      },
    });
  }

  /** Adds (or replaces) the sources read at scrape time. */
  watch(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
    const bounds = { timeoutMs: this.sourceTimeoutMs, now: this.now };
    if (sources.alertsByState) this.bounded.alertsByState = new BoundedSource(sources.alertsByState, bounds);
    if (sources.rulesLag) this.bounded.rulesLag = new BoundedSource(sources.rulesLag, bounds);
    if ((sources.alertsByState || sources.rulesLag) && !this.registry.getSingleMetric('homeward_metrics_source_age_seconds')) this.registry.registerMetric(this.sourceAge);
    for (const key of Object.keys(sources) as Array<keyof MetricSources>) {
      const gauge = this.stateGauges[key];
      if (sources[key] === undefined || gauge === undefined || this.watched.has(key)) continue;
      this.watched.add(key);
      this.registry.registerMetric(gauge);
    }
  }

  /** The Prometheus text exposition. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
