import { type DynamicModule, Module } from '@nestjs/common';
import type { Storage } from '@homeward/storage';
import { STORAGE } from '../tokens';
import { SYSTEM_CLOCK } from '../clock';
import { AnalyticsController } from './analytics.controller';
import { ANALYTICS_CLOCK, type AnalyticsClock } from './analytics.tokens';

/** Ward analytics: alert burden and outcomes (issue 21). */
@Module({})
export class AnalyticsModule {
  static forRoot(storage: Storage, clock: AnalyticsClock = SYSTEM_CLOCK): DynamicModule {
    return {
      module: AnalyticsModule,
      controllers: [AnalyticsController],
      providers: [
        { provide: STORAGE, useValue: storage },
        { provide: ANALYTICS_CLOCK, useValue: clock },
      ],
    };
  }
}
