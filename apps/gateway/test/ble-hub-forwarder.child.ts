// A home hub process for ble-hub-forwarder.spec.ts: produces BLE submissions into the durable
// queue (printing "durable <i>" once each is fsync'd) while forwarding them upstream over MQTT.
// The spec kills it with SIGKILL mid-stream and starts it again.
import { DurableQueue, HubForwarder, HubReadingSink } from '../src/hub';

export const BASE_TIME = Date.parse('2026-03-01T00:00:00.000Z');

async function main(): Promise<void> {
  const [queuePath = '', url = '', deviceId = '', from = '0', to = '0', clientId = 'hub'] = process.argv.slice(2);
  const queue = await DurableQueue.open(queuePath, { compactAfterAcks: 40 });
  const forwarder = new HubForwarder(queue, { url, clientId, reconnectPeriodMs: 200, maxInFlight: 8, onError: () => undefined });
  const sink = new HubReadingSink(queue, forwarder);
  forwarder.start();
  for (let i = Number(from); i < Number(to); i++) {
    const receivedAt = new Date();
    await sink.submit({
      source: 'ble',
      patientId: 'patient',
      deviceId,
      receivedAt,
      deviceClockAt: new Date(receivedAt.getTime() - 60_000),
      readings: [{ vital: 'heart_rate', value: 60 + (i % 40), unit: '/min', deviceTime: new Date(BASE_TIME + i * 1_000), status: [] }],
    });
    process.stdout.write(`durable ${i}\n`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  process.stdout.write('produced\n');
  const timer = setInterval(() => {
    forwarder.pump();
    if (queue.size === 0 && forwarder.unacknowledged === 0) {
      clearInterval(timer);
      // The last acknowledgement records may still be on their way to disk: say "drained" only
      // once they are (closing the queue waits for its pending writes).
      void forwarder
        .stop()
        .then(() => queue.close())
        .then(() => process.stdout.write('drained\n'));
    }
  }, 20);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
