import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { VITAL_KEYS } from '@homeward/domain';

/** `GET /api/patients/{id}/trends?vital=&bucket=&from=&to=` */
export class TrendQueryDto {
  @IsIn(VITAL_KEYS as unknown as string[])
  vital!: string;

  @IsIn(['hour', 'day', 'week'])
  bucket!: 'hour' | 'day' | 'week';

  @IsISO8601({ strict: true })
  from!: string;

  @IsISO8601({ strict: true })
  to!: string;
}

/** `GET /api/patients/{id}/readings?from=&to=[&vital=]` */
export class ReadingsQueryDto {
  @IsISO8601({ strict: true })
  from!: string;

  @IsISO8601({ strict: true })
  to!: string;

  @IsOptional()
  @IsIn(VITAL_KEYS as unknown as string[])
  vital?: string;
}
