import { BadRequestException, Controller, Get, Inject, Ip, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ReadingsQueryDto, TrendQueryDto } from '@homeward/contracts';
import type { VitalKey } from '@homeward/domain';
import type { Storage, StoredReading, TrendBucket } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';
import { assertPatientAccess } from './patient-access';

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

  @Get('readings')
  async readings(@Param('patientId', new ParseUUIDPipe()) patientId: string, @Query() query: ReadingsQueryDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<StoredReading[]> {
    await assertPatientAccess(this.storage, user, patientId);
    const range = this.range(query.from, query.to);
    await this.audit(user, patientId, 'readings.read', ip);
    return this.storage.readings.inRange(patientId, { ...range, ...(query.vital ? { vitals: [query.vital as VitalKey] } : {}) });
  }

  @Get('trends')
  async trends(@Param('patientId', new ParseUUIDPipe()) patientId: string, @Query() query: TrendQueryDto, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<{ vital: string; bucket: string; buckets: TrendBucket[] }> {
    await assertPatientAccess(this.storage, user, patientId);
    const range = this.range(query.from, query.to);
    await this.audit(user, patientId, 'trends.read', ip);
    return { vital: query.vital, bucket: query.bucket, buckets: await this.storage.readings.trend(patientId, query.vital as VitalKey, { ...range, bucket: query.bucket }) };
  }

  @Get('latest')
  async latest(@Param('patientId', new ParseUUIDPipe()) patientId: string, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<StoredReading[]> {
    await assertPatientAccess(this.storage, user, patientId);
    await this.audit(user, patientId, 'readings.read', ip);
    return this.storage.readings.latestPerVital(patientId);
  }

  private range(fromText: string, toText: string): { from: Date; to: Date } {
    const from = new Date(fromText);
    const to = new Date(toText);
    if (!(from < to)) throw new BadRequestException({ code: 'range.empty', message: '"from" must be before "to".' });
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
      throw new BadRequestException({ code: 'range.too-long', message: `Ask for at most ${MAX_RANGE_DAYS} days at a time.` });
    }
    return { from, to };
  }

  private audit(user: SignedInUser, patientId: string, action: string, ip: string): Promise<unknown> {
    return this.storage.audit.record({ actorType: 'user', actorId: user.id, action, subjectType: 'patient', subjectId: patientId, patientId, ip });
  }
}
