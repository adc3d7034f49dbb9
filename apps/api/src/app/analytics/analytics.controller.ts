import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Ip, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { AnalyticsQueryDto, type AlertBurdenReport, BacktestRequestDto, type WardOutcomesReport } from '@homeward/contracts';
import { CodedFailure, type Pathway } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { STORAGE } from '../tokens';
import { alertBurdenCsv, wardOutcomesCsv } from './analytics.csv';
import { ANALYTICS_CLOCK, type AnalyticsClock } from './analytics.tokens';
import { wardAnalytics } from './ward-analytics';
import { wardBacktest } from './ward-backtest';

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

  /** What a proposed care plan would have found on the ward's stored readings, beside the stored plans (reads only). Clinicians and admins. */
  @Roles('clinician', 'admin')
  @Post('backtest')
  @HttpCode(200)
  async backtest(@Param('wardId', new ParseUUIDPipe()) wardId: string, @Body() body: BacktestRequestDto, @CurrentUser() user: SignedInUser, @Ip() ip: string) {
    this.assertWard(user, wardId);
    try {
      const report = await wardBacktest(this.storage, {
        wardId,
        from: new Date(body.from),
        to: new Date(body.to),
        carePlan: body.carePlan,
        ...(body.patientId === undefined ? {} : { patientId: body.patientId }),
        ...(body.pathway === undefined ? {} : { pathway: body.pathway as Pathway }),
      });
      await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: 'analytics.backtest', subjectType: 'ward', subjectId: wardId, ip, details: { from: body.from, to: body.to, patientId: body.patientId ?? null, pathway: body.pathway ?? null } });
      return report;
    } catch (error) {
      throw this.mapped(error);
    }
  }

  private assertWard(user: SignedInUser, wardId: string): void {
    if (user.role !== 'admin' && !user.wardIds.includes(wardId)) throw new NotFoundException({ code: 'ward.not-found', message: 'No ward with this id is yours.' });
  }

  /** Coded failures of the analytics as HTTP answers a caller can read. */
  private mapped(error: unknown): unknown {
    if (!(error instanceof CodedFailure)) return error;
    if (error.error.code === 'ward.not-found') return new NotFoundException({ code: error.error.code, message: error.error.message });
    if (error.error.code.startsWith('analytics.') || error.error.code.startsWith('backtest.')) return new BadRequestException({ code: error.error.code, message: error.error.message, details: error.error.details });
    return error;
  }

  private async report<K extends 'alert-burden' | 'outcomes'>(kind: K, wardId: string, query: AnalyticsQueryDto, user: SignedInUser, ip: string) {
    this.assertWard(user, wardId);
    try {
      const report = await wardAnalytics(this.storage, kind, { wardId, from: new Date(query.from), to: new Date(query.to), now: this.clock.now() });
      await this.storage.audit.record({ actorType: 'user', actorId: user.id, action: `analytics.${kind}`, subjectType: 'ward', subjectId: wardId, ip, details: { from: query.from, to: query.to, format: query.format ?? 'json' } });
      return report;
    } catch (error) {
      throw this.mapped(error);
    }
  }

  private csv(response: CsvResponse, filename: string, body: string): string {
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="${filename}"`);
    return body;
  }
}
