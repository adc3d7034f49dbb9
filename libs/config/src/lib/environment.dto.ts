import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined ? undefined : Number(value));

/**
 * Every environment variable Homeward reads, as one class-validator DTO: the single place where
 * the environment becomes typed values. Empty strings count as unset.
 */
export class EnvironmentDto {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// connection URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HOMEWARD_DATA_DIR?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number (0 picks a free port)' })
  @Min(0)
  @Max(65535)
  HOMEWARD_EMBEDDED_PG_PORT?: number;

  @IsOptional()
  @IsIn(['auto', 'timescale', 'plain'])
  HOMEWARD_STORAGE_ENGINE?: 'auto' | 'timescale' | 'plain';

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1)
  HOMEWARD_RETENTION_DAYS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  HOMEWARD_DB_POOL_SIZE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds (0: no limit)' })
  @Min(0)
  @Max(24 * 60 * 60)
  HOMEWARD_DB_STATEMENT_TIMEOUT_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds (0: no limit)' })
  @Min(0)
  @Max(24 * 60 * 60)
  HOMEWARD_DB_LOCK_TIMEOUT_SECONDS?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HOMEWARD_API_HOST?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number (0 picks a free port)' })
  @Min(0)
  @Max(65535)
  HOMEWARD_API_PORT?: number;

  @IsOptional()
  @IsIn(['error', 'warn', 'info', 'debug'])
  HOMEWARD_LOG_LEVEL?: 'error' | 'warn' | 'info' | 'debug';

  @IsOptional()
  @IsIn(['json', 'pretty'])
  HOMEWARD_LOG_FORMAT?: 'json' | 'pretty';

  @IsOptional()
  @Matches(/^(gateway|api)(,(gateway|api))*$/, { message: 'must be gateway, api or gateway,api' })
  HOMEWARD_SERVICES?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number' })
  @Min(0)
  @Max(65535)
  HOMEWARD_METRICS_PORT?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HOMEWARD_HTTPS_CERT?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HOMEWARD_HTTPS_KEY?: string;

  @IsOptional()
  @IsIn(['embedded', 'external', 'off'])
  HOMEWARD_MQTT_MODE?: 'embedded' | 'external' | 'off';

  @IsOptional()
  @IsString()
  @MinLength(1)
  HOMEWARD_MQTT_HOST?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number (0 picks a free port)' })
  @Min(0)
  @Max(65535)
  HOMEWARD_MQTT_PORT?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number (0 picks a free port)' })
  @Min(0)
  @Max(65535)
  HOMEWARD_MQTT_TLS_PORT?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HOMEWARD_MQTT_TLS_CERT?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HOMEWARD_MQTT_TLS_KEY?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number (0 picks a free port)' })
  @Min(-1)
  @Max(65535)
  HOMEWARD_MQTT_WS_PORT?: number;

  @IsOptional()
  @Matches(/^(mqtts?|wss?|tcp|tls):\/\/\S+$/, { message: 'must be a broker URL such as mqtt://host:1883 or mqtts://host:8883' })
  HOMEWARD_MQTT_EXTERNAL_URL?: string;

  @IsOptional()
  @IsString()
  HOMEWARD_MQTT_EXTERNAL_USERNAME?: string;

  @IsOptional()
  @IsString()
  HOMEWARD_MQTT_EXTERNAL_PASSWORD?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1–64 letters, digits, _ or -' })
  HOMEWARD_MQTT_SHARED_GROUP?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(256)
  @Max(16 * 1024 * 1024)
  HOMEWARD_MQTT_MAX_PAYLOAD_BYTES?: number;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,128}$/, { message: 'must be 1–128 letters, digits, _ . : or -' })
  HOMEWARD_MQTT_CLIENT_ID?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  HOMEWARD_MQTT_MAX_PACKET_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024)
  HOMEWARD_MQTT_MAX_CONNECT_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  @Max(300)
  HOMEWARD_MQTT_CONNECT_TIMEOUT_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  HOMEWARD_MQTT_MAX_PENDING_PER_ADDRESS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds (0: do not remember verified secrets)' })
  @Min(0)
  @Max(24 * 60 * 60)
  HOMEWARD_MQTT_CREDENTIALS_CACHE_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  HOMEWARD_MQTT_AUTH_CONCURRENCY?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  @Max(7 * 24 * 60 * 60)
  HOMEWARD_MQTT_STORE_RETRY_SECONDS?: number;

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL, e.g. redis://redis:6379/0' })
  HOMEWARD_MQTT_REDIS_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of partitions' })
  @Min(1)
  @Max(1024)
  HOMEWARD_RULES_PARTITIONS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(2)
  @Max(3600)
  HOMEWARD_RULES_LEASE_SECONDS?: number;

  @IsOptional()
  @IsIn(['process', 'inline'])
  HOMEWARD_RULES_MODE?: 'process' | 'inline';

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of worker processes' })
  @Min(1)
  @Max(64)
  HOMEWARD_RULES_WORKERS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds from 0 to 60000' })
  @Min(0, { message: 'must be a whole number of milliseconds from 0 to 60000' })
  @Max(60_000, { message: 'must be a whole number of milliseconds from 0 to 60000' })
  HOMEWARD_RULES_LATE_GATHER_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  HOMEWARD_STALL_ALERT_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  HOMEWARD_MAX_CLOCK_SKEW_SECONDS?: number;

  @IsOptional()
  @IsIn(['off', 'on'])
  HOMEWARD_BLE?: 'off' | 'on';

  @IsOptional()
  @Matches(/^(mqtts?|wss?):\/\/\S+$/, { message: 'must be the upstream broker URL, e.g. mqtts://homeward.example.nhs.uk:8883' })
  HOMEWARD_HUB_UPSTREAM_URL?: string;

  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/i, { message: 'must be the hub\'s device id (from `homeward device add --type hub`)' })
  HOMEWARD_HUB_DEVICE_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(16)
  HOMEWARD_HUB_SECRET?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HOMEWARD_HUB_DEVICES_FILE?: string;
}

export const KNOWN_VARIABLES: readonly string[] = [
  'DATABASE_URL',
  'HOMEWARD_DATA_DIR',
  'HOMEWARD_EMBEDDED_PG_PORT',
  'HOMEWARD_STORAGE_ENGINE',
  'HOMEWARD_RETENTION_DAYS',
  'HOMEWARD_DB_POOL_SIZE',
  'HOMEWARD_DB_STATEMENT_TIMEOUT_SECONDS',
  'HOMEWARD_DB_LOCK_TIMEOUT_SECONDS',
  'HOMEWARD_API_HOST',
  'HOMEWARD_API_PORT',
  'HOMEWARD_LOG_LEVEL',
  'HOMEWARD_LOG_FORMAT',
  'HOMEWARD_SERVICES',
  'HOMEWARD_METRICS_PORT',
  'HOMEWARD_HTTPS_CERT',
  'HOMEWARD_HTTPS_KEY',
  'HOMEWARD_MQTT_MODE',
  'HOMEWARD_MQTT_HOST',
  'HOMEWARD_MQTT_PORT',
  'HOMEWARD_MQTT_TLS_PORT',
  'HOMEWARD_MQTT_TLS_CERT',
  'HOMEWARD_MQTT_TLS_KEY',
  'HOMEWARD_MQTT_WS_PORT',
  'HOMEWARD_MQTT_EXTERNAL_URL',
  'HOMEWARD_MQTT_EXTERNAL_USERNAME',
  'HOMEWARD_MQTT_EXTERNAL_PASSWORD',
  'HOMEWARD_MQTT_SHARED_GROUP',
  'HOMEWARD_MQTT_MAX_PAYLOAD_BYTES',
  'HOMEWARD_MQTT_REDIS_URL',
  'HOMEWARD_MQTT_CLIENT_ID',
  'HOMEWARD_MQTT_MAX_PACKET_BYTES',
  'HOMEWARD_MQTT_MAX_CONNECT_BYTES',
  'HOMEWARD_MQTT_CONNECT_TIMEOUT_SECONDS',
  'HOMEWARD_MQTT_MAX_PENDING_PER_ADDRESS',
  'HOMEWARD_MQTT_CREDENTIALS_CACHE_SECONDS',
  'HOMEWARD_MQTT_AUTH_CONCURRENCY',
  'HOMEWARD_MQTT_STORE_RETRY_SECONDS',
  'HOMEWARD_RULES_PARTITIONS',
  'HOMEWARD_RULES_LEASE_SECONDS',
  'HOMEWARD_RULES_MODE',
  'HOMEWARD_RULES_WORKERS',
  'HOMEWARD_RULES_LATE_GATHER_MS',
  'HOMEWARD_STALL_ALERT_SECONDS',
  'HOMEWARD_MAX_CLOCK_SKEW_SECONDS',
  'HOMEWARD_BLE',
  'HOMEWARD_HUB_UPSTREAM_URL',
  'HOMEWARD_HUB_DEVICE_ID',
  'HOMEWARD_HUB_SECRET',
  'HOMEWARD_HUB_DEVICES_FILE',
];
