import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin', 'homeward');

export interface HomewardProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Kills whatever a failed test left running, so Jest can exit and the next test starts clean. */
export async function killLeftovers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolveKill) => {
          child.once('exit', () => resolveKill());
          child.kill('SIGINT');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
}

/** Runs `homeward <args>` as a real process, with an environment built from scratch. */
export function runHomeward(args: string[], env: Record<string, string>): HomewardProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    // MQTT on a free port and no WebSocket listener unless a test asks: 1883 belongs to the
    // machine's Mosquitto here, and tests run side by side.
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', HOMEWARD_MQTT_PORT: '0', HOMEWARD_MQTT_WS_PORT: '-1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls a URL until it answers (any status) or the process exits; bounded. */
export async function waitForHttp(url: string, process: HomewardProcess, timeoutMs = 60_000): Promise<Response> {
  let exitedWith: number | null | undefined;
  void process.exited.then((code) => (exitedWith = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) throw new Error(`homeward exited (${exitedWith}) before ${url} answered:\n${process.stderr()}`);
    try {
      return await fetch(url);
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${process.stderr()}`);
}
