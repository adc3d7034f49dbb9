import { createApiApp, listenApi } from '@homeward/api';
import { type Gateway, startGateway } from '@homeward/gateway';
import { openStorage } from '@homeward/storage';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import { stderrLogger } from '../log';
import { storageOptions } from '../storage-and-topics';

export const startCommand: Command = {
  summary: 'Start Homeward: the database (embedded unless DATABASE_URL is set), migrations, the device gateway (MQTT) and the API.',
  usage: 'homeward start',
  async run(context: CliContext): Promise<number> {
    const config = context.config();
    if (!config) return 2;
    const log = stderrLogger(context.err);
    let storage;
    try {
      storage = await openStorage(storageOptions(config, log));
    } catch (error) {
      context.err(describeFailure(error));
      return 1;
    }
    let gateway: Gateway;
    try {
      gateway = await startGateway({ storage, config, log });
    } catch (error) {
      const busy = (error as { code?: string }).code === 'EADDRINUSE' ? '. Another broker may hold the port: set HOMEWARD_MQTT_PORT (and HOMEWARD_MQTT_WS_PORT) to free ones.' : '';
      context.err(`${describeFailure(error, `The device gateway could not start (MQTT on ${config.mqtt.host}:${config.mqtt.port})`)}${busy}`);
      await storage.close();
      return 1;
    }
    const app = await createApiApp({ storage, logLevel: config.logLevel, ingest: gateway.pipeline });
    let url: string;
    try {
      url = await listenApi(app, config.api.host, config.api.port);
    } catch (error) {
      context.err(describeFailure(error, `The API could not listen on ${config.api.host}:${config.api.port}`));
      await app.close().catch(() => undefined);
      await gateway.close();
      await storage.close();
      return 1;
    }
    log(`API listening on ${url} (health: ${url}/health, API docs: ${url}/api/docs)`);
    context.out(`Homeward is running: ${url}/health — press Ctrl-C to stop.`);

    const signal = await context.stopRequested;
    log(`${signal} received: stopping`);
    // Stop taking readings first, then the API, then the database.
    await gateway.close();
    await app.close();
    await storage.close();
    log('stopped cleanly');
    return 0;
  },
};
