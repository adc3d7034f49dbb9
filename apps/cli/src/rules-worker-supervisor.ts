import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { restartDelayMs } from '@homeward/storage';
import type { SelfCommand } from './cli-context';

/** A worker that ran this long before it died starts the crash count again. */
const STABLE_MS = 60_000;

export interface RulesWorkerSupervisorOptions {
  /** How to run `homeward` again: the parent's node, its flags and entry script. */
  readonly command: SelfCommand;
  /** The workers' environment: the parent's. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly workers: number;
  readonly log: (message: string) => void;
  /** A worker's stderr lines (its structured log), passed on as they are. */
  readonly forwardErr: (line: string) => void;
  /** Counted in homeward_rules_worker_restarts_total. */
  readonly onRestart: () => void;
  /** A worker that has not stopped this long after SIGTERM is killed. */
  readonly stopTimeoutMs?: number;
}

// A worker of `homeward start` serves no /metrics of its own (the parent's port is taken by the parent).
const PARENT_ONLY_VARIABLES = ['HOMEWARD_METRICS_PORT'];

interface Slot {
  readonly index: number;
  child: ChildProcess | undefined;
  startedAt: number;
  crashes: number;
  restart: NodeJS.Timeout | undefined;
  /** Resolves when the slot's first worker says it runs (its engine started). */
  readonly ready: Promise<void>;
  markReady: () => void;
}

/**
 * Runs the rules in `homeward rules-worker` child processes, so evaluation never shares the
 * broker's and the API's event loop. Each worker is this same command line (node flags
 * included) with the same environment; its log lines reach the parent's stderr. A worker that
 * exits unasked is started again after a doubling, capped wait (a worker that ran a minute
 * starts the count again), counted and logged. Workers get
 * their own process group (a terminal's Ctrl-C reaches the parent, which stops them in order)
 * and an IPC channel, whose closing stops them if the parent dies without stopping them.
 */
export class RulesWorkerSupervisor {
  private readonly slots: Slot[];
  private stopping = false;

  constructor(private readonly options: RulesWorkerSupervisorOptions) {
    this.slots = [...Array(options.workers).keys()].map((index) => {
      let markReady = () => undefined as void;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      return { index: index + 1, child: undefined, startedAt: 0, crashes: 0, restart: undefined, ready, markReady };
    });
  }

  /**
   * Resolves once every worker runs, or after `timeoutMs` (saying which do not yet): `homeward
   * start` answers on its API only when the rules evaluate what arrives.
   */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const outcome = await Promise.race([Promise.all(this.slots.map((slot) => slot.ready)), late]);
    clearTimeout(timer);
    if (outcome === 'late') this.options.log(`rules workers not all running after ${timeoutMs} ms; carrying on (readings wait for them, none is lost)`);
  }

  start(): void {
    for (const slot of this.slots) this.spawn(slot);
  }

  /** Process ids of the workers running now, by slot (undefined while one waits to restart). */
  get pids(): (number | undefined)[] {
    return this.slots.map((slot) => slot.child?.pid);
  }

  /** SIGTERM to every worker (each finishes its batch and hands back its partitions); SIGKILL after the timeout. */
  async stop(): Promise<void> {
    this.stopping = true;
    const timeoutMs = this.options.stopTimeoutMs ?? 20_000;
    await Promise.all(
      this.slots.map(async (slot) => {
        clearTimeout(slot.restart);
        const child = slot.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const killer = setTimeout(() => {
          this.options.log(`rules worker ${slot.index} (pid ${child.pid}) did not stop within ${timeoutMs} ms: killing it`);
          child.kill('SIGKILL');
        }, timeoutMs);
        await exited;
        clearTimeout(killer);
      }),
    );
  }

  private spawn(slot: Slot): void {
    if (this.stopping) return;
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.options.env)) if (value !== undefined && !PARENT_ONLY_VARIABLES.includes(name)) env[name] = value;
    const { execPath, args } = this.options.command;
    const child = spawn(execPath, [...args, 'rules-worker'], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    slot.child = child;
    slot.startedAt = Date.now();
    child.once('error', (error) => this.options.log(`rules worker ${slot.index} could not start: ${error.message}`));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => this.options.forwardErr(line));
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.options.log(`rules worker ${slot.index}: ${line}`));
    child.on('message', (message: unknown) => {
      if ((message as { homeward?: unknown } | null)?.homeward === 'ready') slot.markReady();
    });
    child.once('exit', (code, signal) => this.exited(slot, child, code, signal));
    if (child.pid !== undefined) this.options.log(`rules worker ${slot.index} started (pid ${child.pid})`);
  }

  private exited(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    slot.child = undefined;
    if (this.stopping) return;
    slot.crashes = Date.now() - slot.startedAt >= STABLE_MS ? 1 : slot.crashes + 1;
    // The embedded database's restart schedule: 0.5 s, 1 s, 2 s, … capped at 30 s.
    const delay = restartDelayMs(slot.crashes);
    this.options.onRestart();
    this.options.log(
      `rules worker ${slot.index} (pid ${child.pid}) exited unasked (${signal ?? `code ${code}`}); restarting in ${delay} ms (${slot.crashes} crash${slot.crashes === 1 ? '' : 'es'} in a row)`,
    );
    slot.restart = setTimeout(() => this.spawn(slot), delay);
  }
}
