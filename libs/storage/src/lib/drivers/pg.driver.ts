import pg from 'pg';
import type { Database, QueryResult, SqlClient } from '../database';

// Dates without a time zone stay strings: turning a birthday into a Date at local midnight
// shifts it by a day in some time zones.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

export interface PgDatabaseOptions {
  readonly connectionString: string;
  readonly maxConnections?: number;
  readonly applicationName?: string;
  /** Called for errors on idle connections (a server restart); the pool replaces the connection. */
  readonly onIdleError?: (error: Error) => void;
}

function clientOf(conn: pg.Pool | pg.PoolClient): SqlClient {
  return {
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await conn.query(text, params as unknown[] | undefined);
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

  constructor(options: PgDatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      application_name: options.applicationName ?? 'homeward',
      connectionTimeoutMillis: 10_000,
    });
    // Without a listener an idle client's error (server restarted) would crash the process.
    this.pool.on('error', (error) => options.onIdleError?.(error));
    this.direct = clientOf(this.pool);
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.direct.query<R>(text, params);
  }

  exec(sql: string): Promise<void> {
    return this.direct.exec(sql);
  }

  async withConnection<T>(fn: (conn: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(clientOf(client));
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
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

  async close(): Promise<void> {
    await this.pool.end();
  }
}
