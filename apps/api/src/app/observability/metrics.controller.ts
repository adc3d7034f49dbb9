import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { HomewardMetrics } from '@homeward/observability';
import { Public } from '../auth/access.decorators';
import { NotAudited } from '../audit/audit.decorators';
import { METRICS } from './observability.tokens';

interface ResponseLike {
  setHeader(name: string, value: string): unknown;
}

/**
 * Prometheus scrapes this (text exposition). Public like /health: it carries counts and
 * timings, no patient data; restrict it at the network (the Kubernetes NetworkPolicy, or the
 * reverse proxy) where the API faces the internet.
 */
@Public()
@NotAudited('counts and timings for Prometheus, no patient data')
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: HomewardMetrics) {}

  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res({ passthrough: true }) response: ResponseLike): Promise<string> {
    const { contentType, body } = await this.metrics.exposition();
    response.setHeader('content-type', contentType);
    return body;
  }
}
