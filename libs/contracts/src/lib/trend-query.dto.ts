import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import { VITAL_KEYS } from '@homeward/domain';
import { IsZonedTimestamp } from './zoned-timestamp';

/** `GET /api/patients/{id}/trends?vital=&bucket=&from=&to=` */
export class TrendQueryDto {
  @IsIn(VITAL_KEYS as unknown as string[])
  vital!: string;

  @IsIn(['hour', 'day', 'week'])
  bucket!: 'hour' | 'day' | 'week';

  @IsZonedTimestamp()
  from!: string;

  @IsZonedTimestamp()
  to!: string;
}

export const READINGS_PAGE_DEFAULT_LIMIT = 200;
export const READINGS_PAGE_MAX_LIMIT = 1000;

/** `GET /api/patients/{id}/readings?from=&to=[&vital=][&limit=][&cursor=]`: newest first, a page at a time. */
export class ReadingsQueryDto {
  @IsZonedTimestamp()
  from!: string;

  @IsZonedTimestamp()
  to!: string;

  @IsOptional()
  @IsIn(VITAL_KEYS as unknown as string[])
  vital?: string;

  /** Readings per page (default 200). Only plain digits become a number; "1e3" or "5.0" stay text and fail. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(READINGS_PAGE_MAX_LIMIT)
  limit?: number;

  /** The `next` of the previous page, as given: opaque. */
  @IsOptional()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the "next" value of an earlier page' })
  cursor?: string;
}

/** The answer to `GET /api/patients/{id}/readings`: newest measured first; `next` is the cursor for older ones, null at the end. */
export interface ReadingsPage<R> {
  readonly items: readonly R[];
  readonly next: string | null;
}

/** `GET /api/patients/{id}/readings/by-id?ids=1,2,3`: the readings behind an alert or a backtest finding (at most 500 ids). */
export class ReadingIdsQueryDto {
  @Matches(/^\d{1,19}(,\d{1,19}){0,499}$/, { message: 'ids must be reading ids separated by commas (at most 500)' })
  ids!: string;
}
