// A worker thread of rule-backtest.threads.ts: replays the admissions it is sent, one message each.
import { parentPort } from 'node:worker_threads';
import { type BacktestAdmission, type BacktestPeriod, replayAdmission } from './rule-backtest';
import type { ReplayJob, ReplayOutcome } from './rule-backtest.threads';

/** The period comes with this worker's first job. */
let period: BacktestPeriod | undefined;

parentPort?.on('message', (job: ReplayJob) => {
  let outcome: ReplayOutcome;
  try {
    period = job.period ?? period;
    if (!period) throw new Error('The backtest period did not reach this worker.');
    const replayed = replayAdmission(job.item as BacktestAdmission, period);
    // The same findings twice (no proposed plan) travel once.
    const same = replayed.proposed === replayed.current;
    outcome = { index: job.index, current: replayed.current, proposed: same ? null : replayed.proposed, currentAlerts: replayed.currentAlerts, proposedAlerts: same ? null : replayed.proposedAlerts };
  } catch (error) {
    outcome = { index: job.index, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort?.postMessage(outcome);
});
