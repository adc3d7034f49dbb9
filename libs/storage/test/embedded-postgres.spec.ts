import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CodedFailure } from '@homeward/domain';
import { type SupervisionEvent, type SupervisionTimers, restartDelayMs, startEmbeddedPostgres } from '../src/lib/embedded/embedded-postgres';
import { processIdentity } from '../src/lib/embedded/process-identity';

/** Timers the test fires by hand: a backoff elapses when the test says so. */
class ManualTimers implements SupervisionTimers {
  readonly pending: Array<{ fn: () => void; ms: number }> = [];
  setTimeout(fn: () => void, ms: number): unknown {
    const entry = { fn, ms };
    this.pending.push(entry);
    return entry;
  }
  clearTimeout(handle: unknown): void {
    const i = this.pending.indexOf(handle as { fn: () => void; ms: number });
    if (i >= 0) this.pending.splice(i, 1);
  }
  fire(): number {
    const next = this.pending.shift();
    if (!next) throw new Error('no timer pending');
    next.fn();
    return next.ms;
  }
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n;
  } finally {
    await client.end();
  }
}

function codeOf(error: unknown): string | undefined {
  return error instanceof CodedFailure ? error.error.code : undefined;
}

describe('restartDelayMs', () => {
  it.each([
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [6, 16_000],
    [7, 30_000],
    [20, 30_000],
  ])('attempt %i waits %i ms', (attempt, ms) => expect(restartDelayMs(attempt)).toBe(ms));
});

describe('embedded PostgreSQL: one data folder, one owner', () => {
  let dataDir: string;
  const started: Array<{ stop(): Promise<void> }> = [];
  const strangers: ChildProcess[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'homeward-embedded-'));
  });
  afterEach(async () => {
    for (const server of started.splice(0)) await server.stop();
    for (const child of strangers.splice(0)) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a second owner, lets a second process attach without stopping the owner, and releases the folder on stop', async () => {
    const owner = await startEmbeddedPostgres({ dataDir, command: 'homeward start' });
    started.push(owner);
    const lock = JSON.parse(readFileSync(join(dataDir, 'homeward.lock'), 'utf8')) as { owner: { pid: number; command: string }; postgres: { pid: number; port: number } };
    expect(lock.owner).toMatchObject({ pid: process.pid, command: 'homeward start' });
    expect(lock.postgres).toMatchObject({ pid: owner.pid(), port: owner.port });

    const refused = await startEmbeddedPostgres({ dataDir, command: 'homeward start' }).catch((error: unknown) => error);
    expect(codeOf(refused)).toBe('embedded-postgres.data-dir-in-use');
    expect((refused as Error).message).toMatch(/in use by homeward start \(pid \d+\)/);

    const guest = await startEmbeddedPostgres({ dataDir, use: 'attach', command: 'homeward user add' });
    expect(guest.attached).toBe(true);
    expect(guest.port).toBe(owner.port);
    expect(await selectOne(guest.connectionString)).toBe(1);
    await guest.stop();
    // The guest's stop left the owner's server running.
    expect(await selectOne(owner.connectionString)).toBe(1);

    await owner.stop();
    started.length = 0;
    const next = await startEmbeddedPostgres({ dataDir, command: 'homeward start' });
    started.push(next);
    expect(await selectOne(next.connectionString)).toBe(1);
  });

  it('never kills a process that merely reuses a recorded pid: a stale lock naming a live stranger leaves it alone', async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    await first.stop();
    // A crashed run's lock, whose recorded owner and postgres pids now belong to an unrelated program.
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    strangers.push(stranger);
    const id = await until(() => (stranger.pid ? processIdentity(stranger.pid) : undefined), 'the stranger to start');
    const lie = { pid: id.pid, startTicks: id.startTicks - 1 };
    writeFileSync(join(dataDir, 'homeward.lock'), JSON.stringify({ owner: { ...lie, command: 'homeward start' }, postgres: { ...lie, port: 1 } }));
    // And a postmaster.pid naming it too, as a crash would leave behind.
    writeFileSync(join(dataDir, 'postgres', 'postmaster.pid'), `${id.pid}\n${join(dataDir, 'postgres')}\n1000000000\n5432\n\n127.0.0.1\n  0  0\nready\n`);
    const lines: string[] = [];
    const second = await startEmbeddedPostgres({ dataDir, log: (line) => lines.push(line) }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    expect(stranger.exitCode).toBeNull();
    expect(stranger.signalCode).toBeNull();
    expect(lines.join('\n')).toMatch(new RegExp(`postmaster.pid names pid ${id.pid}, which is now another program: left alone`));
    expect(lines.join('\n')).not.toMatch(/stopping PostgreSQL left running/);
    // PostgreSQL itself may then refuse the folder (its lock names a live pid); either way the stranger lives.
    if (!(second instanceof Error)) started.push(second);
  });

  it('recognises a server left running in a folder without a lock by postmaster.pid (its start time and data directory) and stops it', async () => {
    const leftover = await startEmbeddedPostgres({ dataDir });
    const pid = leftover.pid()!;
    // As a Homeward from before the lock existed would leave it: running, with no homeward.lock.
    rmSync(join(dataDir, 'homeward.lock'));
    const lines: string[] = [];
    const next = await startEmbeddedPostgres({ dataDir, log: (line) => lines.push(line) });
    started.push(next, leftover);
    expect(lines).toContain(`stopping PostgreSQL left running from an earlier start (pid ${pid})`);
    expect(processIdentity(pid)).toBeUndefined();
    expect(next.pid()).not.toBe(pid);
    expect(await selectOne(next.connectionString)).toBe(1);
  });

  it('restarts a killed server after the injected backoff, reporting the problem until it is back', async () => {
    const timers = new ManualTimers();
    let now = 1_000_000;
    const events: SupervisionEvent[] = [];
    const server = await startEmbeddedPostgres({ dataDir, supervise: true, timers, now: () => now, onEvent: (event) => events.push(event) });
    started.push(server);
    const pid = server.pid()!;
    expect(server.problem()).toBeUndefined();

    process.kill(pid, 'SIGKILL');
    await until(() => events.find((e) => e.kind === 'exited'), 'the exit to be noticed');
    now += 1_500;
    expect(server.problem()).toMatch(/^the embedded PostgreSQL exited unexpectedly \(killed by SIGKILL\) 1\.5 s ago; restarting/);
    expect(server.pid()).toBeUndefined();
    // Nothing restarts until the backoff elapses: the clock is the test's.
    await new Promise((r) => setTimeout(r, 300));
    expect(timers.pending.map((t) => t.ms)).toEqual([500]);
    expect(events.some((e) => e.kind === 'restarted')).toBe(false);

    // Fire the backoffs; an attempt may fail while the dead postmaster's backends still hold its memory.
    const restarted = await until(async () => {
      if (timers.pending.length > 0) {
        now += timers.fire();
      }
      return events.find((e) => e.kind === 'restarted');
    }, 'the restart', 60_000);
    expect(restarted).toMatchObject({ kind: 'restarted', reason: 'exited unexpectedly (killed by SIGKILL)' });
    expect(server.problem()).toBeUndefined();
    expect(server.pid()).not.toBe(pid);
    expect(await selectOne(server.connectionString)).toBe(1);
    const lock = JSON.parse(readFileSync(join(dataDir, 'homeward.lock'), 'utf8')) as { postgres: { pid: number } };
    expect(lock.postgres.pid).toBe(server.pid());
  });

  it('stopped while a restart is coming up, it stops that server too: nothing outlives the owner', async () => {
    const timers = new ManualTimers();
    const events: SupervisionEvent[] = [];
    const server = await startEmbeddedPostgres({ dataDir, supervise: true, timers, onEvent: (event) => events.push(event) });
    process.kill(server.pid()!, 'SIGKILL');
    await until(() => (timers.pending.length > 0 ? true : undefined), 'the restart to be scheduled');
    timers.fire(); // the restart spawns a new postmaster at once…
    await new Promise((r) => setTimeout(r, 200)); // (let it get going: it writes its postmaster.pid)
    await server.stop(); // …and the owner stops before it is ready
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    const left = existsSync(pidFile) ? processIdentity(Number(readFileSync(pidFile, 'utf8').split('\n')[0])) : undefined;
    expect(left).toBeUndefined();
    expect(existsSync(join(dataDir, 'homeward.lock'))).toBe(false);
    expect(events.some((e) => e.kind === 'restarted')).toBe(false);
  });

  it('refuses, with one coded line each, a data folder that is a file, one of another PostgreSQL major version, and one owned by someone else', async () => {
    const file = join(dataDir, 'not-a-folder');
    writeFileSync(file, 'x');
    const notFolder = await startEmbeddedPostgres({ dataDir: file }).catch((error: unknown) => error);
    expect(codeOf(notFolder)).toBe('embedded-postgres.data-dir-not-a-folder');
    expect((notFolder as Error).message).toMatch(new RegExp(`${file} is a file, not a folder`));

    chmodSync(dataDir, 0o755); // mkdtemp makes it private, and as root the server user must reach into it
    const old = join(dataDir, 'old');
    mkdirSync(join(old, 'postgres'), { recursive: true });
    writeFileSync(join(old, 'postgres', 'PG_VERSION'), '15\n');
    const version = await startEmbeddedPostgres({ dataDir: old }).catch((error: unknown) => error);
    expect(codeOf(version)).toBe('embedded-postgres.version-mismatch');
    expect((version as Error).message).toMatch(/holds a PostgreSQL 15 database, but Homeward runs PostgreSQL 18/);
    // A refused start leaves no lock behind.
    expect(() => readFileSync(join(old, 'homeward.lock'))).toThrow();

    // PGDATA that belongs to another OS user (copied as root, say): PostgreSQL would refuse it.
    const theirs = join(dataDir, 'theirs');
    mkdirSync(join(theirs, 'postgres'), { recursive: true });
    writeFileSync(join(theirs, 'postgres', 'PG_VERSION'), '18\n');
    const serverUid = process.getuid?.() === 0 ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })) : (process.getuid?.() ?? 0) + 1;
    if (process.getuid?.() === 0) chownSync(join(theirs, 'postgres'), 0, 0);
    if (process.getuid?.() === 0 || serverUid !== process.getuid?.()) {
      const owned = await startEmbeddedPostgres({ dataDir: theirs }).catch((error: unknown) => error);
      expect(codeOf(owned)).toBe('embedded-postgres.data-dir-permission');
      expect((owned as Error).message).toMatch(/^No permission: .*postgres belongs to uid 0, but PostgreSQL runs as postgres/);
    }
  });
});
