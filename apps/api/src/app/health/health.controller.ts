import { Controller, Get, HttpCode, HttpStatus, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { type ReadinessCheck, readinessProblems } from '@homeward/observability';
import { READINESS_TIMEOUT_MS, type Storage, checkDatabase } from '@homeward/storage';
import { READINESS_CHECKS } from '../observability/observability.tokens';
import { Public } from '../auth/access.decorators';
import { NotAudited } from '../audit/audit.decorators';
import { STORAGE } from '../tokens';

interface ResponseLike {
  status(code: number): unknown;
}

export interface HealthReport {
  readonly status: 'ok' | 'unavailable';
  readonly version: string;
  readonly uptimeSeconds: number;
  readonly database: {
    readonly reachable: boolean;
    readonly mode: 'embedded' | 'server';
    readonly engine: 'timescale' | 'plain';
    readonly serverVersion: string;
    readonly migration: { readonly version: number; readonly name: string };
    readonly error?: string;
  };
}

const VERSION = '0.1.0';

// The probes' answers for the OpenAPI document (they are not problem bodies, even as 503).
const HEALTH_SCHEMA = {
  type: 'object',
  required: ['status', 'version', 'uptimeSeconds', 'database'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    version: { type: 'string' },
    uptimeSeconds: { type: 'integer' },
    database: {
      type: 'object',
      properties: {
        reachable: { type: 'boolean' },
        mode: { type: 'string', enum: ['embedded', 'server'] },
        engine: { type: 'string', enum: ['timescale', 'plain'] },
        serverVersion: { type: 'string' },
        migration: { type: 'object', properties: { version: { type: 'integer' }, name: { type: 'string' } } },
        error: { type: 'string' },
      },
    },
  },
};
const READY_SCHEMA = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok', 'unavailable'] }, problems: { type: 'object', additionalProperties: { type: 'string' } } } };

/**
 * /health is what an operator reads: database mode (embedded or server), engine (TimescaleDB
 * or plain) and schema version. /health/live says the process is up; /health/ready (and
 * /health itself) answer 503 while the database cannot be reached; /health/ready also while the
 * broker side is down (the embedded broker not listening, or the external broker disconnected),
 * so a load balancer stops sending to an instance that could not take readings.
 */
@Public()
@NotAudited('probes: process and database state, no patient data')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Optional() @Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[] = [],
  ) {}

  @Get()
  @ApiOkResponse({ description: 'The database is reachable: its mode, engine and schema version.', schema: HEALTH_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'The database cannot be reached: the same report, with its error.', schema: HEALTH_SCHEMA })
  async health(@Res({ passthrough: true }) response: ResponseLike): Promise<HealthReport> {
    const report = await this.report();
    if (report.status !== 'ok') response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  @Get('live')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: 'The process is up.', schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Ready for traffic.', schema: READY_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'Not ready: the database or the broker side is down; `problems` says which.', schema: READY_SCHEMA })
  async ready(@Res({ passthrough: true }) response: ResponseLike): Promise<{ status: 'ok' | 'unavailable'; problems?: Record<string, string> }> {
    const [report, problems] = await Promise.all([this.report(), boundedProblems(this.checks ?? [])]);
    if (report.database.error !== undefined) problems['database'] = report.database.error;
    if (Object.keys(problems).length === 0) return { status: 'ok' };
    response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'unavailable', problems };
  }

  private async report(): Promise<HealthReport> {
    const { info } = this.storage;
    // Bounded: a frozen database (SIGSTOP, a stalled disk) must not hang the probe; while the
    // embedded server is being restarted the reason is its supervisor's.
    const error = await checkDatabase(this.storage);
    return {
      status: error === undefined ? 'ok' : 'unavailable',
      version: VERSION,
      uptimeSeconds: Math.round(process.uptime()),
      database: {
        reachable: error === undefined,
        mode: info.mode,
        engine: info.engine,
        serverVersion: info.serverVersion,
        migration: info.migration,
        ...(error === undefined ? {} : { error }),
      },
    };
  }
}

/** The other checks, bounded like the database's, so /health/ready always answers within 2 s. */
async function boundedProblems(checks: readonly ReadinessCheck[]): Promise<Record<string, string>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Record<string, string>>((resolveLate) => {
    timer = setTimeout(() => resolveLate({ checks: `the readiness checks did not answer within ${READINESS_TIMEOUT_MS} ms` }), READINESS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([readinessProblems(checks), late]);
  } finally {
    clearTimeout(timer);
  }
}
