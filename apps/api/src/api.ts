import 'reflect-metadata';
import { type INestApplication, type LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { readFileSync } from 'node:fs';
import { Server as TlsServer } from 'node:tls';
import type { IngestPipeline } from '@homeward/ingest';
import type { HomewardMetrics, Logger, ReadinessCheck } from '@homeward/observability';
import type { Storage } from '@homeward/storage';
import { AppModule } from './app/app.module';
import { PinoNestLogger } from './app/observability/pino-nest.logger';
import { requestLogMiddleware } from './app/observability/request-log.middleware';
import type { RulesEngineOptions } from './app/rules-engine/rules-engine.options';
import type { NotificationOptions } from './app/notifications/notifications.options';
import type { FhirOptions } from './app/fhir/fhir.options';
import type { Clock } from './app/clock';
import { serveDashboard } from './app/dashboard/serve-dashboard';
import { htmlNotFoundMiddleware, httpHeadersMiddleware } from './app/http/http-headers.middleware';
import { useStrictBodyParsers } from './app/http/strict-input.middleware';
import { serveOpenApi } from './openapi';

const LEVELS: Record<'error' | 'warn' | 'info' | 'debug', LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export interface ApiOptions {
  readonly storage: Storage;
  /** The api's one clock (default SYSTEM_CLOCK); tests pass one they move. Sub-options' clocks override it. */
  readonly clock?: Clock;
  readonly logLevel?: keyof typeof LEVELS;
  /** Share the gateway's ingest pipeline (manual entry then joins its group commit). */
  readonly ingest?: IngestPipeline;
  /** The in-process rules engine: partitioning, the pipeline-stall alert, or enabled: false when workers run it. */
  readonly rulesEngine?: RulesEngineOptions;
  /** The process's structured logger: Nest's messages and one line per request (with its request id) go there. */
  readonly logger?: Logger;
  /** The process's metrics registry, served at /metrics (shared with the gateway in one process). */
  readonly metrics?: HomewardMetrics;
  /** Readiness checks besides the database (the broker link when the gateway runs in this process). */
  readonly readiness?: readonly ReadinessCheck[];
  /** Escalation notifications (deliverer clock, retries, the dashboard's public URL for links). */
  readonly notifications?: NotificationOptions;
  /** The FHIR layer's clock and import limits. */
  readonly fhir?: FhirOptions;
  /** Serve HTTPS with these PEM files. */
  readonly https?: { readonly certFile: string; readonly keyFile: string } | undefined;
}

/** Builds the NestJS application (not yet listening). */
export async function createApiApp(options: ApiOptions): Promise<INestApplication> {
  const observability = { ...(options.metrics ? { metrics: options.metrics } : {}), ...(options.readiness ? { readiness: options.readiness } : {}) };
  const modules = { ...(options.clock ? { clock: options.clock } : {}), ...(options.ingest ? { ingest: options.ingest } : {}), ...(options.rulesEngine ? { rulesEngine: options.rulesEngine } : {}), ...(options.notifications ? { notifications: options.notifications } : {}), ...(options.fhir ? { fhir: options.fhir } : {}), observability };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options.storage, modules), {
    // Our own parsers (per-route limits, UTF-8 only, coded 413/400): useStrictBodyParsers below.
    bodyParser: false,
    // With a pino logger its level filters; Nest's own list otherwise (tests, embedding).
    logger: options.logger ? new PinoNestLogger(options.logger) : LEVELS[options.logLevel ?? 'info'],
    abortOnError: false,
    ...(options.https ? { httpsOptions: { cert: readFileSync(options.https.certFile), key: readFileSync(options.https.keyFile) } } : {}),
  });
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  app.use(httpHeadersMiddleware({ https: options.https !== undefined }));
  app.use(requestLogMiddleware(options.logger, options.metrics));
  useStrictBodyParsers(app);
  // Every body is validated against its DTO; unknown fields are refused, not silently dropped.
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  serveOpenApi(app);
  // The dashboard at `/` (built from apps/dashboard on first request; no patient data in it).
  serveDashboard(app);
  app.use(htmlNotFoundMiddleware());
  return app;
}

/** Starts listening; resolves with the URL the API is reachable at. */
export async function listenApi(app: INestApplication, host: string, port: number): Promise<string> {
  await app.listen(port, host);
  const address = app.getHttpServer().address() as { port: number } | string | null;
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const scheme = app.getHttpServer() instanceof TlsServer ? 'https' : 'http';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
}
