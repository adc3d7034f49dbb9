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
}

export const KNOWN_VARIABLES: readonly string[] = [
  'DATABASE_URL',
  'HOMEWARD_DATA_DIR',
  'HOMEWARD_EMBEDDED_PG_PORT',
  'HOMEWARD_STORAGE_ENGINE',
  'HOMEWARD_RETENTION_DAYS',
  'HOMEWARD_DB_POOL_SIZE',
  'HOMEWARD_API_HOST',
  'HOMEWARD_API_PORT',
  'HOMEWARD_LOG_LEVEL',
];
