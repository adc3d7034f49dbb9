import { type DynamicModule, Module } from '@nestjs/common';
import type { Storage } from '@homeward/storage';
import { RULES_ENGINE_OPTIONS, RULES_ENGINE_STORAGE, type RulesEngineOptions } from './rules-engine.options';
import { RulesEngineService } from './rules-engine.service';

/**
 * The rules engine as a NestJS module: AppModule imports it into the api, and tests or a
 * dedicated worker process start it on its own, without HTTP (startRulesEngine).
 */
@Module({})
export class RulesEngineModule {
  static forRoot(storage: Storage, options: RulesEngineOptions = {}): DynamicModule {
    return {
      module: RulesEngineModule,
      providers: [{ provide: RULES_ENGINE_STORAGE, useValue: storage }, { provide: RULES_ENGINE_OPTIONS, useValue: options }, RulesEngineService],
      exports: [RulesEngineService],
    };
  }
}
