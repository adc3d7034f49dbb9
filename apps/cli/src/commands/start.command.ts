import { createApiApp, listenApi } from '@homeward/api';
import { type Gateway, startGateway } from '@homeward/gateway';
import { HomewardMetrics, type RunningMetricsServer, messageLogger, startMetricsServer } from '@homeward/observability';
import { openStorage } from '@homeward/storage';
import { BROKER_CHECK_MS, brokerAvailabilityWatch } from '../broker-availability.watch';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import { countedPipeline, problemLogger, processLogger, readinessChecks } from '../observability';
import { rulesEngineOptions } from '../rules-engine-options';
import { RulesWorkerSupervisor } from '../rules-worker-supervisor';
import { storageOptions } from '../storage-and-topics';

export const startCommand: Command = {
  summary:
    'Start Homeward: the database (embedded unless DATABASE_URL is set), migrations, the device gateway (MQTT), the API and the rules engine in supervised rules-worker child processes (HOMEWARD_RULES_WORKERS; HOMEWARD_RULES_MODE=inline: in this process; --no-rules: leave the rules to `homeward rules-worker` processes you run).',
  usage: 'homeward start [--no-rules]',
  async run(context: CliContext): Promise<number> {
    const unknown = context.args.filter((arg) => arg !== '--no-rules');
    if (unknown.length > 0) {
      context.err(`homeward start: unknown option ${unknown.join(' ')} (usage: homeward start [--no-rules])`);
      return 2;
    }
    const config = context.config();
    if (!config) return 2;
    const rulesWanted = !context.args.includes('--no-rules');
    // Off this process's event loop (the broker's and the API's) unless asked, or unless this
    // CLI runs inside another program and cannot start itself again.
    const rulesInChildren = rulesWanted && config.rules.mode === 'process' && context.self !== undefined;
    const rulesHere = rulesWanted && !rulesInChildren;
    const logger = processLogger(config);
    const log = messageLogger(logger);
    // One registry for the process: the gateway and the api count into it, /metrics serves it.
    const metrics = new HomewardMetrics();
    const services = config.services ?? { gateway: true, api: true };
    let storage;
    try {
      // This process owns the data folder: a second `start` on it is refused, admin commands
      // attach to this database, and a database that dies is restarted and counted.
      storage = await openStorage(
        storageOptions(config, log, config.database.poolSize, {
          use: 'own',
          command: 'homeward start',
          logProblem: problemLogger(logger),
          onDatabaseRestart: () => metrics.databaseRestarts.inc(),
        }),
      );
    } catch (error) {
      context.err(describeFailure(error));
      return 1;
    }
    let gateway: Gateway | undefined;
    try {
      if (services.gateway) gateway = await startGateway({ storage, config, log, metrics, logger });
    } catch (error) {
      const busy = (error as { code?: string }).code === 'EADDRINUSE' ? '. Another broker may hold the port: set HOMEWARD_MQTT_PORT (and HOMEWARD_MQTT_WS_PORT) to free ones.' : '';
      context.err(`${describeFailure(error, `The device gateway could not start (MQTT on ${config.mqtt.host}:${config.mqtt.port})`)}${busy}`);
      await storage.close();
      return 1;
    }
    const readiness = readinessChecks(storage, gateway);
    // Staff see a broker that does not accept devices as a system alert (GET /api/system-alerts).
    const brokerWatch = gateway ? brokerAvailabilityWatch(storage, gateway, config.mqtt, (message) => logger.warn({ component: 'system-alerts' }, message)) : undefined;
    brokerWatch?.start(BROKER_CHECK_MS);
    let metricsServer: RunningMetricsServer | undefined;
    if (config.metricsPort !== undefined || !services.api) {
      // A process without the API (HOMEWARD_SERVICES=gateway) still answers Prometheus and probes.
      metrics.watch({ dbPool: () => storage.db.poolStats?.() });
      const port = config.metricsPort ?? 9464;
      try {
        metricsServer = await startMetricsServer({ metrics, host: config.api.host, port, readiness: [readiness.database, ...readiness.broker] });
      } catch (error) {
        context.err(describeFailure(error, `The metrics listener could not listen on ${config.api.host}:${port}`));
        await gateway?.close();
        await storage.close();
        return 1;
      }
      log(`metrics on http://${config.api.host}:${metricsServer.port}/metrics (readiness: /health/ready)`);
    }
    // The workers boot (and attach to the database) while the API does.
    let rulesWorkers: RulesWorkerSupervisor | undefined;
    if (rulesInChildren && services.api && context.self) {
      rulesWorkers = new RulesWorkerSupervisor({
        command: context.self,
        env: context.env,
        workers: config.rules.workers,
        log,
        forwardErr: context.err,
        onRestart: () => metrics.rulesWorkerRestarts.inc(),
      });
      rulesWorkers.start();
    }
    let app: Awaited<ReturnType<typeof createApiApp>> | undefined;
    let url = `http://${config.api.host}:${metricsServer?.port ?? ''}`;
    if (services.api) {
      app = await createApiApp({
        storage,
        logLevel: config.logLevel,
        logger,
        metrics,
        readiness: readiness.broker,
        https: config.api.https,
        ingest: gateway ? gateway.pipeline : countedPipeline(storage, config, metrics),
        // The stall check runs here even with --no-rules: it is how the api notices the workers stopped.
        rulesEngine: { ...rulesEngineOptions(config), enabled: rulesHere },
      });
      if (rulesWorkers) {
        await rulesWorkers.ready(60_000);
        log(`rules engine in ${config.rules.workers} rules-worker process${config.rules.workers === 1 ? '' : 'es'} (HOMEWARD_RULES_WORKERS), off this process's event loop`);
      }
      try {
        url = await listenApi(app, config.api.host, config.api.port);
      } catch (error) {
        context.err(describeFailure(error, `The API could not listen on ${config.api.host}:${config.api.port}`));
        await rulesWorkers?.stop();
        await app.close().catch(() => undefined);
        await metricsServer?.close();
        await gateway?.close();
        await storage.close();
        return 1;
      }
      log(`API listening on ${url} (health: ${url}/health, API docs: ${url}/api/docs)`);
      if (!rulesWanted) log('rules engine not started here (--no-rules): run `homeward rules-worker` processes');
    } else {
      log('API not started here (HOMEWARD_SERVICES has no api)');
    }
    context.out(`Homeward is running: ${url}/health${services.api ? '' : '/ready'} — press Ctrl-C to stop.`);

    const signal = await context.stopRequested;
    log(`${signal} received: stopping`);
    // Stop taking readings first, then the rules workers (each ends its batch), then the API, then the database.
    await brokerWatch?.stop();
    await gateway?.close();
    await rulesWorkers?.stop();
    await app?.close();
    await metricsServer?.close();
    await storage.close();
    log('stopped cleanly');
    return 0;
  },
};

