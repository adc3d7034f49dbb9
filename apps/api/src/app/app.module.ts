import { type DynamicModule, Module } from '@nestjs/common';
import type { Storage } from '@homeward/storage';
import { HealthController } from './health/health.controller';
import { RulesEngineModule } from './rules-engine/rules-engine.module';
import type { RulesEngineOptions } from './rules-engine/rules-engine.options';
import { STORAGE } from './tokens';

export interface AppModuleOptions {
  /** The rules engine runs in the api by default; `{ enabled: false }` leaves it to another process. */
  readonly rulesEngine?: RulesEngineOptions;
}

@Module({})
export class AppModule {
  /** The storage is opened (and migrated) before Nest starts, by the `homeward` command. */
  static forRoot(storage: Storage, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [RulesEngineModule.forRoot(storage, options.rulesEngine)],
      controllers: [HealthController],
      providers: [{ provide: STORAGE, useValue: storage }],
    };
  }
}
