export { createApiApp, listenApi, type ApiOptions } from './api';
export type { HealthReport } from './app/health/health.controller';
export { AppModule, type AppModuleOptions } from './app/app.module';
export * from './app/rules-engine';
