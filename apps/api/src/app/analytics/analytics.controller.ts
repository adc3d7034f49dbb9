import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { AnalyticsQueryDto, type AlertBurdenReport, BacktestRequestDto, type WardOutcomesReport } from '@homeward/contracts';
import { CodedFailure, type Pathway } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Refuses } from '../http/openapi-responses';
import { STORAGE } from '../tokens';
import { alertBurdenCsv, wardOutcomesCsv } from './analytics.csv';
import { ANALYTICS_CLOCK, type AnalyticsClock } from './analytics.tokens';
import { wardAnalytics } from './ward-analytics';
import { wardBacktest } from './ward-backtest';
import { Answers } from '../http/answer-schemas';
import { ALERT_BURDEN_REPORT, BACKTEST_REPORT, CSV, WARD_OUTCOMES_REPORT } from './analytics.answers';

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

  @Audited('analytics.alert-burden', 'ward', { param: 'wardId' })
  @Refuses('ward.not-found', 'analytics.range-invalid', 'analytics.range-too-long')
  @Answers(ALERT_BURDEN_REPORT, { 'text/csv': CSV })
  @Get('alert-burden')
  async alertBurden(
    @Param('wardId', new ParseUUIDPipe()) wardId: string,
    @Query() query: AnalyticsQueryDto,
    @CurrentUser() user: SignedInUser,
    @Trail() trail: AuditTrail,
    @Res({ passthrough: true }) response: CsvResponse,
  ): Promise<AlertBurdenReport | string> {
    const report = await this.report('alert-burden', wardId, query, user, trail);
    return query.format === 'csv' ? this.csv(response, `alert-burden-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`, alertBurdenCsv(report)) : report;
  }

  @Audited('analytics.outcomes', 'ward', { param: 'wardId' })
  @Refuses('ward.not-found', 'analytics.range-invalid', 'analytics.range-too-long')
  @Answers(WARD_OUTCOMES_REPORT, { 'text/csv': CSV })
  @Get('outcomes')
  async outcomes(
    @Param('wardId', new ParseUUIDPipe()) wardId: string,
    @Query() query: AnalyticsQueryDto,
    @CurrentUser() user: SignedInUser,
    @Trail() trail: AuditTrail,
    @Res({ passthrough: true }) response: CsvResponse,
  ): Promise<WardOutcomesReport | string> {
    const report = await this.report('outcomes', wardId, query, user, trail);
    return query.format === 'csv' ? this.csv(response, `ward-outcomes-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`, wardOutcomesCsv(report)) : report;
  }

  /** What a proposed care plan would have found on the ward's stored readings, beside the stored plans (reads only). Clinicians and admins. */
  @Roles('clinician', 'admin')
  @Audited('analytics.backtest', 'ward', { param: 'wardId' })
  @Refuses('ward.not-found', 'analytics.range-invalid', 'analytics.range-too-long', 'backtest.care-plan-unreadable')
  @Answers(BACKTEST_REPORT)
  @Post('backtest')
  @HttpCode(200)
  async backtest(@Param('wardId', new ParseUUIDPipe()) wardId: string, @Body() body: BacktestRequestDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail) {
    this.assertWard(user, wardId);
    trail.with({ from: body.from, to: body.to, patientId: body.patientId ?? null, pathway: body.pathway ?? null });
    return wardBacktest(this.storage, {
        wardId,
        from: new Date(body.from),
        to: new Date(body.to),
        carePlan: body.carePlan,
        ...(body.patientId === undefined ? {} : { patientId: body.patientId }),
        ...(body.pathway === undefined ? {} : { pathway: body.pathway as Pathway }),
      });
  }

  private assertWard(user: SignedInUser, wardId: string): void {
    if (user.role !== 'admin' && !user.wardIds.includes(wardId)) throw new CodedFailure({ code: 'ward.not-found', message: 'No ward with this id is yours.' });
  }

  private async report<K extends 'alert-burden' | 'outcomes'>(kind: K, wardId: string, query: AnalyticsQueryDto, user: SignedInUser, trail: AuditTrail) {
    this.assertWard(user, wardId);
    trail.with({ from: query.from, to: query.to, format: query.format ?? 'json' });
    return wardAnalytics(this.storage, kind, { wardId, from: new Date(query.from), to: new Date(query.to), now: this.clock.now() });
  }

  private csv(response: CsvResponse, filename: string, body: string): string {
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="${filename}"`);
    return body;
  }
}
