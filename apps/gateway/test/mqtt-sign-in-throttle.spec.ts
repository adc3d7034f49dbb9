// Issue 17, "Throttling that holds under concurrency", for devices: a burst of CONNECTs guessing
// one device's secret gets at most its budget of scrypt checks, whatever the concurrency; other
// devices behind the same address are not locked out; an unknown device id costs the same scrypt
// work as a wrong secret. Real PostgreSQL (the shared sign_in_limits table), real sockets.
import { randomUUID } from 'node:crypto';
import type { RealDatabase } from '@homeward/testing';
import { aPatientWithDevice, anEmbeddedGateway } from './gateway-device.fixture';
import { RawMqttConnection, is, mqttPackets } from './raw-mqtt.client';

let db: RealDatabase;
let port: number;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, port, close } = await anEmbeddedGateway('mqtt-throttle'));
}, 60_000);
afterAll(async () => close?.());

/** CONNECT from a local address; the CONNACK return code, or 'closed' when the broker closed without one. */
async function connack(from: string, deviceId: string, secret: string): Promise<number | 'closed'> {
  const raw = await RawMqttConnection.open(port, from);
  raw.write(mqttPackets.connect(deviceId, deviceId, secret));
  try {
    return (await raw.waitFor(is.connack, 30_000)).returnCode;
  } catch {
    return 'closed';
  } finally {
    raw.socket.destroy();
  }
}

it('checks at most 5 secrets when 200 wrong CONNECTs for one device arrive at once; another device behind the same addresses still gets in', async () => {
  const target = await aPatientWithDevice(db.storage);
  // Spread over 8 local addresses so the per-address cap on unauthenticated connections (32) is not what refuses them.
  const codes = await Promise.all(Array.from({ length: 200 }, (_, i) => connack(`127.0.30.${1 + (i % 8)}`, target.deviceId, `guess-${i}`)));
  const tally = codes.reduce<Record<string, number>>((t, c) => ({ ...t, [String(c)]: (t[String(c)] ?? 0) + 1 }), {});
  // 4: bad user name or password (a secret was checked); 5: not authorised (refused before any check).
  expect(tally).toEqual({ 4: 5, 5: 195 });
  // The device's own budget is spent: even its right secret waits for the window.
  expect(await connack('127.0.30.9', target.deviceId, target.secret)).toBe(5);
  // Another device behind the same address was never locked out.
  const neighbour = await aPatientWithDevice(db.storage);
  expect(await connack('127.0.30.1', neighbour.deviceId, neighbour.secret)).toBe(0);
}, 120_000);

it('spends the same scrypt work on an unknown device id as on a known one, so timing does not reveal devices', async () => {
  const known = await aPatientWithDevice(db.storage);
  const timings = { known: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < 4; i++) {
    let started = performance.now();
    expect(await connack('127.0.31.1', known.deviceId, `wrong-${i}`)).toBe(4);
    timings.known.push(performance.now() - started);
    started = performance.now();
    expect(await connack('127.0.31.2', randomUUID(), 'wrong')).toBe(4);
    timings.unknown.push(performance.now() - started);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  // A skipped check answers in about a millisecond; scrypt (N=2^15, r=8) takes tens here.
  expect(median(timings.unknown)).toBeGreaterThan(20);
  expect(median(timings.unknown)).toBeGreaterThan(median(timings.known) / 3);
}, 60_000);
