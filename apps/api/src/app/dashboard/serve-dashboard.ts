import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { type INestApplication, Logger } from '@nestjs/common';
import { type DashboardBundle, buildDashboard } from './dashboard-bundle';

/**
 * The dashboard claims only its own paths: its files under /assets and its pages (the browser
 * routes them; see apps/dashboard/src/lib/router.ts). Everything else (/api, /fhir, /health,
 * /metrics and whatever the API adds later) goes on to the API's routes untouched.
 */
const DASHBOARD_PAGES = /^\/(?:$|sign-in$|overview$|alerts\/|patients(?:\/|$)|analytics(?:\/|$))/;
const DASHBOARD_FILES = /^\/(?:assets\/|index\.html$)/;

/**
 * The static files have no patient data (everything comes through /api with a bearer token),
 * so they bypass the access guard. The policy keeps scripts and connections same-origin; Chart.js
 * and Preact set element styles through the CSSOM, which style-src does not restrict.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export type DashboardHandler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * A handler serving the dashboard at `/`: the bundle's files by path, and index.html for each of
 * the app's page paths (the app routes in the browser). Built on the first request, once per process.
 */
export function dashboardHandler(build: () => Promise<DashboardBundle> = buildDashboard): DashboardHandler {
  const logger = new Logger('Dashboard');
  let bundle: Promise<DashboardBundle> | undefined;
  const built = () => {
    bundle ??= build().then(
      (files) => {
        logger.log(`dashboard built (main.js ${Math.round((files.get('/assets/main.js')?.body.length ?? 0) / 1024)} kB)`);
        return files;
      },
      (error: unknown) => {
        bundle = undefined; // try again on the next request, after the source is fixed
        throw error;
      },
    );
    return bundle;
  };
  return (request, response, next) => {
    const path = safeDecode((request.url ?? '/').split('?')[0] ?? '/');
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !(DASHBOARD_PAGES.test(path) || DASHBOARD_FILES.test(path))) return next();
    built().then(
      (files) => {
        const file = files.get(path) ?? (DASHBOARD_PAGES.test(path) && !extname(path) ? files.get('/index.html') : undefined);
        if (!file) {
          response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('Not found');
          return;
        }
        const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
        const body = gzip ? file.gzipped : file.body;
        response.writeHead(200, {
          'content-type': file.contentType,
          'content-length': body.length,
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          vary: 'accept-encoding',
          'cache-control': 'no-cache',
          ...SECURITY_HEADERS,
        });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        logger.error(`the dashboard could not be built: ${message}`);
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`The dashboard could not be built: ${message}`);
      },
    );
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // a malformed escape is no file of ours: index.html or 404 as usual
  }
}

/** Mounts the dashboard on the Nest app's HTTP server, ahead of the routes. */
export function serveDashboard(app: INestApplication): void {
  app.use(dashboardHandler());
}
