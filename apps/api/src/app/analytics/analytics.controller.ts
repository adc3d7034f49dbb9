import { BadRequestException, Controller, Get, Inject, Ip, NotFoundException, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { AnalyticsQueryDto, type AlertBurdenReport, type WardOutcomesReport } from '@homeward/contracts';
import { CodedFailure } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';
import { alertBurdenCsv, wardOutcomesCsv } from './analytics.csv';
import { ANALYTICS_CLOCK, type AnalyticsClock } from './analytics.tokens';
import { wardAnalytics } from './ward-analytics';

interface CsvResponse {
  setHeader(name: string, value: string): unknown;
}

/**
 * Ward analytics (issue 21): alert burden and monthly outcomes of one ward over a period, as JSON
 * or CSV (`?format=csv`). Nurses and clinicians see their own wards (another ward answers 404),
 * an admin any ward. The figures are aggregates; reading them is audited all the same.
 */
@Roles('nurse', 'clinician', 'admin')
@Controller('api/analytics/wards/:wardId')
export class AnalyticsController {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(ANALYTICS_CLOCK) private readonly clock: AnalyticsClock,
  ) {}

  @Get('alert-burden')
  async alertBurden(
    @Param('wardId', new ParseUUIDPipe()) wardId: string,
    @Query() query: AnalyticsQueryDto,
    @CurrentUser() user: SignedInUser,
    @Ip() ip: string,
    @Res({ passthrough: true }) response: CsvResponse,
  ): Promise<AlertBurdenReport | string> {
    const report = await this.report('alert-burden', wardId, query, user, ip);
    return query.format === 'csv' ? this.csv(response, `alert-burden-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`, alertBurdenCsv(report)) : report;
  }

  @Get('outcomes')
  async outcomes(
    @Param('wardId', new ParseUUIDPipe()) wardId: string,
    @Query() query: AnalyticsQueryDto,
    @CurrentUser() user: SignedInUser,
    @Ip() ip: string,
    @Res({ passthrough: true }) response: CsvResponse,
  ): Promise<WardOutcomesReport | string> {
    const report = await this.report('outcomes', wardId, query, user, ip);
    return query.format === 'csv' ? this.csv(response, `ward-outcomes-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`, wardOutcomesCsv(report)) : report;
  }

  private async report<K extends 'alert-burden' | 'outcomes'>(kind: K, wardId: string, query: AnalyticsQueryDto, user: SignedInUser, ip: string) {
    if (user.role !== 'admin' && !user.wardIds.includes(wardId)) throw new NotFoundException({ code: 'ward.not-found', message: 'No ward with this id is yours.' });
    try {
      const report = await wardAnalytics(this.storage, kind, { wardId, from: new Date(query.from), to: new Date(query.to), now: this.clock.now() });
      await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: `analytics.${kind}`, subjectType: 'ward', subjectId: wardId, ip, details: { from: query.from, to: query.to, format: query.format ?? 'json' } });
      return report;
    } catch (error) {
      if (error instanceof CodedFailure && error.error.code === 'ward.not-found') throw new NotFoundException({ code: error.error.code, message: error.error.message });
      if (error instanceof CodedFailure && error.error.code.startsWith('analytics.')) throw new BadRequestException({ code: error.error.code, message: error.error.message, details: error.error.details });
      throw error;
    }
  }

  private csv(response: CsvResponse, filename: string, body: string): string {
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="${filename}"`);
    return body;
  }
}
