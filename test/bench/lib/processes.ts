import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@homeward/storage';
import { type HomewardProcess, ROOT, waitForHttp } from '../../e2e/homeward-process';
import { sleep } from './stats';

/** Resident set size of a process in bytes (Linux /proc), or NaN if it is gone. */
export function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

export interface RunningHomeward {
  readonly process: HomewardProcess;
  readonly mqttPort: number;
  readonly apiUrl: string;
  /** Wall-clock time the process was spawned (a CPU profile's time 0, near enough). */
  readonly spawnedAt: number;
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Kills every Homeward this bench started and that is still running (after a failure). */
export function killBenchProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * `homeward start` as a real child process (as test/e2e's runHomeward, plus Node flags such as
 * --cpu-prof, which NODE_OPTIONS does not accept).
 */
function spawnHomeward(args: readonly string[], env: Record<string, string>, nodeFlags: readonly string[]): HomewardProcess {
  const child = spawn(globalThis.process.execPath, [...nodeFlags, join(ROOT, 'node_modules', '.bin', 'homeward'), ...args], {
    cwd: ROOT,
    env: { PATH: globalThis.process.env['PATH'] ?? '', HOME: globalThis.process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out = (out + chunk).slice(-20_000)));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-20_000)));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** `homeward start` as a real child process on the given database, on 127.0.0.1 free ports. */
export async function startHomewardProcess(databaseUrl: string, env: Record<string, string> = {}, nodeFlags: readonly string[] = [], args: readonly string[] = ['start']): Promise<RunningHomeward> {
  const mqttPort = await freePort();
  const apiPort = await freePort();
  const spawnedAt = Date.now();
  const process = spawnHomeward(
    args,
    {
      DATABASE_URL: databaseUrl,
      HOMEWARD_MQTT_PORT: String(mqttPort),
      HOMEWARD_MQTT_WS_PORT: '-1',
      HOMEWARD_API_PORT: String(apiPort),
      HOMEWARD_LOG_LEVEL: 'warn',
      ...env,
    },
    nodeFlags,
  );
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitForHttp(`${apiUrl}/health`, process, 120_000);
  return {
    process,
    mqttPort,
    apiUrl,
    spawnedAt,
    async stop() {
      process.child.kill('SIGINT');
      const timer = setTimeout(() => process.child.kill('SIGKILL'), 30_000);
      const code = await process.exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface RunningMosquitto {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Mosquitto on a free 127.0.0.1 port with a generated configuration (anonymous, no persistence). */
export async function startMosquitto(): Promise<RunningMosquitto> {
  if (!existsSync(MOSQUITTO)) {
    throw new Error(`${MOSQUITTO} is missing: install Mosquitto (Debian/Ubuntu: sudo apt-get install mosquitto) or run with --skip-mosquitto`);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'homeward-bench-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_inflight_messages 0', 'max_queued_messages 100000', 'log_type error', 'log_dest stderr', ''].join('\n'));
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const { createConnection } = await import('node:net');
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}): ${stderr}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${stderr}`);
    await sleep(100);
  }
  return {
    port,
    child,
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
