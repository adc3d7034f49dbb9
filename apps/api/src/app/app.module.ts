import { type DynamicModule, Module } from '@nestjs/common';
import type { Storage } from '@homeward/storage';
import { HealthController } from './health/health.controller';
import { STORAGE } from './tokens';

@Module({})
export class AppModule {
  /** The storage is opened (and migrated) before Nest starts, by the `homeward` command. */
  static forRoot(storage: Storage): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController],
      providers: [{ provide: STORAGE, useValue: storage }],
    };
  }
}
