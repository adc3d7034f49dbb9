import { PinoNestLogger, type RunningRulesEngine, startRulesEngine } from '@homeward/api';
import { messageLogger } from '@homeward/observability';
import { openStorage } from '@homeward/storage';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import { problemLogger, processLogger, serveWorkerMetrics } from '../observability';
import { rulesEngineOptions } from '../rules-engine-options';
import { storageOptions } from '../storage-and-topics';

export const rulesWorkerCommand: Command = {
  summary:
    'Run a rules worker alone (no API, no MQTT; /metrics and probes on HOMEWARD_METRICS_PORT when set): it evaluates the readings of its share of the patients (HOMEWARD_RULES_PARTITIONS) and takes over a stopped worker\'s share.',
  usage: 'homeward rules-worker',
  async run(context: CliContext): Promise<number> {
    if (context.args.length > 0) {
      context.err(`homeward rules-worker: unexpected ${context.args.join(' ')} (it takes its settings from the environment)`);
      return 2;
    }
    const config = context.config();
    if (!config) return 2;
    // Structured lines like `homeward start` (JSON unless on a terminal); Nest's go the same way.
    const logger = processLogger(config);
    const log = messageLogger(logger);
    if (config.rules.partitions === undefined) {
      log('HOMEWARD_RULES_PARTITIONS is not set: workers take turns on one cursor instead of splitting the patients; set it (the same everywhere) to scale out');
    }
    let storage;
    try {
      // A worker needs few connections: its queries run one at a time, plus LISTEN.
      // With an embedded database, the worker uses the database of `homeward start` on the same
      // folder; a child of `homeward start` never runs one of its own (its parent may have died).
      storage = await openStorage(
        storageOptions(config, log, Math.min(config.database.poolSize, 4), {
          use: context.parent ? 'join' : 'attach',
          command: 'homeward rules-worker',
          logProblem: problemLogger(logger),
        }),
      );
    } catch (error) {
      context.err(describeFailure(error));
      return 1;
    }
    let running: RunningRulesEngine;
    try {
      running = await startRulesEngine(storage, rulesEngineOptions(config), new PinoNestLogger(logger));
    } catch (error) {
      context.err(describeFailure(error, 'The rules worker could not start'));
      await storage.close();
      return 1;
    }
    const partitions = config.rules.partitions;
    log(
      `rules worker ${running.engine.worker} started${partitions === undefined ? '' : ` (${partitions} partitions, lease ${config.rules.leaseSeconds} s)`}; stall alert after ${config.rules.stallAlertSeconds} s`,
    );
    // Probes and Prometheus for the worker (HOMEWARD_METRICS_PORT): pool, alerts, cursor lag, readiness.
    const metricsServer = await serveWorkerMetrics({ storage, config, engineRunning: () => running.engine.isRunning }).catch((error: unknown) => {
      log(describeFailure(error, 'The metrics listener could not start'));
      return undefined;
    });
    if (metricsServer) log(`metrics on http://${config.api.host}:${metricsServer.port}/metrics (readiness: /health/ready)`);
    context.out(`Rules worker ${running.engine.worker} is running — press Ctrl-C to stop.`);
    context.parent?.ready();

    const signal = await context.stopRequested;
    log(`${signal} received: stopping (finishing the batch in progress, handing back partitions)`);
    await metricsServer?.close();
    await running.close();
    await storage.close();
    log('stopped cleanly');
    return 0;
  },
};
