/**
 * The narrow port every repository talks to. Two drivers implement it: node-postgres (a
 * PostgreSQL server, embedded or not) and PGlite (in-process, with the TimescaleDB build used to
 * exercise the Timescale code path in tests).
 */
export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** How a query is sent; drivers that cannot honour an option ignore it (the result is the same). */
export interface QueryOptions {
  /**
   * A named prepared statement: on a PostgreSQL server (the pg driver) the text is parsed and
   * planned once per connection under this name and later calls only bind and execute it (a
   * replaced connection prepares it again on first use). One name, one text, for ever: pg refuses
   * a name reused with different text. PGlite runs the text as usual.
   */
  readonly name?: string;
}

export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>;
  /** Runs a script of several statements (no parameters), as migrations are. */
  exec(sql: string): Promise<void>;
}

export interface Database extends SqlClient {
  readonly driver: 'pg' | 'pglite';
  /** Runs fn in one transaction on one connection; commits if it resolves, rolls back if not. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Runs fn on one dedicated connection (session-level state such as advisory locks). */
  withConnection<T>(fn: (conn: SqlClient) => Promise<T>): Promise<T>;
  /**
   * LISTENs on a channel (pg_notify) and calls onNotify with each payload. The pg driver holds a
   * dedicated connection for it and reconnects when it drops, calling onNotify('') after each
   * reconnection because notifications sent while disconnected are lost. Resolves, once
   * listening, with a function that stops. Optional in the port: a consumer that cannot listen
   * falls back to polling.
   */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Pool connections (total, idle) and callers waiting for one, for metrics; drivers without a pool omit it. */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export type StorageEngine = 'timescale' | 'plain';
export type DatabaseMode = 'embedded' | 'server';

/** The single row an INSERT … RETURNING or a keyed UPDATE must produce; a missing one is a bug. */
export function onlyRow<R>(result: QueryResult<R>, what: string): R {
  const row = result.rows[0];
  if (row === undefined) throw new Error(`expected one row from ${what}, got none`);
  return row;
}
