import pg from 'pg';
import type { Database, QueryOptions, QueryResult, SqlClient } from '../database';
import { parseTimestamptz } from './timestamptz';

// Dates without a time zone stay strings: turning a birthday into a Date at local midnight
// shifts it by a day in some time zones.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// The rules engine reads three timestamptz columns per reading, and the default parser's regular
// expressions took a tenth of its CPU. This one reads PostgreSQL's ISO text by character codes,
// several times faster, and hands any other text to the default, so every value parses the same.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, parseTimestamptz);

export interface PgDatabaseOptions {
  readonly connectionString: string;
  readonly maxConnections?: number;
  readonly applicationName?: string;
  /** Called for errors on idle connections (a server restart); the pool replaces the connection. */
  readonly onIdleError?: (error: Error) => void;
  /**
   * Server-side limits on every pooled statement (0: none): a runaway query or a lock held by a
   * stuck transaction fails with a clear error instead of holding a connection forever. Defaults
   * 30 s and 10 s. The LISTEN connection is exempt: it waits by design.
   */
  readonly statementTimeoutMs?: number;
  readonly lockTimeoutMs?: number;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

function clientOf(conn: pg.Pool | pg.PoolClient): SqlClient {
  return {
    async query<R>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
      // pg keeps each connection's prepared names and prepares a name on a connection's first use.
      const result = options?.name === undefined ? await conn.query(text, params as unknown[] | undefined) : await conn.query({ name: options.name, text, values: params as unknown[] | undefined });
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await conn.query(sql);
    },
  };
}

export class PgDatabase implements Database {
  readonly driver = 'pg' as const;
  private readonly pool: pg.Pool;
  private readonly direct: SqlClient;
  private readonly listeners = new Set<() => Promise<void>>();

  constructor(private readonly options: PgDatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      application_name: options.applicationName ?? 'homeward',
      connectionTimeoutMillis: 10_000,
      // Sent as startup parameters, so they are each session's defaults (RESET returns to them).
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      lock_timeout: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    });
    // Without a listener an idle client's error (server restarted) would crash the process.
    this.pool.on('error', (error) => options.onIdleError?.(error));
    this.direct = clientOf(this.pool);
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    return this.direct.query<R>(text, params, options);
  }

  exec(sql: string): Promise<void> {
    return this.direct.exec(sql);
  }

  async withConnection<T>(fn: (conn: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // While checked out, a dropped connection (server restart) is emitted on the client itself,
    // and an 'error' event with no listener would crash the process.
    const onLost = (error: Error) => {
      broken = error;
      this.options.onIdleError?.(error);
    };
    client.on('error', onLost);
    try {
      return await fn(clientOf(client));
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.off('error', onLost);
      // A connection that failed mid-way may hold session state; do not return it to the pool.
      client.release(broken);
    }
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.withConnection(async (conn) => {
      await conn.exec('BEGIN');
      try {
        const result = await fn(conn);
        await conn.exec('COMMIT');
        return result;
      } catch (error) {
        await conn.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Connections in use, idle, and waiting callers (for metrics). */
  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  /**
   * A LISTEN on its own client, outside the pool: a pooled connection would be handed to other
   * callers and its session state (the LISTEN) lost when released. When the connection drops the
   * client is replaced after `retryMs`, and onNotify('') tells the consumer to catch up.
   */
  async listen(channel: string, onNotify: (payload: string) => void, retryMs = 1_000): Promise<() => Promise<void>> {
    let client: pg.Client | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      const next = new pg.Client({ connectionString: this.options.connectionString, application_name: `${this.options.applicationName ?? 'homeward'}-listen` });
      next.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      next.on('error', (error) => {
        this.options.onIdleError?.(error);
        reconnect(next);
      });
      next.on('end', () => reconnect(next));
      await next.connect();
      await next.query(`LISTEN ${next.escapeIdentifier(channel)}`);
      client = next;
    };
    const reconnect = (broken: pg.Client): void => {
      if (stopped || client !== broken) return;
      client = undefined;
      broken.end().catch(() => undefined);
      const attempt = (): void => {
        retry = undefined;
        if (stopped) return;
        connect().then(
          () => onNotify(''),
          () => {
            if (!stopped) retry = setTimeout(attempt, retryMs);
          },
        );
      };
      retry = setTimeout(attempt, retryMs);
    };
    await connect();
    const stop = async (): Promise<void> => {
      stopped = true;
      this.listeners.delete(stop);
      if (retry) clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    };
    this.listeners.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners].map((stop) => stop()));
    await this.pool.end();
  }
}
