import { type Server, createServer } from 'node:http';
import type { HomewardMetrics } from './metrics';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves with a problem description, or undefined when ready. */
  readonly check: () => Promise<string | undefined>;
}

export interface RunningMetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Runs every check; the problems of those that fail (a check that throws fails with its message). */
export async function readinessProblems(checks: readonly ReadinessCheck[]): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        const problem = await check();
        if (problem !== undefined) problems[name] = problem;
      } catch (error) {
        problems[name] = error instanceof Error ? error.message : String(error);
      }
    }),
  );
  return problems;
}

/**
 * `/metrics`, `/health/live` and `/health/ready` for a process that serves no API (a gateway or
 * a rules worker on its own): what Prometheus and Kubernetes probes need, and nothing else.
 */
export async function startMetricsServer(options: { metrics: HomewardMetrics; host: string; port: number; readiness: readonly ReadinessCheck[] }): Promise<RunningMetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, contentType: string, body: string) => response.writeHead(status, { 'content-type': contentType }).end(body);
    if (request.method !== 'GET') return send(405, 'text/plain', 'GET only\n');
    if (path === '/metrics') {
      options.metrics.exposition().then(
        ({ contentType, body }) => send(200, contentType, body),
        (error: unknown) => send(500, 'text/plain', `${error instanceof Error ? error.message : String(error)}\n`),
      );
      return;
    }
    if (path === '/health/live') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/health/ready') {
      readinessProblems(options.readiness).then((problems) => {
        const ok = Object.keys(problems).length === 0;
        send(ok ? 200 : 503, 'application/json', JSON.stringify({ status: ok ? 'ok' : 'unavailable', ...(ok ? {} : { problems }) }));
      });
      return;
    }
    send(404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
