import 'reflect-metadata';
import { type INestApplication, type LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { IngestPipeline } from '@homeward/ingest';
import type { Storage } from '@homeward/storage';
import { AppModule } from './app/app.module';
import { serveOpenApi } from './openapi';

const LEVELS: Record<'error' | 'warn' | 'info' | 'debug', LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export interface ApiOptions {
  readonly storage: Storage;
  readonly logLevel?: keyof typeof LEVELS;
  /** Share the gateway's ingest pipeline (manual entry then joins its group commit). */
  readonly ingest?: IngestPipeline;
}

/** Builds the NestJS application (not yet listening). */
export async function createApiApp(options: ApiOptions): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(options.storage, options.ingest ? { ingest: options.ingest } : {}), {
    logger: LEVELS[options.logLevel ?? 'info'],
    abortOnError: false,
  });
  // Every body is validated against its DTO; unknown fields are refused, not silently dropped.
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  serveOpenApi(app);
  return app;
}

/** Starts listening; resolves with the URL the API is reachable at. */
export async function listenApi(app: INestApplication, host: string, port: number): Promise<string> {
  await app.listen(port, host);
  const address = app.getHttpServer().address() as { port: number } | string | null;
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
}
