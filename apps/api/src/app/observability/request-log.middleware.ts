import { randomUUID } from 'node:crypto';
import type { HomewardMetrics, Logger } from '@homeward/observability';

interface RequestLike {
  readonly method: string;
  readonly originalUrl?: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly route?: { readonly path?: unknown };
  readonly baseUrl?: string;
  requestId?: string;
}

interface ResponseLike {
  readonly statusCode: number;
  setHeader(name: string, value: string): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/** A caller's own request id is kept when it looks like one (so traces join up); anything else is replaced. */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The route pattern (`/api/patients/:id/readings`), never the URL: URLs carry patient ids and
 * query strings carry search terms. A path no route matched (a 404, a dashboard file) keeps only
 * its first segment (`/api/*`): the rest could be anything a caller typed, and as a metric label
 * it would grow without bound.
 */
export function routeOf(request: RequestLike): string {
  const pattern = request.route?.path;
  if (typeof pattern === 'string') return `${request.baseUrl ?? ''}${pattern}`;
  const segments = ((request.originalUrl ?? request.url).split('?')[0] ?? '').split('/').filter((segment) => segment !== '');
  const first = segments[0];
  if (first === undefined) return '/';
  return segments.length === 1 ? `/${first}` : `/${first}/*`;
}

/**
 * Express middleware: gives every request an id (`x-request-id`, echoed back), and when the
 * answer is sent logs one line (request id, method, route pattern, status, duration) and counts
 * it. No URL, query, header or body is logged.
 */
export function requestLogMiddleware(logger: Logger | undefined, metrics: HomewardMetrics | undefined) {
  return (request: RequestLike, response: ResponseLike, next: () => void): void => {
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
    request.requestId = requestId;
    response.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const route = routeOf(request);
      const status = response.statusCode;
      metrics?.httpRequests.inc({ method: request.method, route, status: String(status) });
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const event = { requestId, method: request.method, route, status, durationMs: Math.round(durationMs * 10) / 10 };
      if (status >= 500) logger?.error(event, 'request failed');
      else logger?.info(event, 'request');
    };
    response.once('finish', finish);
    response.once('close', finish);
    next();
  };
}
