import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../../e2e/homeward-process';
import type { WorkerConfig, WorkerReport } from './worker-protocol';

type Connected = Extract<WorkerReport, { type: 'connected' }>;
type Result = Extract<WorkerReport, { type: 'result' }>;

/** A running load-generator process (lib/load-worker.ts). */
export class LoadWorker {
  private readonly reports: WorkerReport[] = [];
  private readonly waiters: Array<() => void> = [];
  private stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.reports.push(JSON.parse(line) as WorkerReport);
      } catch {
        return;
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    this.exited = new Promise((resolve) => child.once('exit', (code) => {
      resolve(code);
      for (const wake of this.waiters.splice(0)) wake();
    }));
  }

  static start(config: WorkerConfig): LoadWorker {
    // In a file: 1,000 clients' credentials are more than one environment variable may hold.
    const file = join(mkdtempSync(join(tmpdir(), 'homeward-bench-worker-')), 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const child = spawn(process.execPath, ['--max-old-space-size=2048', '-r', '@swc-node/register', join(__dirname, 'load-worker.ts')], {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'), BENCH_WORKER_CONFIG_FILE: file, NODE_OPTIONS: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.once('exit', () => rmSync(dirname(file), { recursive: true, force: true }));
    return new LoadWorker(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private async next<T extends WorkerReport['type']>(type: T, timeoutMs: number): Promise<Extract<WorkerReport, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.reports.find((r) => r.type === type || r.type === 'fatal');
      if (found?.type === 'fatal') throw new Error(`load worker failed: ${found.error}\n${this.stderr}`);
      if (found) return found as Extract<WorkerReport, { type: T }>;
      if (this.child.exitCode !== null) throw new Error(`load worker exited (${this.child.exitCode}) before "${type}":\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`load worker sent no "${type}" within ${timeoutMs} ms:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  }

  connected(timeoutMs: number): Promise<Connected> {
    return this.next('connected', timeoutMs);
  }

  send(command: 'start' | 'mark' | 'stop'): void {
    this.child.stdin?.write(`${command}\n`);
  }

  async stop(timeoutMs = 30_000): Promise<Result> {
    this.send('stop');
    try {
      return await this.next('result', timeoutMs);
    } finally {
      setTimeout(() => this.child.kill('SIGKILL'), 2_000).unref();
    }
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Splits clients over `processes` workers of the same mode. */
export function startWorkers(config: WorkerConfig, processes: number): LoadWorker[] {
  const n = Math.max(1, Math.min(processes, config.clients.length));
  return Array.from({ length: n }, (_, i) => LoadWorker.start({ ...config, clients: config.clients.filter((_, c) => c % n === i) }));
}
