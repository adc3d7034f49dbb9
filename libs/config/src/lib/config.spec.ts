import { join } from 'node:path';
import { parseConfig, redactUrlPassword } from './config';

const parse = (env: Record<string, string | undefined>) => parseConfig(env, { cwd: '/srv/homeward', joinPath: join });

describe('parseConfig', () => {
  it('defaults to an embedded database in ./.homeward and the API on 127.0.0.1:3000', () => {
    const result = parse({ PATH: '/usr/bin' });
    expect(result).toEqual({
      ok: true,
      value: {
        database: { url: undefined, dataDir: '/srv/homeward/.homeward', embeddedPort: 0, engine: 'auto', retentionDays: undefined, poolSize: 10, statementTimeoutMs: 30_000, lockTimeoutMs: 10_000 },
        api: { host: '127.0.0.1', port: 3000 },
        logLevel: 'info',
        mqtt: {
          mode: 'embedded', host: '127.0.0.1', port: 1883, tls: undefined, wsPort: 8083, external: undefined, maxPayloadBytes: 262144,
          limits: { maxPacketBytes: 1048576, maxConnectBytes: 65536, connectTimeoutMs: 10_000, maxPendingPerAddress: 32, credentialsCacheTtlMs: 600_000, maxConcurrentSecretChecks: 2, storeRetryLimitMs: 900_000 },
        },
        ingest: { maxClockSkewMs: 300_000 },
        rules: { partitions: undefined, leaseSeconds: 15, stallAlertSeconds: 300, mode: 'process', workers: 1, lateGatherMs: 1000 },
        ble: { enabled: false },
        hub: undefined,
        services: { gateway: true, api: true },
      },
    });
  });

  it('reads the log format, the services of this process, a metrics port and HTTPS files', () => {
    const result = parse({ HOMEWARD_LOG_FORMAT: 'json', HOMEWARD_SERVICES: 'gateway', HOMEWARD_METRICS_PORT: '9464', HOMEWARD_HTTPS_CERT: '/tls/api.crt', HOMEWARD_HTTPS_KEY: '/tls/api.key' });
    expect(result.ok && result.value.logFormat).toBe('json');
    expect(result.ok && result.value.services).toEqual({ gateway: true, api: false });
    expect(result.ok && result.value.metricsPort).toBe(9464);
    expect(result.ok && result.value.api.https).toEqual({ certFile: '/tls/api.crt', keyFile: '/tls/api.key' });
    const bad = parse({ HOMEWARD_LOG_FORMAT: 'xml', HOMEWARD_SERVICES: 'gateway,worker', HOMEWARD_HTTPS_CERT: '/tls/api.crt' });
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_LOG_FORMAT=xml/);
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_SERVICES=gateway,worker: must be gateway, api or gateway,api/);
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_HTTPS_KEY=: is needed too/);
  });

  it('configures TLS only with both a certificate and a key, and external mode only with a URL', () => {
    const both = parse({ HOMEWARD_MQTT_TLS_CERT: '/etc/homeward/tls.crt', HOMEWARD_MQTT_TLS_KEY: '/etc/homeward/tls.key', HOMEWARD_MQTT_WS_PORT: '-1' });
    expect(both.ok && both.value.mqtt).toMatchObject({ tls: { port: 8883, certFile: '/etc/homeward/tls.crt', keyFile: '/etc/homeward/tls.key' }, wsPort: undefined });
    const half = parse({ HOMEWARD_MQTT_TLS_CERT: '/etc/homeward/tls.crt', HOMEWARD_MQTT_MODE: 'external' });
    expect(half.ok).toBe(false);
    expect(!half.ok && half.error.message).toMatch(/HOMEWARD_MQTT_TLS_KEY=: is needed too/);
    expect(!half.ok && half.error.message).toMatch(/HOMEWARD_MQTT_EXTERNAL_URL=: is needed when HOMEWARD_MQTT_MODE=external/);
    const external = parse({ HOMEWARD_MQTT_MODE: 'external', HOMEWARD_MQTT_EXTERNAL_URL: 'mqtt://broker:1883', HOMEWARD_MQTT_EXTERNAL_PASSWORD: 'pw' });
    expect(external.ok && external.value.mqtt.external).toEqual({ url: 'mqtt://broker:1883', username: undefined, password: 'pw', sharedGroup: 'homeward' });
  });

  it('shares MQTT state through Redis only when a Redis URL is given, and sizes rules partitions and leases', () => {
    const shared = parse({ HOMEWARD_MQTT_REDIS_URL: 'redis://:secret@redis:6379/2', HOMEWARD_RULES_PARTITIONS: '64', HOMEWARD_RULES_LEASE_SECONDS: '20', HOMEWARD_STALL_ALERT_SECONDS: '120' });
    expect(shared.ok && shared.value.mqtt.redisUrl).toBe('redis://:secret@redis:6379/2');
    expect(shared.ok && shared.value.rules).toEqual({ partitions: 64, leaseSeconds: 20, stallAlertSeconds: 120, mode: 'process', workers: 1, lateGatherMs: 1000 });
    const inline = parse({ HOMEWARD_RULES_MODE: 'inline', HOMEWARD_RULES_WORKERS: '3', HOMEWARD_RULES_LATE_GATHER_MS: '0' });
    expect(inline.ok && inline.value.rules).toMatchObject({ mode: 'inline', workers: 3, lateGatherMs: 0 });
    expect(parse({ HOMEWARD_RULES_LATE_GATHER_MS: '60000' }).ok).toBe(true);
    const bad = parse({ HOMEWARD_MQTT_REDIS_URL: 'http://user:secret@redis:6379', HOMEWARD_RULES_PARTITIONS: '0', HOMEWARD_RULES_LEASE_SECONDS: '1', HOMEWARD_RULES_MODE: 'threads', HOMEWARD_RULES_WORKERS: '0', HOMEWARD_RULES_LATE_GATHER_MS: '60001' });
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_RULES_LATE_GATHER_MS=60001: must be a whole number of milliseconds from 0 to 60000/);
    expect(!parse({ HOMEWARD_RULES_LATE_GATHER_MS: '-1' }).ok).toBe(true);
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_MQTT_REDIS_URL=http:\/\/user:\*\*\*@redis:6379: must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_RULES_PARTITIONS=0/);
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_RULES_LEASE_SECONDS=1/);
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_RULES_MODE=threads/);
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_RULES_WORKERS=0/);
    expect(redactUrlPassword('redis://:secret@redis:6379/0')).toBe('redis://:***@redis:6379/0');
    expect(redactUrlPassword('redis://redis:6379/0')).toBe('redis://redis:6379/0');
    const pinned = parse({ HOMEWARD_MQTT_MODE: 'external', HOMEWARD_MQTT_EXTERNAL_URL: 'mqtts://emqx:8883', HOMEWARD_MQTT_CLIENT_ID: 'homeward-gateway-0' });
    expect(pinned.ok && pinned.value.mqtt.external?.clientId).toBe('homeward-gateway-0');
  });

  it('reads the embedded broker limits, the packet limit following the payload limit unless set', () => {
    const set = parse({
      HOMEWARD_MQTT_MAX_PAYLOAD_BYTES: '100000',
      HOMEWARD_MQTT_MAX_CONNECT_BYTES: '4096',
      HOMEWARD_MQTT_CONNECT_TIMEOUT_SECONDS: '5',
      HOMEWARD_MQTT_MAX_PENDING_PER_ADDRESS: '8',
      HOMEWARD_MQTT_CREDENTIALS_CACHE_SECONDS: '0',
      HOMEWARD_MQTT_AUTH_CONCURRENCY: '4',
      HOMEWARD_MQTT_STORE_RETRY_SECONDS: '3600',
    });
    expect(set.ok && set.value.mqtt.limits).toEqual({
      maxPacketBytes: 400_000,
      maxConnectBytes: 4096,
      connectTimeoutMs: 5000,
      maxPendingPerAddress: 8,
      credentialsCacheTtlMs: 0,
      maxConcurrentSecretChecks: 4,
      storeRetryLimitMs: 3_600_000,
    });
    const small = parse({ HOMEWARD_MQTT_MAX_PAYLOAD_BYTES: '100000', HOMEWARD_MQTT_MAX_PACKET_BYTES: '50000', HOMEWARD_MQTT_AUTH_CONCURRENCY: '0' });
    expect(!small.ok && small.error.message).toMatch(/HOMEWARD_MQTT_MAX_PACKET_BYTES=50000: must be at least HOMEWARD_MQTT_MAX_PAYLOAD_BYTES \(100000\)/);
    expect(!small.ok && small.error.message).toMatch(/HOMEWARD_MQTT_AUTH_CONCURRENCY=0/);
  });

  it('reads every setting into typed values', () => {
    const result = parse({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
      HOMEWARD_DATA_DIR: '/var/lib/homeward',
      HOMEWARD_EMBEDDED_PG_PORT: '5544',
      HOMEWARD_STORAGE_ENGINE: 'plain',
      HOMEWARD_RETENTION_DAYS: '2922',
      HOMEWARD_DB_POOL_SIZE: '20',
      HOMEWARD_API_HOST: '0.0.0.0',
      HOMEWARD_API_PORT: '8080',
      HOMEWARD_LOG_LEVEL: 'debug',
    });
    expect(result.ok && result.value).toMatchObject({
      database: { url: 'postgresql://postgres@127.0.0.1:5432/test', dataDir: '/var/lib/homeward', embeddedPort: 5544, engine: 'plain', retentionDays: 2922, poolSize: 20 },
      api: { host: '0.0.0.0', port: 8080 },
      logLevel: 'debug',
    });
  });

  it('reads the database statement and lock timeouts in seconds (0: no limit) and refuses bad ones', () => {
    const result = parse({ HOMEWARD_DB_STATEMENT_TIMEOUT_SECONDS: '0', HOMEWARD_DB_LOCK_TIMEOUT_SECONDS: '3' });
    expect(result.ok && result.value.database).toMatchObject({ statementTimeoutMs: 0, lockTimeoutMs: 3_000 });
    const bad = parse({ HOMEWARD_DB_STATEMENT_TIMEOUT_SECONDS: '-1', HOMEWARD_DB_LOCK_TIMEOUT_SECONDS: 'soon' });
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_DB_STATEMENT_TIMEOUT_SECONDS=-1/);
    expect(!bad.ok && bad.error.message).toMatch(/HOMEWARD_DB_LOCK_TIMEOUT_SECONDS=soon: .*must be a whole number of seconds \(0: no limit\)/);
  });

  it('takes hub mode as a whole: all four settings or none, never echoing the secret', () => {
    const partial = parse({ HOMEWARD_HUB_UPSTREAM_URL: 'mqtts://homeward.example:8883', HOMEWARD_HUB_SECRET: 'x' });
    expect(!partial.ok && partial.error.message).toMatch(/HOMEWARD_HUB_DEVICE_ID=: is needed too/);
    expect(!partial.ok && partial.error.message).toMatch(/HOMEWARD_HUB_SECRET=\*\*\*: /);
    const whole = parse({
      HOMEWARD_HUB_UPSTREAM_URL: 'mqtts://homeward.example:8883',
      HOMEWARD_HUB_DEVICE_ID: '59ce9b6c-0bae-46ef-a04e-1e9d6fd54661',
      HOMEWARD_HUB_SECRET: 'aUL0EZGtNOOXjlsx-jUJFYcPg6FQMHDPbbw8Csq_4i4',
      HOMEWARD_HUB_DEVICES_FILE: '/etc/homeward/devices.json',
    });
    expect(whole.ok && whole.value.hub).toEqual({
      upstreamUrl: 'mqtts://homeward.example:8883',
      deviceId: '59ce9b6c-0bae-46ef-a04e-1e9d6fd54661',
      secret: 'aUL0EZGtNOOXjlsx-jUJFYcPg6FQMHDPbbw8Csq_4i4',
      devicesFile: '/etc/homeward/devices.json',
    });
  });

  it('treats empty values as unset', () => {
    const result = parse({ DATABASE_URL: '', HOMEWARD_API_PORT: '  ' });
    expect(result.ok && result.value.database.url).toBeUndefined();
    expect(result.ok && result.value.api.port).toBe(3000);
  });

  it('names every bad variable in one message, without echoing a password', () => {
    const result = parse({
      DATABASE_URL: 'mysql://root:s3cret@db/x',
      HOMEWARD_API_PORT: '70000',
      HOMEWARD_DB_POOL_SIZE: 'lots',
      HOMEWARD_STORAGE_ENGINE: 'mongo',
      HOMEWARD_RETENTION_DAYS: '0',
      HOMEWARD_API_PROT: '3000',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('config.invalid');
    const variables = (result.error.details!['problems'] as Array<{ variable: string }>).map((p) => p.variable).sort();
    expect(variables).toEqual([
      'DATABASE_URL',
      'HOMEWARD_API_PORT',
      'HOMEWARD_API_PROT',
      'HOMEWARD_DB_POOL_SIZE',
      'HOMEWARD_RETENTION_DAYS',
      'HOMEWARD_STORAGE_ENGINE',
    ]);
    expect(result.error.message).toMatch(/6 bad settings/);
    for (const v of variables) expect(result.error.message).toContain(v);
    expect(result.error.message).not.toContain('s3cret');
    expect(result.error.message).toContain('mysql://root:***@db/x');
  });

  it.each([
    ['HOMEWARD_API_PORT', '-1'],
    ['HOMEWARD_API_PORT', '65536'],
    ['HOMEWARD_API_PORT', '80.5'],
    ['HOMEWARD_EMBEDDED_PG_PORT', 'abc'],
    ['HOMEWARD_DB_POOL_SIZE', '0'],
    ['HOMEWARD_DB_POOL_SIZE', '201'],
    ['HOMEWARD_LOG_LEVEL', 'verbose'],
  ])('rejects %s=%s', (variable, value) => {
    const result = parse({ [variable]: value });
    expect(result.ok).toBe(false);
  });

  it.each([
    ['HOMEWARD_API_PORT', '0'],
    ['HOMEWARD_API_PORT', '65535'],
    ['HOMEWARD_DB_POOL_SIZE', '1'],
    ['HOMEWARD_DB_POOL_SIZE', '200'],
    ['HOMEWARD_RETENTION_DAYS', '1'],
  ])('accepts %s=%s', (variable, value) => {
    expect(parse({ [variable]: value }).ok).toBe(true);
  });
});
