import { type BleCentral, type BleDeviceRegistration, BleSource, FileGlucoseSequenceStore, staticBleDeviceDirectory } from '../ble';
import { DurableQueue } from './durable-queue';
import { HubForwarder } from './hub-forwarder';
import { HubReadingSink } from './hub-reading.sink';

export interface HubOptions {
  /** The Homeward gateway (or broker) upstream, and this hub's own device credentials. */
  readonly upstream: { readonly url: string; readonly deviceId: string; readonly secret: string };
  /** The BLE devices at this home (their Homeward device ids, serials and addresses). */
  readonly devices: readonly BleDeviceRegistration[];
  /** Where the durable queue and the glucose sequence numbers live. */
  readonly queuePath: string;
  readonly sequencesPath: string;
  readonly central: BleCentral;
  readonly log: (message: string) => void;
}

export interface RunningHub {
  readonly source: BleSource;
  readonly forwarder: HubForwarder;
  readonly queue: DurableQueue;
  close(): Promise<void>;
}

/**
 * Hub mode: a gateway in the patient's home. BLE readings are not stored locally but appended to
 * a durable on-disk queue (fsync'd before the device's record counts as taken) and sent upstream
 * over MQTT as this hub, under each device's own readings topic, until PUBACKed; a home without
 * internet loses nothing and catches up when the link returns.
 */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const queue = await DurableQueue.open(options.queuePath);
  const forwarder = new HubForwarder(queue, {
    url: options.upstream.url,
    clientId: options.upstream.deviceId,
    username: options.upstream.deviceId,
    password: options.upstream.secret,
    onError: (error) => options.log(`upstream: ${error.message}`),
  });
  forwarder.start();
  const source = new BleSource({
    central: options.central,
    directory: staticBleDeviceDirectory(options.devices),
    sink: new HubReadingSink(queue, forwarder),
    sequences: new FileGlucoseSequenceStore(options.sequencesPath),
    onEvent: (event) => {
      if (event.type === 'session-failed' || event.type === 'frame-refused' || event.type === 'submit-failed') options.log(`BLE ${event.type}: ${JSON.stringify(event)}`);
    },
  });
  try {
    await source.start();
  } catch (error) {
    await forwarder.stop();
    await queue.close();
    throw error;
  }
  return {
    source,
    forwarder,
    queue,
    async close() {
      await source.stop();
      await forwarder.stop();
      await queue.close();
    },
  };
}
