import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { type CodedError, type Result, fail, ok } from '@homeward/domain';
import { EnvironmentDto, KNOWN_VARIABLES } from './environment.dto';
import { SMS_VARIABLES, type SmsConfig, parseSmsConfig } from './sms.config';

export interface HomewardConfig {
  readonly database: {
    /** A PostgreSQL server; undefined means "start the embedded one". */
    readonly url: string | undefined;
    readonly dataDir: string;
    readonly embeddedPort: number;
    readonly engine: 'auto' | 'timescale' | 'plain';
    readonly retentionDays: number | undefined;
    readonly poolSize: number;
    /** Server-side limits on every pooled statement and lock wait, in ms (0: none); migrations are exempt. */
    readonly statementTimeoutMs: number;
    readonly lockTimeoutMs: number;
  };
  readonly api: {
    readonly host: string;
    readonly port: number;
    /** Serve HTTPS with these PEM files (both set); undefined: plain HTTP (e.g. behind a TLS proxy). */
    readonly https?: { readonly certFile: string; readonly keyFile: string } | undefined;
  };
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** json or pretty; undefined: pretty on a terminal, json otherwise (decided by the process). */
  readonly logFormat?: 'json' | 'pretty' | undefined;
  /**
   * Which parts this process runs (HOMEWARD_SERVICES): both by default. The rules engine runs
   * inside the api (unless `--no-rules`) or in `homeward rules-worker` processes.
   */
  readonly services?: { readonly gateway: boolean; readonly api: boolean };
  /** A /metrics (and /health) listener of its own, for a process without the API; undefined: none. */
  readonly metricsPort?: number | undefined;
  readonly mqtt: MqttConfig;
  readonly ingest: { readonly maxClockSkewMs: number };
  readonly rules: RulesConfig;
  /** Read Bluetooth health devices from this machine's adapter (noble, HCI). */
  readonly ble: { readonly enabled: boolean };
  /** Hub mode (`homeward hub`): forward this home's BLE readings upstream. */
  readonly hub: { readonly upstreamUrl: string; readonly deviceId: string; readonly secret: string; readonly devicesFile: string } | undefined;
  /** Readings and reminders by SMS (HOMEWARD_SMPP_*, HOMEWARD_SMS_*); undefined when no SMSC is set. */
  readonly sms?: SmsConfig | undefined;
}

export interface MqttConfig {
  /** embedded: Homeward's own broker; external: consume from a broker you run; off: no MQTT. */
  readonly mode: 'embedded' | 'external' | 'off';
  readonly host: string;
  readonly port: number;
  /** TLS listener, only when both a certificate and a key are given. */
  readonly tls: { readonly port: number; readonly certFile: string; readonly keyFile: string } | undefined;
  /** WebSocket listener for browser-based patient apps; undefined when disabled (-1). */
  readonly wsPort: number | undefined;
  readonly external:
    | {
        readonly url: string;
        readonly username: string | undefined;
        readonly password: string | undefined;
        readonly sharedGroup: string;
        /** This gateway's MQTT client id there: stable across its restarts, unique among gateways (its persistent session). */
        readonly clientId?: string | undefined;
      }
    | undefined;
  readonly maxPayloadBytes: number;
  /**
   * Several embedded-broker instances share sessions, subscriptions, retained messages and
   * message flow through this Redis (aedes-persistence-redis, mqemitter-redis); undefined: in memory.
   */
  readonly redisUrl?: string | undefined;
  /** Embedded-broker limits; absent: the broker's defaults. */
  readonly limits?: MqttLimitsConfig | undefined;
}

export interface MqttLimitsConfig {
  /** Largest packet from an authenticated device (default 4 × maxPayloadBytes); a larger one ends the connection. */
  readonly maxPacketBytes: number;
  /** Bytes a connection may send before it has authenticated (its CONNECT). */
  readonly maxConnectBytes: number;
  readonly connectTimeoutMs: number;
  /** Connections from one address that have not authenticated yet. */
  readonly maxPendingPerAddress: number;
  /** How long a verified device secret is remembered (a keyed hash), for reconnects and store outages. */
  readonly credentialsCacheTtlMs: number;
  /** scrypt verifications at once. */
  readonly maxConcurrentSecretChecks: number;
  /** How long a message is retried while the store is unreachable before its connection is dropped. */
  readonly storeRetryLimitMs: number;
}

export interface RulesConfig {
  /**
   * Patients are hashed into this many partitions, each evaluated by one rules worker at a time
   * (leases in PostgreSQL). Undefined: one engine evaluates everyone through a single cursor.
   */
  readonly partitions: number | undefined;
  /** A worker that stops renewing its partitions loses them after this long. */
  readonly leaseSeconds: number;
  /** Readings committed but not evaluated for longer than this raise a technical alert. */
  readonly stallAlertSeconds: number;
  /**
   * Where `homeward start` evaluates the rules: `process` (default) in supervised
   * `homeward rules-worker` child processes, off the broker's and the API's event loop;
   * `inline` in its own event loop, as before.
   */
  readonly mode: 'process' | 'inline';
  /** How many rules-worker child processes `homeward start` runs in `process` mode. */
  readonly workers: number;
  /**
   * After a page of late readings that was not full, the next waits this long, gathering late
   * readings (a stream of them from many patients costs far less in larger pages). Fresh readings
   * never wait.
   */
  readonly lateGatherMs: number;
}

export interface ConfigProblem {
  readonly variable: string;
  readonly value: string | undefined;
  readonly problems: readonly string[];
}

export type ConfigError = CodedError<'config.invalid'>;

/**
 * Parses the environment once, at start. Every bad variable is reported together (not the first
 * one only), and a HOMEWARD_* variable we do not know is reported too: it is almost always a
 * typo of one we do.
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: { cwd: string; joinPath: (...parts: string[]) => string },
): Result<HomewardConfig, ConfigError> {
  const raw: Record<string, string> = {};
  for (const name of KNOWN_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  const dto = plainToInstance(EnvironmentDto, raw);
  const problems: ConfigProblem[] = validateSync(dto, { forbidUnknownValues: true }).map((error) => ({
    variable: error.property,
    value: redact(error.property, raw[error.property]),
    problems: Object.values(error.constraints ?? {}),
  }));
  const tlsGiven = [dto.HOMEWARD_MQTT_TLS_CERT, dto.HOMEWARD_MQTT_TLS_KEY].filter((v) => v !== undefined).length;
  if (tlsGiven === 1) {
    const missing = dto.HOMEWARD_MQTT_TLS_CERT === undefined ? 'HOMEWARD_MQTT_TLS_CERT' : 'HOMEWARD_MQTT_TLS_KEY';
    problems.push({ variable: missing, value: undefined, problems: ['is needed too: MQTT over TLS takes a certificate and a key'] });
  }
  const hubVariables = ['HOMEWARD_HUB_UPSTREAM_URL', 'HOMEWARD_HUB_DEVICE_ID', 'HOMEWARD_HUB_SECRET', 'HOMEWARD_HUB_DEVICES_FILE'] as const;
  const hubGiven = hubVariables.filter((name) => dto[name] !== undefined);
  if (hubGiven.length > 0 && hubGiven.length < hubVariables.length) {
    for (const name of hubVariables.filter((n) => dto[n] === undefined)) {
      problems.push({ variable: name, value: undefined, problems: ['is needed too: hub mode takes an upstream URL, the hub\'s device id and secret, and a devices file'] });
    }
  }
  const httpsGiven = [dto.HOMEWARD_HTTPS_CERT, dto.HOMEWARD_HTTPS_KEY].filter((v) => v !== undefined).length;
  if (httpsGiven === 1) {
    const missing = dto.HOMEWARD_HTTPS_CERT === undefined ? 'HOMEWARD_HTTPS_CERT' : 'HOMEWARD_HTTPS_KEY';
    problems.push({ variable: missing, value: undefined, problems: ['is needed too: HTTPS takes a certificate and a key'] });
  }
  const maxPayloadBytes = dto.HOMEWARD_MQTT_MAX_PAYLOAD_BYTES ?? 256 * 1024;
  if (dto.HOMEWARD_MQTT_MAX_PACKET_BYTES !== undefined && dto.HOMEWARD_MQTT_MAX_PACKET_BYTES < maxPayloadBytes) {
    problems.push({ variable: 'HOMEWARD_MQTT_MAX_PACKET_BYTES', value: String(dto.HOMEWARD_MQTT_MAX_PACKET_BYTES), problems: [`must be at least HOMEWARD_MQTT_MAX_PAYLOAD_BYTES (${maxPayloadBytes}), so an oversized payload is answered rather than cut off`] });
  }
  if (dto.HOMEWARD_MQTT_MODE === 'external' && dto.HOMEWARD_MQTT_EXTERNAL_URL === undefined) {
    problems.push({ variable: 'HOMEWARD_MQTT_EXTERNAL_URL', value: undefined, problems: ['is needed when HOMEWARD_MQTT_MODE=external'] });
  }
  const smsRaw: Record<string, string> = {};
  for (const name of SMS_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') smsRaw[name] = value.trim();
  }
  const sms = parseSmsConfig(smsRaw);
  problems.push(...sms.problems);
  for (const name of Object.keys(env).filter((n) => n.startsWith('HOMEWARD_') && !KNOWN_VARIABLES.includes(n) && !SMS_VARIABLES.includes(n)).sort()) {
    problems.push({ variable: name, value: env[name], problems: [`is not a Homeward setting (known: ${[...KNOWN_VARIABLES, ...SMS_VARIABLES].join(', ')})`] });
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.variable}=${p.value ?? ''}: ${p.problems.join('; ')}`);
    return fail('config.invalid', `Homeward cannot start: ${problems.length} bad setting${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, {
      problems,
    });
  }
  return ok({
    database: {
      url: dto.DATABASE_URL,
      dataDir: dto.HOMEWARD_DATA_DIR ?? options.joinPath(options.cwd, '.homeward'),
      embeddedPort: dto.HOMEWARD_EMBEDDED_PG_PORT ?? 0,
      engine: dto.HOMEWARD_STORAGE_ENGINE ?? 'auto',
      retentionDays: dto.HOMEWARD_RETENTION_DAYS,
      poolSize: dto.HOMEWARD_DB_POOL_SIZE ?? 10,
      statementTimeoutMs: (dto.HOMEWARD_DB_STATEMENT_TIMEOUT_SECONDS ?? 30) * 1000,
      lockTimeoutMs: (dto.HOMEWARD_DB_LOCK_TIMEOUT_SECONDS ?? 10) * 1000,
    },
    api: {
      host: dto.HOMEWARD_API_HOST ?? '127.0.0.1',
      port: dto.HOMEWARD_API_PORT ?? 3000,
      https: dto.HOMEWARD_HTTPS_CERT !== undefined && dto.HOMEWARD_HTTPS_KEY !== undefined ? { certFile: dto.HOMEWARD_HTTPS_CERT, keyFile: dto.HOMEWARD_HTTPS_KEY } : undefined,
    },
    logLevel: dto.HOMEWARD_LOG_LEVEL ?? 'info',
    logFormat: dto.HOMEWARD_LOG_FORMAT,
    services: parseServices(dto.HOMEWARD_SERVICES),
    metricsPort: dto.HOMEWARD_METRICS_PORT,
    mqtt: {
      mode: dto.HOMEWARD_MQTT_MODE ?? 'embedded',
      host: dto.HOMEWARD_MQTT_HOST ?? '127.0.0.1',
      port: dto.HOMEWARD_MQTT_PORT ?? 1883,
      tls:
        dto.HOMEWARD_MQTT_TLS_CERT !== undefined && dto.HOMEWARD_MQTT_TLS_KEY !== undefined
          ? { port: dto.HOMEWARD_MQTT_TLS_PORT ?? 8883, certFile: dto.HOMEWARD_MQTT_TLS_CERT, keyFile: dto.HOMEWARD_MQTT_TLS_KEY }
          : undefined,
      wsPort: dto.HOMEWARD_MQTT_WS_PORT === -1 ? undefined : (dto.HOMEWARD_MQTT_WS_PORT ?? 8083),
      external:
        dto.HOMEWARD_MQTT_EXTERNAL_URL === undefined
          ? undefined
          : {
              url: dto.HOMEWARD_MQTT_EXTERNAL_URL,
              username: dto.HOMEWARD_MQTT_EXTERNAL_USERNAME,
              password: dto.HOMEWARD_MQTT_EXTERNAL_PASSWORD,
              sharedGroup: dto.HOMEWARD_MQTT_SHARED_GROUP ?? 'homeward',
              clientId: dto.HOMEWARD_MQTT_CLIENT_ID,
            },
      maxPayloadBytes: dto.HOMEWARD_MQTT_MAX_PAYLOAD_BYTES ?? 256 * 1024,
      redisUrl: dto.HOMEWARD_MQTT_REDIS_URL,
      limits: {
        // Between the payload limit and this, a message is answered "payload.too-large"; beyond it, cut off.
        maxPacketBytes: dto.HOMEWARD_MQTT_MAX_PACKET_BYTES ?? 4 * (dto.HOMEWARD_MQTT_MAX_PAYLOAD_BYTES ?? 256 * 1024),
        maxConnectBytes: dto.HOMEWARD_MQTT_MAX_CONNECT_BYTES ?? 64 * 1024,
        connectTimeoutMs: (dto.HOMEWARD_MQTT_CONNECT_TIMEOUT_SECONDS ?? 10) * 1000,
        maxPendingPerAddress: dto.HOMEWARD_MQTT_MAX_PENDING_PER_ADDRESS ?? 32,
        credentialsCacheTtlMs: (dto.HOMEWARD_MQTT_CREDENTIALS_CACHE_SECONDS ?? 600) * 1000,
        maxConcurrentSecretChecks: dto.HOMEWARD_MQTT_AUTH_CONCURRENCY ?? 2,
        storeRetryLimitMs: (dto.HOMEWARD_MQTT_STORE_RETRY_SECONDS ?? 900) * 1000,
      },
    },
    ingest: { maxClockSkewMs: (dto.HOMEWARD_MAX_CLOCK_SKEW_SECONDS ?? 300) * 1000 },
    rules: {
      partitions: dto.HOMEWARD_RULES_PARTITIONS,
      leaseSeconds: dto.HOMEWARD_RULES_LEASE_SECONDS ?? 15,
      stallAlertSeconds: dto.HOMEWARD_STALL_ALERT_SECONDS ?? 300,
      mode: dto.HOMEWARD_RULES_MODE ?? 'process',
      workers: dto.HOMEWARD_RULES_WORKERS ?? 1,
      lateGatherMs: dto.HOMEWARD_RULES_LATE_GATHER_MS ?? 1000,
    },
    ble: { enabled: dto.HOMEWARD_BLE === 'on' },
    hub:
      dto.HOMEWARD_HUB_UPSTREAM_URL && dto.HOMEWARD_HUB_DEVICE_ID && dto.HOMEWARD_HUB_SECRET && dto.HOMEWARD_HUB_DEVICES_FILE
        ? { upstreamUrl: dto.HOMEWARD_HUB_UPSTREAM_URL, deviceId: dto.HOMEWARD_HUB_DEVICE_ID, secret: dto.HOMEWARD_HUB_SECRET, devicesFile: dto.HOMEWARD_HUB_DEVICES_FILE }
        : undefined,
    sms: sms.config,
  });
}

function parseServices(list: string | undefined): { gateway: boolean; api: boolean } {
  if (list === undefined) return { gateway: true, api: true };
  const names = new Set(list.split(','));
  return { gateway: names.has('gateway'), api: names.has('api') };
}

/** Never echo a database password back into a log or terminal. */
function redact(variable: string, value: string | undefined): string | undefined {
  if ((variable === 'HOMEWARD_MQTT_EXTERNAL_PASSWORD' || variable === 'HOMEWARD_HUB_SECRET') && value !== undefined) return '***';
  if ((variable !== 'DATABASE_URL' && variable !== 'HOMEWARD_MQTT_EXTERNAL_URL' && variable !== 'HOMEWARD_MQTT_REDIS_URL') || value === undefined) return value;
  return redactUrlPassword(value);
}

/** `scheme://user:secret@host` → `scheme://user:***@host` (and `redis://:secret@host`), for logs and messages. */
export function redactUrlPassword(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
