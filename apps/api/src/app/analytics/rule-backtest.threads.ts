import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ActionedAlert, type AdmissionReplay, type BacktestAdmission, type BacktestPeriod, type Finding, type PlanReplayAlerts, type RuleBacktestReport, backtestReport, replayAdmission } from './rule-backtest';

/** Below this many admissions starting threads costs more than it saves: the replay stays on this thread. */
export const THREADED_BACKTEST_MIN_ADMISSIONS = 8;

export interface ThreadedBacktestOptions {
  /** Worker threads to replay on (default: the machine's available parallelism); 1 replays on this thread. */
  readonly threads?: number;
  /** Called after each admission's replay: done of total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One admission to replay, sent to a worker; the period with a worker's first job only (its recorded timer ticks can be large). */
export interface ReplayJob {
  readonly index: number;
  readonly item: BacktestAdmission;
  readonly period?: BacktestPeriod;
}

/** A worker's answer: the admission's findings and alerts (proposed null: the same as current), or why it failed. */
export type ReplayOutcome =
  | {
      readonly index: number;
      readonly current: readonly Finding[];
      readonly proposed: readonly Finding[] | null;
      readonly currentAlerts: PlanReplayAlerts;
      readonly proposedAlerts: PlanReplayAlerts | null;
    }
  | { readonly index: number; readonly error: string };

/**
 * ruleBacktest with the admissions replayed on worker threads: each admission is replayed whole
 * by one worker, and the report is built from the replays in admission order, so it is the same
 * report, byte for byte, whatever the number of threads or the order they finish in.
 */
export async function ruleBacktestInThreads(
  admissions: readonly BacktestAdmission[],
  actioned: readonly ActionedAlert[],
  period: BacktestPeriod,
  options: ThreadedBacktestOptions = {},
): Promise<RuleBacktestReport> {
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), admissions.length));
  const replays: AdmissionReplay[] = new Array<AdmissionReplay>(admissions.length);
  if (threads === 1 || admissions.length < THREADED_BACKTEST_MIN_ADMISSIONS) {
    admissions.forEach((item, i) => {
      replays[i] = replayAdmission(item, period);
      options.onProgress?.(i + 1, admissions.length);
    });
  } else {
    await replayOnWorkers(admissions, period, threads, replays, options.onProgress);
  }
  return backtestReport(replays, admissions, actioned, period);
}

function replayOnWorkers(admissions: readonly BacktestAdmission[], period: BacktestPeriod, threads: number, replays: AdmissionReplay[], onProgress?: (done: number, total: number) => void): Promise<void> {
  const workers = Array.from({ length: threads }, () => startWorker());
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let done = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    const told = new Set<Worker>();
    const send = (worker: Worker) => {
      if (next >= admissions.length) return;
      const index = next++;
      const item = admissions[index];
      if (!item) return;
      worker.postMessage({ index, item, ...(told.has(worker) ? {} : { period }) } satisfies ReplayJob);
      told.add(worker);
    };
    for (const worker of workers) {
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        if (done < admissions.length) fail(new Error(`A backtest worker thread stopped (exit code ${code}) before the replay finished.`));
      });
      worker.on('message', (outcome: ReplayOutcome) => {
        if ('error' in outcome) return fail(new Error(`Replaying admission ${admissions[outcome.index]?.admission.id ?? outcome.index} failed in a worker thread: ${outcome.error}`));
        replays[outcome.index] = {
          current: outcome.current,
          proposed: outcome.proposed ?? outcome.current,
          currentAlerts: outcome.currentAlerts,
          proposedAlerts: outcome.proposedAlerts ?? outcome.currentAlerts,
        };
        done++;
        onProgress?.(done, admissions.length);
        if (done === admissions.length) resolve();
        else send(worker);
      });
      // Two jobs in flight per worker, so a worker never waits for the next admission to arrive.
      send(worker);
      send(worker);
    }
  }).finally(() => Promise.all(workers.map((w) => w.terminate())).then(() => undefined));
}

/**
 * A worker running rule-backtest.worker beside this file. Homeward runs its TypeScript sources
 * through SWC (apps/cli/bin/homeward.cjs), so a worker started from a .ts file registers SWC first.
 */
function startWorker(): Worker {
  if (__filename.endsWith('.js')) return new Worker(join(__dirname, 'rule-backtest.worker.js'));
  const register = require.resolve('@swc-node/register');
  const entry = join(__dirname, 'rule-backtest.worker.ts');
  const project = process.env['SWC_NODE_PROJECT'] ?? join(__dirname, '..', '..', '..', '..', '..', 'tsconfig.base.json');
  return new Worker(`require(${JSON.stringify(register)});\nrequire(${JSON.stringify(entry)});`, { eval: true, env: { ...process.env, SWC_NODE_PROJECT: project } });
}
