export { createApiApp, listenApi, type ApiOptions } from './api';
export { PinoNestLogger } from './app/observability/pino-nest.logger';
export type { HealthReport } from './app/health/health.controller';
export { AppModule, type AppModuleOptions } from './app/app.module';
export * from './app/rules-engine';
export * from './app/notifications';
export { SystemConditionWatch, type SystemConditionSettings } from './app/system-alerts/system-condition.watch';
export * from './app/analytics';
