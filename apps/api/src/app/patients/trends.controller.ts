import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery } from '@nestjs/swagger';
import { READINGS_PAGE_DEFAULT_LIMIT, READINGS_PAGE_MAX_LIMIT, ReadingIdsQueryDto, type ReadingsPage, ReadingsQueryDto, TrendQueryDto } from '@homeward/contracts';
import { CodedFailure, VITAL_KEYS, type VitalKey } from '@homeward/domain';
import type { Storage, StoredReading, TrendBucket } from '@homeward/storage';
import { Refuses } from '../http/openapi-responses';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited } from '../audit/audit.decorators';
import { STORAGE } from '../tokens';
import { assertPatientAccess } from './patient-access';
import { Answers, arrayOf, dateTime, integer, number, object, oneOf, string } from '../http/answer-schemas';
import { STORED_READING } from '../readings/readings.answers';

const MAX_RANGE_DAYS = 400;


/**
 * What a clinician reviews: readings in a range, bucketed trends (continuous aggregates on
 * TimescaleDB, rolled up on read on plain PostgreSQL) and the latest reading of each vital by
 * measurement time. Every read of patient data is audited.
 */
@Roles('patient', 'nurse', 'clinician')
@Controller('api/patients/:patientId')
export class TrendsController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Readings measured in [from, to), newest first, a page at a time: follow `next` for older ones. */
  @Audited('readings.read', 'patient', { param: 'patientId' })
  @Refuses('auth.not-your-record', 'patient.not-on-a-ward', 'range.empty', 'range.too-long', 'page.bad-cursor')
  @Get('readings')
  @ApiQuery({ name: 'from', required: true, description: 'Measured at or after (ISO 8601)', schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'to', required: true, description: `Measured before (ISO 8601); at most ${MAX_RANGE_DAYS} days after from`, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'vital', required: false, schema: { type: 'string', enum: [...VITAL_KEYS] } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: READINGS_PAGE_MAX_LIMIT, default: READINGS_PAGE_DEFAULT_LIMIT } })
  @ApiQuery({ name: 'cursor', required: false, description: 'The `next` of the previous page', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', maxLength: 64 } })
  @ApiOkResponse({
    description: 'Newest measured first (then by id). `next` is an opaque cursor: pass it as `cursor` for the older readings; null on the last page.',
    schema: { type: 'object', required: ['items', 'next'], properties: { items: { type: 'array', items: STORED_READING }, next: { type: 'string', nullable: true } } },
  })
  async readings(@Param('patientId', new ParseUUIDPipe()) patientId: string, @Query() query: ReadingsQueryDto, @CurrentUser() user: SignedInUser): Promise<ReadingsPage<StoredReading>> {
    await assertPatientAccess(this.storage, user, patientId);
    const range = this.range(query.from, query.to);
    // A cursor storage cannot read is its CodedFailure page.bad-cursor: a 400 by the error table.
    const page = await this.storage.readings.page(patientId, {
      ...range,
      ...(query.vital ? { vitals: [query.vital as VitalKey] } : {}),
      limit: query.limit ?? READINGS_PAGE_DEFAULT_LIMIT,
      ...(query.cursor === undefined ? {} : { before: query.cursor }),
    });
    return { items: page.readings, next: page.next };
  }

  /**
   * The readings behind an alert or a backtest finding, by id (the backtest page links here): only
   * this patient's, oldest measured first; an id that is not theirs is simply not in the answer.
   */
  @Audited('readings.read', 'patient', { param: 'patientId' })
  @Refuses('auth.not-your-record', 'patient.not-on-a-ward')
  @Answers(arrayOf(STORED_READING))
  @Get('readings/by-id')
  async readingsById(@Param('patientId', new ParseUUIDPipe()) patientId: string, @Query() query: ReadingIdsQueryDto, @CurrentUser() user: SignedInUser): Promise<StoredReading[]> {
    await assertPatientAccess(this.storage, user, patientId);
    return this.storage.readings.byIds(patientId, [...new Set(query.ids.split(','))]);
  }

  @Audited('trends.read', 'patient', { param: 'patientId' })
  @Refuses('auth.not-your-record', 'patient.not-on-a-ward', 'range.empty', 'range.too-long')
  @Answers(object({ vital: string, bucket: oneOf('hour', 'day', 'week'), buckets: arrayOf(object({ start: dateTime, min: number, max: number, mean: number, count: integer })) }))
  @Get('trends')
  async trends(@Param('patientId', new ParseUUIDPipe()) patientId: string, @Query() query: TrendQueryDto, @CurrentUser() user: SignedInUser): Promise<{ vital: string; bucket: string; buckets: TrendBucket[] }> {
    await assertPatientAccess(this.storage, user, patientId);
    const range = this.range(query.from, query.to);
    return { vital: query.vital, bucket: query.bucket, buckets: await this.storage.readings.trend(patientId, query.vital as VitalKey, { ...range, bucket: query.bucket }) };
  }

  @Audited('readings.read', 'patient', { param: 'patientId' })
  @Refuses('auth.not-your-record', 'patient.not-on-a-ward')
  @Answers(arrayOf(STORED_READING))
  @Get('latest')
  async latest(@Param('patientId', new ParseUUIDPipe()) patientId: string, @CurrentUser() user: SignedInUser): Promise<StoredReading[]> {
    await assertPatientAccess(this.storage, user, patientId);
    return this.storage.readings.latestPerVital(patientId);
  }

  private range(fromText: string, toText: string): { from: Date; to: Date } {
    const from = new Date(fromText);
    const to = new Date(toText);
    if (!(from < to)) throw new CodedFailure({ code: 'range.empty', message: '"from" must be before "to".' });
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
      throw new CodedFailure({ code: 'range.too-long', message: `Ask for at most ${MAX_RANGE_DAYS} days at a time.` });
    }
    return { from, to };
  }
}
