import { join } from 'node:path';
import { type HomewardConfig, redactUrlPassword } from '@homeward/config';
import { type BleCentral, BleSource, FileGlucoseSequenceStore, createNobleBleCentral, registryBleDirectory } from './ble';
import { type Storage, type StoredReading, rateLimitStoreClient } from '@homeward/storage';
import { IngestPipeline } from '@homeward/ingest';
import { DeviceActivityTracker } from './mqtt/device-activity.tracker';
import { DeviceDirectory } from './mqtt/device-directory';
import type { HomewardMetrics, Logger } from '@homeward/observability';
import { ObservedDeviceMessageHandler } from './mqtt/observed-message.handler';
import { type BrokerLimits, DEFAULT_BROKER_LIMITS, type RunningBroker, startEmbeddedBroker } from './mqtt/embedded-broker';
import { type ExternalConsumer, startExternalConsumer } from './mqtt/external-broker.consumer';
import { DEVICE_SIGN_IN_LIMITS, SignInThrottle } from '@homeward/auth';
import { type SmsSource, startSmsSource } from './sms';

export interface Gateway {
  readonly pipeline: IngestPipeline;
  readonly broker: RunningBroker | undefined;
  readonly external: ExternalConsumer | undefined;
  readonly ble: BleSource | undefined;
  /** Readings by SMS over SMPP, when an SMSC is configured. */
  readonly sms: SmsSource | undefined;
  /** The device cache, following registry changes (onChange tells when one reached this gateway). */
  readonly devices: DeviceDirectory;
  /** Why the broker side is not ready (embedded listeners closed, external broker disconnected); undefined when it is. */
  brokerProblem(): string | undefined;
  /** Writes the device contact heard so far (last seen, device_contacts) now instead of at the next periodic flush. */
  flushActivity(): Promise<void>;
  close(): Promise<void>;
}

/** The device gateway: the ingest pipeline and the MQTT side (embedded broker or external consumer). */
export async function startGateway(options: {
  storage: Storage;
  config: Pick<HomewardConfig, 'mqtt' | 'ingest' | 'ble' | 'sms'> & { database: Pick<HomewardConfig['database'], 'dataDir'> };
  log: (message: string) => void;
  onStored?: (stored: readonly StoredReading[]) => void;
  /** The Bluetooth central to use when BLE is on; by default noble over this machine's adapter. */
  bleCentral?: () => BleCentral;
  /** Counted into these metrics (messages, readings, rejections, latency, connections). */
  metrics?: HomewardMetrics;
  /** Structured device events (device id, outcome, reason codes). */
  logger?: Logger;
  /**
   * The time the embedded broker stamps on receipts, device contact, connection status and
   * refusals (default: the system clock). `homeward demo` passes its replay clock, the one its
   * rules engine judges by, so a backtest of the demo reads the times the engine saw.
   */
  clock?: () => Date;
}): Promise<Gateway> {
  const { storage, config, log } = options;
  const stampClock = options.clock;
  const pipeline = new IngestPipeline(storage, {
    maxClockSkewMs: config.ingest.maxClockSkewMs,
    onWakeError: (error) => log(`could not wake the rules engine after a commit (it polls meanwhile): ${String(error)}`),
    onStored: (stored) => {
      for (const reading of stored) options.metrics?.readingsStored.inc({ source: reading.source });
      options.onStored?.(stored);
    },
  });
  const directory = new DeviceDirectory(storage.registry);
  // Registry changes reach the cache at commit (migration 0009's NOTIFY); without it, a 30 s TTL.
  await directory.follow(storage.db).catch((error: unknown) => log(`device changes not followed (device cache expires after 30 s): ${String(error)}`));
  const deviceChanges = (listener: (deviceId: string | undefined) => void) => directory.onChange(listener);
  const activity = new DeviceActivityTracker(storage.registry, 5_000, (error) => log(`could not record device activity: ${String(error)}`));
  const handler = new ObservedDeviceMessageHandler(pipeline, directory, storage.registry, activity, config.mqtt.maxPayloadBytes).observe(options.metrics, options.logger);

  let broker: RunningBroker | undefined;
  let external: ExternalConsumer | undefined;
  let ble: BleSource | undefined;
  let sms: SmsSource | undefined;
  let closeBleDirectory = () => undefined as void;
  try {
    if (config.mqtt.mode === 'embedded') {
      broker = await startEmbeddedBroker({
        listeners: { host: config.mqtt.host, port: config.mqtt.port, tls: config.mqtt.tls, wsPort: config.mqtt.wsPort },
        handler,
        directory,
        throttle: new SignInThrottle(rateLimitStoreClient(storage.db), 'mqtt', DEVICE_SIGN_IN_LIMITS),
        replaceCredentialsHash: (deviceId, from, to) => storage.registry.replaceDeviceCredentialsHash(deviceId, from, to),
        log,
        redisUrl: config.mqtt.redisUrl,
        recordRefusal: (refusal) => pipeline.recordRejection({ source: 'mqtt', ...refusal }),
        ...(stampClock ? { stamp: () => stampClock().getTime() } : {}),
        ...(config.mqtt.limits ? { limits: brokerLimits(config.mqtt.limits) } : {}),
        ...(options.logger ? { onConnection: ({ type, deviceId, clientId }) => options.logger?.info({ deviceId, clientId }, `device ${type}`) } : {}),
      });
      const { mqtt, mqtts, ws } = broker.ports;
      log(`MQTT broker listening on ${config.mqtt.host}: mqtt ${mqtt}${mqtts === undefined ? '' : `, mqtts ${mqtts}`}${ws === undefined ? '' : `, ws ${ws}`}${config.mqtt.redisUrl === undefined ? '' : `; sessions shared through Redis ${redactUrlPassword(config.mqtt.redisUrl)}`}`);
    } else if (config.mqtt.mode === 'external' && config.mqtt.external) {
      external = await startExternalConsumer({
        external: config.mqtt.external,
        handler,
        log,
        ...(config.mqtt.limits ? { storeRetry: { ...DEFAULT_BROKER_LIMITS.storeRetry, giveUpAfterMs: config.mqtt.limits.storeRetryLimitMs } } : {}),
      });
      log(`consuming device topics from ${redactUrlPassword(config.mqtt.external.url)} (shared group "${config.mqtt.external.sharedGroup}")`);
    }
    if (config.ble.enabled) {
      const { directory, close } = await registryBleDirectory(storage.registry, { onError: (error) => log(`BLE device list: ${String(error)}`), changes: deviceChanges });
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
    if (config.sms) sms = await startSmsSource({ config: config.sms, storage, pipeline, log });
  } catch (error) {
    await sms?.close();
    closeBleDirectory();
    await broker?.close();
    await external?.close();
    await activity.close();
    await directory.close();
    throw error;
  }
  const brokerProblem = (): string | undefined => {
    if (broker && !broker.listening()) return 'the embedded MQTT broker is not listening';
    if (external && !external.client.connected) return 'the external MQTT broker is not connected';
    return undefined;
  };
  if (broker || external) {
    options.metrics?.watch({ brokerLinkUp: () => brokerProblem() === undefined, ...(broker ? { mqttConnections: () => broker.connectedClients() } : {}) });
  }
  return {
    pipeline,
    broker,
    external,
    ble,
    sms,
    devices: directory,
    brokerProblem,
    flushActivity: () => activity.flush(),
    async close() {
      await sms?.close();
      await ble?.stop();
      closeBleDirectory();
      await broker?.close();
      await external?.close();
      await activity.close();
      await directory.close();
    },
  };
}

/** The configured limits as the embedded broker takes them. */
function brokerLimits(limits: NonNullable<HomewardConfig['mqtt']['limits']>): Partial<BrokerLimits> {
  return {
    maxPacketBytes: limits.maxPacketBytes,
    maxConnectBytes: limits.maxConnectBytes,
    connectTimeoutMs: limits.connectTimeoutMs,
    maxPendingPerAddress: limits.maxPendingPerAddress,
    credentialsCacheTtlMs: limits.credentialsCacheTtlMs,
    maxConcurrentSecretChecks: limits.maxConcurrentSecretChecks,
    storeRetry: { ...DEFAULT_BROKER_LIMITS.storeRetry, giveUpAfterMs: limits.storeRetryLimitMs },
  };
}
