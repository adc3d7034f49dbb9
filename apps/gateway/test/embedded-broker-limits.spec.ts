// Limits before (and after) authentication, over raw sockets against the embedded broker:
// an oversized CONNECT is cut off on its header, a silent socket is closed after the connect
// timeout, the N+1th unauthenticated socket from one address is closed on accept, and an
// authenticated device's packet is capped at the packet limit (above the payload limit).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics } from '@homeward/contracts';
import { type RealDatabase, realDatabase } from '@homeward/testing';
import { type Gateway, startGateway } from '../src/gateway';
import { aPatientWithDevice, spo2 } from './gateway-device.fixture';
import { RawMqttConnection, is, mqttPackets, remainingLength } from './raw-mqtt.client';

const CONNECT_TIMEOUT_MS = 1_500;
const MAX_PENDING = 3;
let db: RealDatabase;
let dataDir: string;
let gateway: Gateway;
let port: number;
const logged: string[] = [];

beforeAll(async () => {
  db = await realDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'homeward-broker-limits-'));
  gateway = await startGateway({
    storage: db.storage,
    config: {
      mqtt: {
        mode: 'embedded',
        host: '127.0.0.1',
        port: 0,
        tls: undefined,
        wsPort: undefined,
        external: undefined,
        maxPayloadBytes: 4096,
        limits: {
          maxPacketBytes: 8192,
          maxConnectBytes: 64 * 1024,
          connectTimeoutMs: CONNECT_TIMEOUT_MS,
          maxPendingPerAddress: MAX_PENDING,
          credentialsCacheTtlMs: 600_000,
          maxConcurrentSecretChecks: 2,
          storeRetryLimitMs: 60_000,
        },
      },
      ingest: { maxClockSkewMs: 300_000 },
      ble: { enabled: false },
      database: { dataDir },
    },
    log: (message) => logged.push(message),
  });
  port = gateway.broker?.ports.mqtt ?? 0;
});
afterAll(async () => {
  await gateway?.close();
  await db?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

/** Writes `chunk` until the broker closes the socket or `max` bytes went out; returns how many were accepted. */
async function pour(raw: RawMqttConnection, chunk: Buffer, max: number): Promise<number> {
  let sent = 0;
  while (raw.closedAt === undefined && !raw.socket.destroyed && sent < max) {
    const flushed = await Promise.race([new Promise<boolean>((resolve) => raw.socket.write(chunk, (error) => resolve(!error))), raw.closed.then(() => false)]);
    if (!flushed) break;
    sent += chunk.length;
  }
  return sent;
}

it('cuts off a CONNECT declaring 200 MB on its header, holding next to nothing of it', async () => {
  const raw = await RawMqttConnection.open(port);
  const before = process.memoryUsage();
  const started = Date.now();
  raw.write(Buffer.concat([Buffer.from([0x10]), remainingLength(200 * 1024 * 1024)]));
  const sent = await pour(raw, Buffer.alloc(64 * 1024, 0x41), 32 * 1024 * 1024);
  await raw.closed;
  const after = process.memoryUsage();
  const closedAfterMs = (raw.closedAt ?? Date.now()) - started;
  expect(closedAfterMs).toBeLessThan(2_000);
  expect(sent).toBeLessThan(32 * 1024 * 1024); // the broker hung up long before
  expect(raw.received).toEqual([]); // no CONNACK
  // The broker (in this process) did not buffer what was sent (measured: see README).
  expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(8 * 1024 * 1024);
  expect(logged.some((line) => /over the limit of 65536/.test(line))).toBe(true);
});

it('closes a connection whose bytes before authentication pass the CONNECT limit (a 70 KB password)', async () => {
  const device = await aPatientWithDevice(db.storage);
  const raw = await RawMqttConnection.open(port);
  raw.write(mqttPackets.connect(device.deviceId, device.deviceId, 'p'.repeat(70 * 1024)));
  await raw.closed;
  expect(raw.received).toEqual([]);
});

it('answers a payload over the payload limit, and cuts off a packet over the packet limit', async () => {
  const device = await aPatientWithDevice(db.storage);
  const raw = await RawMqttConnection.open(port);
  try {
    raw.write(mqttPackets.connect(device.deviceId, device.deviceId, device.secret));
    expect((await raw.waitFor(is.connack)).returnCode).toBe(0);
    // 6 KB: over the 4 KB payload limit, under the 8 KB packet limit → answered and kept.
    raw.write(mqttPackets.publish({ topic: topics.readings(device.deviceId), qos: 1, id: 1, payload: Buffer.alloc(6 * 1024, 0x20) }));
    await raw.waitFor(is.puback(1));
    const kept = await db.storage.rejected.list({ deviceId: device.deviceId, limit: 5 });
    expect(kept.map((k) => k.reasonCode)).toEqual(['payload.too-large']);
    raw.write(mqttPackets.publish({ topic: topics.readings(device.deviceId), qos: 1, id: 2, payload: spo2(95, '2026-11-07T08:00:00Z') }));
    await raw.waitFor(is.puback(2));
    // 10 KB: over the packet limit → the connection ends on the header, no PUBACK.
    raw.write(mqttPackets.publish({ topic: topics.readings(device.deviceId), qos: 1, id: 3, payload: Buffer.alloc(10 * 1024, 0x20) }));
    await raw.closed;
    expect(raw.received.some(is.puback(3))).toBe(false);
  } finally {
    raw.close();
  }
});

it(`closes the ${MAX_PENDING + 1}th unauthenticated socket from one address at once, and silent sockets after the connect timeout`, async () => {
  const device = await aPatientWithDevice(db.storage);
  const openedAt = Date.now();
  const pending = [await RawMqttConnection.open(port), await RawMqttConnection.open(port), await RawMqttConnection.open(port)];
  const extra = await RawMqttConnection.open(port);
  await extra.closed;
  expect((extra.closedAt ?? 0) - openedAt).toBeLessThan(CONNECT_TIMEOUT_MS / 2);
  expect(pending.map((p) => p.closedAt)).toEqual([undefined, undefined, undefined]);
  expect(logged.some((line) => line.includes(`${MAX_PENDING} connections from it have not authenticated yet`))).toBe(true);

  // Authenticating frees its slot: the next socket is accepted (and then left to time out).
  const [first, ...silent] = pending as [RawMqttConnection, RawMqttConnection, RawMqttConnection];
  first.write(mqttPackets.connect(device.deviceId, device.deviceId, device.secret));
  expect((await first.waitFor(is.connack)).returnCode).toBe(0);
  const lateOpenedAt = Date.now();
  const late = await RawMqttConnection.open(port);

  await Promise.all([...silent, late].map((s) => s.closed));
  for (const s of silent) expect((s.closedAt ?? 0) - openedAt).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 50);
  const lateLived = (late.closedAt ?? 0) - lateOpenedAt;
  expect(lateLived).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 50);
  expect(lateLived).toBeLessThan(CONNECT_TIMEOUT_MS + 3_000);
  // The authenticated one is unaffected by the timeout.
  first.write(mqttPackets.pingreq);
  await first.waitFor(is.pingresp);
  first.close();
});
