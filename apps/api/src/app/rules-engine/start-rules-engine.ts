import 'reflect-metadata';
import type { LogLevel, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Storage } from '@homeward/storage';
import { RulesEngineModule } from './rules-engine.module';
import type { RulesEngineOptions } from './rules-engine.options';
import { RulesEngineService } from './rules-engine.service';

export interface RunningRulesEngine {
  readonly engine: RulesEngineService;
  /** Stops the engine (waiting for the pass in progress) and the Nest context; the storage stays open. */
  close(): Promise<void>;
}

/**
 * The engine in a Nest application context of its own: no HTTP server. With `enabled: false` it
 * does nothing until told (engine.drain(), engine.runTimers(), engine.start()).
 */
export async function startRulesEngine(storage: Storage, options: RulesEngineOptions = {}, logger: LogLevel[] | LoggerService | false = ['fatal', 'error', 'warn']): Promise<RunningRulesEngine> {
  const context = await NestFactory.createApplicationContext(RulesEngineModule.forRoot(storage, options), { logger, abortOnError: false });
  await context.init();
  const engine = context.get(RulesEngineService);
  return { engine, close: () => context.close() };
}
