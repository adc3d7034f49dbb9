export { createApiApp, listenApi, type ApiOptions } from './api';
export type { HealthReport } from './app/health/health.controller';
