import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase, freePort, loadMigrations } from '@homeward/storage';

// The schema version a fresh database reaches: the newest migration.
const latest = loadMigrations('plain').at(-1)!;
import { killLeftovers, runHomeward, waitForHttp } from './homeward-process';

afterEach(() => killLeftovers());

// `homeward start` as an operator runs it: real processes, real PostgreSQL, real HTTP.
describe('homeward start', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'homeward-e2e-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('with no DATABASE_URL, starts an embedded PostgreSQL, migrates, serves /health, stops cleanly on Ctrl-C, and reuses the data', async () => {
    const port = await freePort();
    const env = { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_PORT: String(port) };

    const first = runHomeward(['start'], env);
    const response = await waitForHttp(`http://127.0.0.1:${port}/health`, first);
    expect(response.status).toBe(200);
    const health = (await response.json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      database: { reachable: true, mode: 'embedded', engine: 'plain', migration: { version: latest.version, name: latest.name } },
    });
    expect(first.stderr()).toMatch(/initialising embedded PostgreSQL/);
    expect(first.stderr()).toMatch(/applied migration 0001_registry\.sql/);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(true);

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toMatch(/stopped cleanly/);
    // The database stopped with it: PostgreSQL removes its pid file on a clean shutdown.
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    const second = runHomeward(['start'], env);
    const again = await waitForHttp(`http://127.0.0.1:${port}/health`, second);
    expect(((await again.json()) as { database: { migration: { version: number } } }).database.migration.version).toBe(latest.version);
    expect(second.stderr()).not.toMatch(/initialising/);
    expect(second.stderr()).not.toMatch(/applied migration/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('recovers the data folder after being killed (SIGKILL) mid-run', async () => {
    const port = await freePort();
    const env = { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_PORT: String(port) };
    const first = runHomeward(['start'], env);
    await waitForHttp(`http://127.0.0.1:${port}/health`, first);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = runHomeward(['start'], env);
    const response = await waitForHttp(`http://127.0.0.1:${port}/health`, second);
    expect(response.status).toBe(200);
    expect(second.stderr()).toMatch(/stopping PostgreSQL left running from an earlier start/);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  const serverUrl = process.env['DATABASE_URL'];
  (serverUrl ? it : it.skip)('with DATABASE_URL, uses that server and starts no embedded one', async () => {
    const scratch = await createScratchDatabase(serverUrl!);
    try {
      const port = await freePort();
      const run = runHomeward(['start'], { DATABASE_URL: scratch.url, HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_PORT: String(port) });
      const response = await waitForHttp(`http://127.0.0.1:${port}/health`, run);
      expect(await response.json()).toMatchObject({ status: 'ok', database: { mode: 'server', engine: 'plain', migration: { version: latest.version } } });
      expect(run.stderr()).not.toMatch(/embedded PostgreSQL/);
      expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
    } finally {
      await scratch.drop();
    }
  });

  it('refuses to start with bad settings, naming every bad variable at once', async () => {
    const run = runHomeward(['start'], { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_PORT: 'eighty', HOMEWARD_DB_POOL_SIZE: '0', HOMEWARD_STORAGE_ENGINE: 'oracle' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/3 bad settings/);
    for (const variable of ['HOMEWARD_API_PORT=eighty', 'HOMEWARD_DB_POOL_SIZE=0', 'HOMEWARD_STORAGE_ENGINE=oracle']) {
      expect(run.stderr()).toContain(variable);
    }
    expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
  });

  it('says clearly when the API port is taken, and leaves no database running', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const run = runHomeward(['start'], { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_PORT: String(port) });
      expect(await run.exited).toBe(1);
      expect(run.stderr()).toMatch(new RegExp(`could not listen on 127\\.0\\.0\\.1:${port}.*EADDRINUSE`));
      expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    } finally {
      blocker.close();
    }
  });
});

describe('homeward migrate', () => {
  it('migrates and prints the schema state as JSON', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'homeward-e2e-'));
    try {
      const run = runHomeward(['migrate'], { HOMEWARD_DATA_DIR: dataDir });
      expect(await run.exited).toBe(0);
      expect(JSON.parse(run.stdout())).toMatchObject({ mode: 'embedded', engine: 'plain', migration: { version: latest.version } });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('prints usage for an unknown command and exits 2', async () => {
    const run = runHomeward(['frobnicate'], {});
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/unknown command "frobnicate"/);
    expect(run.stderr()).toMatch(/start\s+Start Homeward/);
  });
});
