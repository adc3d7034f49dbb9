import { join } from 'node:path';
import { type HomewardConfig, redactUrlPassword } from '@homeward/config';
import { type BleCentral, BleSource, FileGlucoseSequenceStore, createNobleBleCentral, registryBleDirectory } from './ble';
import type { Storage, StoredReading } from '@homeward/storage';
import { IngestPipeline } from '@homeward/ingest';
import { DeviceActivityTracker } from './mqtt/device-activity.tracker';
import { DeviceDirectory } from './mqtt/device-directory';
import { DeviceMessageHandler } from './mqtt/device-message.handler';
import { type RunningBroker, startEmbeddedBroker } from './mqtt/embedded-broker';
import { type ExternalConsumer, startExternalConsumer } from './mqtt/external-broker.consumer';
import { LoginRateLimiter } from '@homeward/auth';

export interface Gateway {
  readonly pipeline: IngestPipeline;
  readonly broker: RunningBroker | undefined;
  readonly external: ExternalConsumer | undefined;
  readonly ble: BleSource | undefined;
  close(): Promise<void>;
}

/** The device gateway: the ingest pipeline and the MQTT side (embedded broker or external consumer). */
export async function startGateway(options: {
  storage: Storage;
  config: Pick<HomewardConfig, 'mqtt' | 'ingest' | 'ble'> & { database: Pick<HomewardConfig['database'], 'dataDir'> };
  log: (message: string) => void;
  onStored?: (stored: readonly StoredReading[]) => void;
  /** The Bluetooth central to use when BLE is on; by default noble over this machine's adapter. */
  bleCentral?: () => BleCentral;
}): Promise<Gateway> {
  const { storage, config, log } = options;
  const pipeline = new IngestPipeline(storage, {
    maxClockSkewMs: config.ingest.maxClockSkewMs,
    ...(options.onStored ? { onStored: options.onStored } : {}),
  });
  const directory = new DeviceDirectory(storage.registry);
  const activity = new DeviceActivityTracker(storage.registry, 5_000, (error) => log(`could not record device activity: ${String(error)}`));
  const handler = new DeviceMessageHandler(pipeline, directory, storage.registry, activity, config.mqtt.maxPayloadBytes);

  let broker: RunningBroker | undefined;
  let external: ExternalConsumer | undefined;
  let ble: BleSource | undefined;
  let closeBleDirectory = () => undefined as void;
  try {
    if (config.mqtt.mode === 'embedded') {
      broker = await startEmbeddedBroker({
        listeners: { host: config.mqtt.host, port: config.mqtt.port, tls: config.mqtt.tls, wsPort: config.mqtt.wsPort },
        handler,
        directory,
        rateLimiter: new LoginRateLimiter(),
        log,
      });
      const { mqtt, mqtts, ws } = broker.ports;
      log(`MQTT broker listening on ${config.mqtt.host}: mqtt ${mqtt}${mqtts === undefined ? '' : `, mqtts ${mqtts}`}${ws === undefined ? '' : `, ws ${ws}`}`);
    } else if (config.mqtt.mode === 'external' && config.mqtt.external) {
      external = await startExternalConsumer({ external: config.mqtt.external, handler, log });
      log(`consuming device topics from ${redactUrlPassword(config.mqtt.external.url)} (shared group "${config.mqtt.external.sharedGroup}")`);
    }
    if (config.ble.enabled) {
      const { directory, close } = await registryBleDirectory(storage.registry, { onError: (error) => log(`BLE device list: ${String(error)}`) });
      closeBleDirectory = close;
      ble = new BleSource({
        central: (options.bleCentral ?? (() => createNobleBleCentral()))(),
        directory,
        sink: pipeline,
        registry: storage.registry,
        sequences: new FileGlucoseSequenceStore(join(config.database.dataDir, 'ble-glucose-sequences.json')),
        onEvent: (event) => {
          if (event.type === 'session-failed' || event.type === 'frame-refused' || event.type === 'submit-failed') log(`BLE ${event.type}: ${JSON.stringify(event)}`);
        },
      });
      await ble.start();
      log('BLE source scanning for health devices');
    }
  } catch (error) {
    closeBleDirectory();
    await broker?.close();
    await external?.close();
    await activity.close();
    throw error;
  }
  return {
    pipeline,
    broker,
    external,
    ble,
    async close() {
      await ble?.stop();
      closeBleDirectory();
      await broker?.close();
      await external?.close();
      await activity.close();
    },
  };
}
