import { type INestApplication } from '@nestjs/common';
import { type RulesEngineOptions, createApiApp, listenApi } from '@homeward/api';
import type { HomewardConfig } from '@homeward/config';
import { type Gateway, startGateway } from '@homeward/gateway';
import { type Storage, openStorage } from '@homeward/storage';
import { describeFailure } from '../describe-failure';
import { storageOptions } from '../storage-and-topics';

export interface DemoServices {
  readonly storage: Storage;
  readonly gateway: Gateway;
  readonly app: INestApplication;
  readonly apiUrl: string;
  readonly mqttPort: number;
  close(): Promise<void>;
}

/** Which ports the operator set explicitly: those are kept even when busy (and then fail). */
export interface ExplicitPorts {
  readonly mqtt: boolean;
  readonly ws: boolean;
  readonly api: boolean;
}

const busy = (error: unknown) => (error as { code?: string }).code === 'EADDRINUSE';

/**
 * What `homeward start` starts (database, migrations, gateway, API with the rules engine), with
 * one difference for a first try on a busy machine: a default port that is taken (1883 held by
 * a local Mosquitto, 3000 by another server) is swapped for a free one, and the caller prints it.
 */
export async function startDemoServices(
  config: HomewardConfig,
  explicit: ExplicitPorts,
  log: (message: string) => void,
  step: (message: string) => void,
  rulesEngine?: RulesEngineOptions,
  /** What the gateway stamps receipts and device contact with (the demo's replay clock); default the system clock. */
  clock?: () => Date,
): Promise<DemoServices> {
  step(
    config.database.url
      ? 'Connecting to the PostgreSQL server in DATABASE_URL and applying migrations…'
      : `Starting the embedded PostgreSQL in ${config.database.dataDir} (the first run initialises it: allow up to a minute) and applying migrations…`,
  );
  const storage = await openStorage(storageOptions(config, log, config.database.poolSize, { use: 'own', command: 'homeward demo' }));
  let gateway: Gateway | undefined;
  let app: INestApplication | undefined;
  try {
    step('Starting the MQTT device gateway…');
    gateway = await startGatewayWithFallback(storage, config, explicit, log, clock);
    const mqttPort = gateway.broker?.ports.mqtt ?? config.mqtt.port;
    step('Starting the API, the rules engine and the dashboard…');
    app = await createApiApp({ storage, logLevel: config.logLevel, ingest: gateway.pipeline, ...(rulesEngine ? { rulesEngine } : {}) });
    let apiUrl: string;
    try {
      apiUrl = await listenApi(app, config.api.host, config.api.port);
    } catch (error) {
      if (!busy(error) || explicit.api) throw new Error(describeFailure(error, `The API could not listen on ${config.api.host}:${config.api.port}`));
      log(`port ${config.api.port} is taken: the API listens on a free port instead`);
      await app.close().catch(() => undefined);
      app = await createApiApp({ storage, logLevel: config.logLevel, ingest: gateway.pipeline, ...(rulesEngine ? { rulesEngine } : {}) });
      apiUrl = await listenApi(app, config.api.host, 0);
    }
    const started = { app, gateway };
    return {
      storage,
      gateway,
      app,
      apiUrl,
      mqttPort,
      async close() {
        // Stop taking readings first, then the API, then the database (as `homeward start`).
        await started.gateway.close();
        await started.app.close();
        await storage.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await gateway?.close().catch(() => undefined);
    await storage.close().catch(() => undefined);
    throw error;
  }
}

async function startGatewayWithFallback(storage: Storage, config: HomewardConfig, explicit: ExplicitPorts, log: (message: string) => void, clock?: () => Date): Promise<Gateway> {
  // The demo needs no WebSocket listener (the patient-app simulators use plain MQTT) unless asked.
  const demoConfig = { ...config, mqtt: { ...config.mqtt, wsPort: explicit.ws ? config.mqtt.wsPort : undefined } };
  try {
    return await startGateway({ storage, config: demoConfig, log, ...(clock ? { clock } : {}) });
  } catch (error) {
    if (!busy(error) || explicit.mqtt) throw error;
    log(`MQTT port ${config.mqtt.port} is taken (another broker?): the demo uses a free port instead`);
    return startGateway({ storage, config: { ...demoConfig, mqtt: { ...demoConfig.mqtt, port: 0 } }, log, ...(clock ? { clock } : {}) });
  }
}
