import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Clock } from './clock';
import { CLOCK } from './tokens';

/** Provides the api's one Clock as CLOCK to every module (controllers, guards, services). */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock): DynamicModule {
    return { module: ClockModule, global: true, providers: [{ provide: CLOCK, useValue: clock }], exports: [CLOCK] };
  }
}
