import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@homeward/storage';
import { call, signIn } from './api-fixture';
import { type HomewardProcess, killLeftovers, runHomeward, waitForHttp } from './homeward-process';

afterAll(() => killLeftovers());

/** The postmaster of the folder this test created (never any other PostgreSQL on the machine). */
function postmasterOf(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** The postmaster and its backends (children by ppid), to freeze the whole server. */
function serverProcesses(postmaster: number): number[] {
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('one data folder, one owner; a database that heals itself', () => {
  let dataDir: string;
  let api: string;
  let server: HomewardProcess;
  let env: Record<string, string>;
  let adminToken: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'homeward-owner-'));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_PORT: String(port), HOMEWARD_LOG_FORMAT: 'json' };
    server = runHomeward(['start'], env);
    expect((await waitForHttp(`${api}/health`, server)).status).toBe(200);
  });
  afterAll(async () => {
    server.child.kill('SIGINT');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a second `homeward start` on the same data folder in one line, and the first keeps serving', async () => {
    const postmaster = postmasterOf(dataDir);
    const second = runHomeward(['start'], { ...env, HOMEWARD_API_PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    const lines = second.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^The data folder ${dataDir} is in use by homeward start \\(pid ${server.child.pid}\\): one server per data folder\\..*\\[embedded-postgres\\.data-dir-in-use\\]$`));
    expect((await fetch(`${api}/health`)).status).toBe(200);
    expect(postmasterOf(dataDir)).toBe(postmaster);
  });

  it('`homeward user add` while the server runs uses its database: the server keeps serving and the new user can sign in to it', async () => {
    const postmaster = postmasterOf(dataDir);
    const email = 'ops-admin@example.nhs.uk';
    const add = runHomeward(['user', 'add', '--role', 'admin', '--email', email, '--name', 'Ops Admin'], env);
    expect(await add.exited).toBe(0);
    const { password } = JSON.parse(add.stdout()) as { password: string };
    // The server's database was neither stopped nor replaced.
    expect(postmasterOf(dataDir)).toBe(postmaster);
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${api}/health/ready`)).status).toBe(200);
    const signedIn = await signIn(api, email, password);
    expect(signedIn.status).toBe(200);
    adminToken = ((await signedIn.json()) as { token: string }).token;
    // So does `homeward migrate`.
    const migrate = runHomeward(['migrate'], env);
    expect(await migrate.exited).toBe(0);
    expect(postmasterOf(dataDir)).toBe(postmaster);
  });

  it('`homeward rules-worker` on the same data folder works on the server\'s database, and stopping it leaves that database running', async () => {
    const postmaster = postmasterOf(dataDir);
    const worker = runHomeward(['rules-worker'], { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_LOG_FORMAT: 'json' });
    await until(async () => (worker.stdout().includes('is running') ? true : undefined), 'the worker to start', 60_000);
    expect(worker.stderr()).toMatch(/using the embedded PostgreSQL of homeward start \(pid \d+\)/);
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
    expect(postmasterOf(dataDir)).toBe(postmaster);
    expect((await fetch(`${api}/health/ready`)).status).toBe(200);
  });

  it('kill -9 of the embedded postmaster: not ready with the reason within 2 s, then ready again by itself, counted and recorded', async () => {
    const postmaster = postmasterOf(dataDir);
    process.kill(postmaster, 'SIGKILL');
    const down = await until(async () => {
      const { value, ms } = await timed(() => fetch(`${api}/health/ready`));
      expect(ms).toBeLessThan(2_000);
      return value.status === 503 ? ((await value.json()) as { problems: Record<string, string> }) : undefined;
    }, 'readiness to report the dead database', 10_000);
    expect(down.problems['database']).toMatch(/exited unexpectedly \(killed by SIGKILL\)|ECONNREFUSED|terminat/);

    const backAfter = await timed(() => until(async () => ((await fetch(`${api}/health/ready`)).status === 200 ? true : undefined), 'readiness to come back'));
    expect(postmasterOf(dataDir)).not.toBe(postmaster);
    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/^homeward_database_restarts_total 1$/m);
    expect(server.stderr()).toMatch(/"level":"error"[^\n]*embedded PostgreSQL exited unexpectedly \(killed by SIGKILL\): restarting it/);
    expect(server.stderr()).toMatch(/"level":"warn"[^\n]*embedded PostgreSQL is back/);
    // The admin sees it in the audit viewer.
    const records = await until(async () => {
      const response = await call(api, adminToken, 'GET', '/api/audit?action=database.restarted');
      const rows = (await response.json()) as Array<{ actorId: string; details: { reason: string } }>;
      return rows.length > 0 ? rows : undefined;
    }, 'the restart to be recorded', 10_000);
    expect(records[0]).toMatchObject({ actorId: 'database-supervisor', details: { reason: 'exited unexpectedly (killed by SIGKILL)' } });
    // Staff see it as a system alert, and acknowledge it.
    const [systemAlert] = await until(async () => {
      const response = await call(api, adminToken, 'GET', '/api/system-alerts');
      const rows = ((await response.json()) as Array<{ id: string; kind: string; state: string; summary: string }>).filter((a) => a.kind === 'database-restarted');
      return rows.length > 0 ? rows : undefined;
    }, 'the database-restarted system alert', 10_000);
    expect(systemAlert).toMatchObject({ state: 'open', summary: expect.stringContaining('exited unexpectedly (killed by SIGKILL)') });
    const acknowledged = await call(api, adminToken, 'POST', `/api/system-alerts/${systemAlert!.id}/acknowledge`, { note: 'seen' });
    expect(acknowledged.status).toBe(200);
    process.stdout.write(`database back ${backAfter.ms} ms after readiness first reported it down\n`);
  });

  it('a frozen database (SIGSTOP) does not hang /health/ready: it answers within 2 s, and is ready again after SIGCONT', async () => {
    const frozen = serverProcesses(postmasterOf(dataDir));
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      for (let i = 0; i < 3; i++) {
        const { value, ms } = await timed(() => fetch(`${api}/health/ready`));
        expect(ms).toBeLessThan(2_000);
        expect(value.status).toBe(503);
        expect(((await value.json()) as { problems: Record<string, string> }).problems['database']).toMatch(/did not answer within 1500 ms/);
      }
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    await until(async () => ((await fetch(`${api}/health/ready`)).status === 200 ? true : undefined), 'readiness after SIGCONT', 20_000);
  });

  it('a frozen database (SIGSTOP) does not hang /metrics: the database figures keep their last values, with their age', async () => {
    const series = (text: string, name: string) => text.split('\n').find((line) => line.startsWith(`${name} `));
    const before = await (await fetch(`${api}/metrics`)).text();
    expect(series(before, 'homeward_metrics_source_age_seconds{source="alerts"}')).toBe('homeward_metrics_source_age_seconds{source="alerts"} 0');
    const lastAcknowledged = series(before, 'homeward_alerts{state="acknowledged"}');
    const frozen = serverProcesses(postmasterOf(dataDir));
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${api}/metrics`);
        expect(response.status).toBe(200);
        const text = await response.text();
        expect(series(text, 'homeward_alerts{state="acknowledged"}')).toBe(lastAcknowledged);
        expect(Number(series(text, 'homeward_metrics_source_age_seconds{source="alerts"}')?.split(' ')[1])).toBeGreaterThan(0);
      }
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    const after = await until(async () => {
      const text = await (await fetch(`${api}/metrics`)).text();
      return series(text, 'homeward_metrics_source_age_seconds{source="alerts"}')?.endsWith(' 0') ? text : undefined;
    }, 'fresh figures after SIGCONT', 20_000);
    expect(after).toMatch(/^homeward_metrics_source_failures_total\{source="alerts"\} [1-9]/m);
  });
});

describe('data folder problems: one clear line and a non-zero exit', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'homeward-bad-folder-'));
    chmodSync(base, 0o755); // as root the server user must reach the folders below
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  async function startIn(dataDir: string): Promise<{ code: number | null; lines: string[] }> {
    const run = runHomeward(['start'], { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_PORT: String(await freePort()), HOMEWARD_LOG_FORMAT: 'json' });
    const code = await run.exited;
    return { code, lines: run.stderr().trim().split('\n') };
  }

  it('the path is a file', async () => {
    const file = join(base, 'a-file');
    writeFileSync(file, 'not a folder');
    const { code, lines } = await startIn(file);
    expect(code).toBe(1);
    expect(lines).toEqual([`The data folder ${file} is a file, not a folder. Move the file away, or set HOMEWARD_DATA_DIR to a folder. [embedded-postgres.data-dir-not-a-folder]`]);
  });

  it('a database of another PostgreSQL major version', async () => {
    const old = join(base, 'pg15');
    mkdirSync(join(old, 'postgres'), { recursive: true });
    writeFileSync(join(old, 'postgres', 'PG_VERSION'), '15\n');
    const { code, lines } = await startIn(old);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/holds a PostgreSQL 15 database, but Homeward runs PostgreSQL 18\..*\[embedded-postgres\.version-mismatch\]$/);
  });

  (process.getuid?.() === 0 ? it : it.skip)('no permission: the database folder belongs to root, but the server runs as the postgres OS user', async () => {
    const copied = join(base, 'copied-as-root');
    mkdirSync(join(copied, 'postgres'), { recursive: true });
    writeFileSync(join(copied, 'postgres', 'PG_VERSION'), '18\n');
    chownSync(join(copied, 'postgres'), 0, 0);
    const { code, lines } = await startIn(copied);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^No permission: .*copied-as-root\/postgres belongs to uid 0, but PostgreSQL runs as postgres .*\[embedded-postgres\.data-dir-permission\]$/);
  });

  (process.getuid?.() === 0 ? it : it.skip)('no permission: a folder above the data folder is private to root, so the postgres OS user cannot reach it', async () => {
    const hidden = mkdtempSync(join(tmpdir(), 'homeward-private-')); // mode 0700, owned by root
    try {
      const { code, lines } = await startIn(join(hidden, 'data'));
      expect(code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^The postgres OS user cannot reach .*homeward-private-.*\/data .*\[embedded-postgres\.data-dir-unreachable\]$/);
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  });

  it('the disk is full', async () => {
    const mountPoint = join(base, 'small-disk');
    mkdirSync(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      process.stdout.write('cannot mount a tmpfs here: disk-full system test skipped\n');
      return;
    }
    try {
      chmodSync(mountPoint, 0o755);
      const { code, lines } = await startIn(join(mountPoint, 'homeward'));
      expect(code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^The disk holding the data folder .*small-disk\/homeward is full \(only \d+ MB free, at least 64 MB needed\)\..*\[embedded-postgres\.disk-full\]$/);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});
