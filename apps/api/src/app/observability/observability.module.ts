import { type DynamicModule, Module } from '@nestjs/common';
import { HomewardMetrics, type ReadinessCheck } from '@homeward/observability';
import type { Storage } from '@homeward/storage';
import { OperationsRepository } from '@homeward/storage';
import { MetricsController } from './metrics.controller';
import { METRICS, READINESS_CHECKS } from './observability.tokens';

export interface ObservabilityOptions {
  /** The process's metrics; a private registry when absent (tests). */
  readonly metrics?: HomewardMetrics;
  /** Readiness checks besides the database (the broker link, when the gateway runs here). */
  readonly readiness?: readonly ReadinessCheck[];
}

/**
 * /metrics, and the database figures it reads at scrape time: pool use, alerts by state and the
 * rules engine's lag behind the readings (from its cursor in the database, so the figure is right
 * whichever process or worker evaluates).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(storage: Storage, options: ObservabilityOptions = {}): DynamicModule {
    const metrics = options.metrics ?? new HomewardMetrics({ processMetrics: false });
    // `{} as Storage` in route-enumerating tests has no db: nothing to watch then.
    if (storage.db) {
      const operations = new OperationsRepository(storage.db);
      metrics.watch({
        dbPool: () => storage.db.poolStats?.(),
        alertsByState: () => operations.alertsByState(),
        rulesLag: () => operations.readingCursorLag(),
      });
    }
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: METRICS, useValue: metrics },
        { provide: READINESS_CHECKS, useValue: options.readiness ?? [] },
      ],
      exports: [METRICS, READINESS_CHECKS],
    };
  }
}
