// A worker thread of rule-backtest.threads.ts: replays the admissions it is sent, one message each.
import { parentPort } from 'node:worker_threads';
import { type BacktestAdmission, replayAdmission } from './rule-backtest';
import type { ReplayJob, ReplayOutcome } from './rule-backtest.threads';

parentPort?.on('message', (job: ReplayJob) => {
  let outcome: ReplayOutcome;
  try {
    const replayed = replayAdmission(job.item as BacktestAdmission, job.period);
    // The same findings twice (no proposed plan) travel once.
    const same = replayed.proposed === replayed.current;
    outcome = { index: job.index, current: replayed.current, proposed: same ? null : replayed.proposed, currentAlerts: replayed.currentAlerts, proposedAlerts: same ? null : replayed.proposedAlerts };
  } catch (error) {
    outcome = { index: job.index, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort?.postMessage(outcome);
});
