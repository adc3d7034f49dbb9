// The hub forwarder's resend after a lost connection, seen by a real broker (aedes over TCP):
// mqtt.js resends the unacknowledged publish by itself; it must arrive marked DUP and with a
// sentAt stamped for that attempt, so the gateway neither reads the wait as a slow clock nor
// shifts the reading.
import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { DurableQueue, HubForwarder, HubReadingSink } from '../src/hub';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

async function waitFor(what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('hub forwarder resends', () => {
  let dir: string;
  let server: Server;
  let broker: Aedes;
  let port: number;
  const seen: Array<{ dup: boolean; body: { messageId: string; sentAt?: string; readings: unknown[] } }> = [];
  /** How many publishes the broker fails (no PUBACK, connection dropped) before accepting. */
  let failFirst = 0;
  let onFail: () => void = () => undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeward-hub-resend-'));
    broker = await Aedes.createBroker({
      authorizePublish(_client, packet, callback) {
        seen.push({ dup: packet.dup === true, body: JSON.parse(packet.payload.toString()) });
        if (failFirst > 0) {
          failFirst -= 1;
          onFail();
          callback(new Error('store unreachable'));
          return;
        }
        callback(null);
      },
    });
    server = createServer((socket) => broker.handle(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('a resend after a dropped connection is marked DUP and stamped for its own attempt; the queue is acknowledged once', async () => {
    let clock = T0;
    failFirst = 1;
    onFail = () => (clock += 10 * 60_000); // the link is down for ten minutes before the resend
    const queue = await DurableQueue.open(join(dir, 'queue.jsonl'));
    const forwarder = new HubForwarder(queue, { url: `mqtt://127.0.0.1:${port}`, clientId: 'hub-resend', reconnectPeriodMs: 50, now: () => new Date(clock) });
    try {
      // The device clock read 60 s slow when the hub took the reading.
      await queue.enqueue({ id: 'q-1', topic: 'homeward/v1/devices/d-1/readings', body: { readings: [{ vital: 'spo2', value: 95, unit: '%', deviceTime: '2026-03-01T09:58:30.000Z' }] }, clockOffsetMs: 60_000, enqueuedAt: new Date(T0).toISOString() });
      forwarder.start();
      await waitFor('the acknowledgement', () => queue.pending().length === 0 && forwarder.unacknowledged === 0);
      expect(seen.map((s) => [s.dup, s.body.messageId, s.body.sentAt])).toEqual([
        [false, 'q-1', '2026-03-01T09:59:00.000Z'],
        [true, 'q-1', '2026-03-01T10:09:00.000Z'],
      ]);
      expect(seen[1]?.body.readings).toEqual(seen[0]?.body.readings);
    } finally {
      await forwarder.stop();
      await queue.close();
    }
  });

  it('measures the wait on a monotonic clock: a wall-clock jump (NTP setting a hub clock) does not reach sentAt', async () => {
    seen.length = 0;
    failFirst = 0;
    let wall = T0;
    let monotonic = 5_000;
    const queue = await DurableQueue.open(join(dir, 'queue-jump.jsonl'));
    const forwarder = new HubForwarder(queue, { url: `mqtt://127.0.0.1:${port}`, clientId: 'hub-jump', reconnectPeriodMs: 50, now: () => new Date(wall), monotonic: () => monotonic });
    try {
      // Taken in this run: the device clock read 10:00:00 at BLE receipt, while the hub's own
      // wall clock said 10:01:00.
      const sink = new HubReadingSink(queue, forwarder);
      await sink.submit({ source: 'ble', patientId: 'p-1', deviceId: 'd-2', receivedAt: new Date(T0 + 60_000), deviceClockAt: new Date(T0), readings: [{ vital: 'body_weight', value: 71.2, unit: 'kg', deviceTime: new Date(T0 - 5_000) }] });
      // Queued by an earlier run of the hub (no monotonic stamp survives a restart): wall clock it is.
      await queue.enqueue({ id: 'earlier-run', topic: 'homeward/v1/devices/d-3/readings', body: { readings: [{ vital: 'spo2', value: 97, unit: '%' }] }, clockOffsetMs: 30_000, enqueuedAt: new Date(T0).toISOString() });
      // Ten minutes pass, and the hub's wall clock is set three days forward.
      monotonic += 10 * 60_000;
      wall += 3 * 24 * 60 * 60_000 + 10 * 60_000;
      forwarder.start();
      await waitFor('both acknowledgements', () => queue.pending().length === 0 && forwarder.unacknowledged === 0);
      const sentAt = Object.fromEntries(seen.map((s) => [s.body.readings.length === 1 && (s.body.readings[0] as { vital: string }).vital, s.body.sentAt]));
      expect(sentAt).toEqual({ body_weight: '2026-03-01T10:10:00.000Z', spo2: new Date(wall - 30_000).toISOString() });
    } finally {
      await forwarder.stop();
      await queue.close();
    }
  });
});
