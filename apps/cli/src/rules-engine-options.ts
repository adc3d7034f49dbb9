import type { RulesEngineOptions } from '@homeward/api';
import type { HomewardConfig } from '@homeward/config';

/**
 * The rules engine's settings from the environment, the same in `homeward start` and every
 * `homeward rules-worker`: they must agree on the partitions, or two workers would evaluate one
 * patient through different cursors.
 */
export function rulesEngineOptions(config: Pick<HomewardConfig, 'rules'>): RulesEngineOptions {
  const { partitions, leaseSeconds, stallAlertSeconds, lateGatherMs } = config.rules;
  return {
    ...(partitions === undefined ? {} : { partitioning: { partitions, leaseMs: leaseSeconds * 1000 } }),
    stallAlertAfterMs: stallAlertSeconds * 1000,
    latePageGatherMs: lateGatherMs,
  };
}
