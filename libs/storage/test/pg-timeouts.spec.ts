import { type Database, PgDatabase, checkDatabase, createScratchDatabase, migrate } from '../src';

const serverUrl = process.env['DATABASE_URL'];
const describeWithServer = serverUrl ? describe : describe.skip;

function sqlState(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

// Against a real PostgreSQL server (DATABASE_URL): the limits are the server's, so only it can prove them.
describeWithServer('statement and lock timeouts on every pooled connection', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let db: PgDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase(serverUrl!);
    db = new PgDatabase({ connectionString: scratch.url, maxConnections: 3, statementTimeoutMs: 300, lockTimeoutMs: 200 });
    await db.exec('CREATE TABLE held (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    await db.close();
    await scratch.drop();
  });

  it('defaults to 30 s and 10 s, and 0 means no limit', async () => {
    const defaults = new PgDatabase({ connectionString: scratch.url, maxConnections: 1 });
    const unlimited = new PgDatabase({ connectionString: scratch.url, maxConnections: 1, statementTimeoutMs: 0, lockTimeoutMs: 0 });
    try {
      expect((await defaults.query<{ s: string; l: string }>("SELECT current_setting('statement_timeout') AS s, current_setting('lock_timeout') AS l")).rows[0]).toEqual({ s: '30s', l: '10s' });
      expect((await unlimited.query<{ s: string; l: string }>("SELECT current_setting('statement_timeout') AS s, current_setting('lock_timeout') AS l")).rows[0]).toEqual({ s: '0', l: '0' });
    } finally {
      await defaults.close();
      await unlimited.close();
    }
  });

  it('cancels a statement that runs too long (57014), and the pool goes on serving', async () => {
    const error = await db.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
    expect(sqlState(error)).toBe('57014');
    expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
  });

  it('gives up waiting for a lock held by a stuck transaction (55P03)', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db.transaction(async (tx) => {
      await tx.exec('LOCK TABLE held IN ACCESS EXCLUSIVE MODE');
      locked();
      await released;
    });
    await isLocked;
    try {
      const error = await db.transaction((tx) => tx.exec('LOCK TABLE held IN ACCESS EXCLUSIVE MODE')).catch((e: unknown) => e);
      expect(sqlState(error)).toBe('55P03');
    } finally {
      release();
      await holder;
    }
  });

  it('exempts migrations, and hands their connection back with the limits restored', async () => {
    await migrate(db);
    const settings = await Promise.all([0, 1, 2].map(() => db.withConnection((conn) => conn.query<{ s: string }>("SELECT current_setting('statement_timeout') AS s"))));
    expect(settings.map((r) => r.rows[0]!.s)).toEqual(['300ms', '300ms', '300ms']);
  });

  it('keeps LISTEN connections free of the statement limit (they wait by design)', async () => {
    const payloads: string[] = [];
    const stop = await db.listen('timeouts_test', (payload) => payloads.push(payload));
    try {
      await new Promise((r) => setTimeout(r, 500)); // longer than the statement limit
      await db.query("SELECT pg_notify('timeouts_test', 'still here')");
      const deadline = Date.now() + 5_000;
      while (payloads.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(payloads).toEqual(['still here']);
    } finally {
      await stop();
    }
  });
});

describe('checkDatabase', () => {
  /** A database whose every query waits until the test lets it go: a frozen server, in memory. */
  function frozenDatabase(): { db: Database; queries: () => number; thaw: () => void } {
    let count = 0;
    const waiting: Array<() => void> = [];
    const db = {
      driver: 'pg',
      query: () => {
        count++;
        return new Promise((resolve) => waiting.push(() => resolve({ rows: [], rowCount: 1 })));
      },
    } as unknown as Database;
    return { db, queries: () => count, thaw: () => waiting.splice(0).forEach((go) => go()) };
  }

  it('answers within its limit when the database never does, holding one probe however often it is asked', async () => {
    const frozen = frozenDatabase();
    const started = Date.now();
    const answers = await Promise.all([checkDatabase({ db: frozen.db }, 50), checkDatabase({ db: frozen.db }, 50), checkDatabase({ db: frozen.db }, 50)]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(answers).toEqual(Array(3).fill('the database did not answer within 50 ms'));
    expect(frozen.queries()).toBe(1);
    frozen.thaw();
    expect(await checkDatabase({ db: frozen.db }, 50)).toBeUndefined();
  });

  it("reports the supervisor's reason first, without asking the database", async () => {
    const frozen = frozenDatabase();
    expect(await checkDatabase({ db: frozen.db, serverProblem: () => 'the embedded PostgreSQL exited unexpectedly' }, 50)).toBe('the embedded PostgreSQL exited unexpectedly');
    expect(frozen.queries()).toBe(0);
  });

  it("passes on the database's refusal", async () => {
    const db = { driver: 'pg', query: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5999')) } as unknown as Database;
    expect(await checkDatabase({ db }, 50)).toBe('connect ECONNREFUSED 127.0.0.1:5999');
  });
});
