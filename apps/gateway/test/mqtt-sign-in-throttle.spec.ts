// Issue 17, "Throttling that holds under concurrency", for devices: a burst of CONNECTs guessing
// one device's secret gets at most its budget of scrypt checks, whatever the concurrency; other
// devices behind the same address are not locked out; an unknown device id costs the same
// work as a wrong secret. Real PostgreSQL (the shared sign_in_limits table), real sockets.
import { randomUUID } from 'node:crypto';
import { type RealDatabase, eventually } from '@homeward/testing';
import type { Gateway } from '../src';
import { aPatientWithDevice, anEmbeddedGateway } from './gateway-device.fixture';
import { connackCode } from './raw-mqtt.client';

/** The secret with its last character replaced by another (never the same one, whatever the secret ends with). */
function wrongSecret(secret: string, n = 0): string {
  return `${secret.slice(0, -1)}${'ABCDEFGHIJ'.replace(secret.slice(-1), '').charAt(n)}`;
}

let db: RealDatabase;
let gateway: Gateway;
let port: number;
let close: () => Promise<void>;

/** Every statement the gateway sent to PostgreSQL, in order, with its parameters. */
const queries: Array<{ text: string; params: readonly unknown[] }> = [];

beforeAll(async () => {
  ({ db, gateway, port, close } = await anEmbeddedGateway('mqtt-throttle'));
  const query = db.storage.db.query.bind(db.storage.db);
  db.storage.db.query = (text, params) => {
    queries.push({ text, params: params ?? [] });
    return query(text, params);
  };
}, 60_000);
afterAll(async () => close?.());

const connack = (from: string, deviceId: string, secret: string) => connackCode(port, from, deviceId, secret);

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

it('spends the same work on an unknown device id as on a wrong secret, so neither the answer nor its cost reveals devices', async () => {
  const known = await aPatientWithDevice(db.storage);
  const work = { known: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < 4; i++) {
    for (const [kind, deviceId, from] of [['known', known.deviceId, '127.0.31.1'], ['unknown', randomUUID(), '127.0.31.2']] as const) {
      const before = queries.length;
      expect(await connack(from, deviceId, `wrong-${i}`)).toBe(4);
      work[kind].push(queries.slice(before).filter((q) => q.text.includes('sign_in_limits')).length);
    }
  }
  // The same sign-in-limit round trips for both, and the same kind of hash check in the broker (a
  // SHA-256 decoy for an unknown id, as every new device's secret is stored). The work is counted,
  // not timed: a timing assertion failed on a loaded machine, and the gateway's directory answers a
  // device it has looked up before from memory while an unknown id always asks the database, so
  // wall time differs by a round trip either way (device ids are random UUIDs, not guessable).
  expect(work.unknown).toEqual(work.known);
  expect(work.known.every((n) => n > 0)).toBe(true);
}, 60_000);

/**
 * Statements sent while `act` ran, of those naming `table` and, given `about`, with a parameter
 * naming one of those (a device id, an address): an earlier test's refused logins may still be
 * counting (their penalty is written after the refusal is sent), and on a loaded machine those
 * land later.
 */
async function statementsDuring(table: string, act: () => Promise<void>, about?: readonly string[]): Promise<string[]> {
  const before = queries.length;
  await act();
  return queries
    .slice(before)
    .filter((q) => q.text.includes(table) && (about === undefined || q.params.some((p) => typeof p === 'string' && about.some((a) => p.includes(a)))))
    .map((q) => q.text);
}

/**
 * A new device, once the gateway has heard of its registration (the devices table's notification).
 * That notification makes the gateway forget the device's remembered secret; arriving after the
 * first login, as it did on a loaded machine, it made the next login a counted one.
 */
async function aDeviceTheGatewayHeardOf(): Promise<Awaited<ReturnType<typeof aPatientWithDevice>>> {
  const heard = new Set<string>();
  const stop = gateway.devices.onChange((deviceId) => void (deviceId !== undefined && heard.add(deviceId)));
  try {
    const device = await aPatientWithDevice(db.storage);
    await eventually(() => heard.has(device.deviceId), 'the gateway hearing of the new device');
    return device;
  } finally {
    stop();
  }
}

it('lets a device whose secret it verified recently back in from memory: no sign-in-limit round trips; wrong secrets are still counted and limited', async () => {
  const device = await aDeviceTheGatewayHeardOf();
  const cold = await statementsDuring('sign_in_limits', async () => expect(await connack('127.0.32.1', device.deviceId, device.secret)).toBe(0), [device.deviceId, '127.0.32.']);
  expect(cold.length).toBeGreaterThan(0); // a first login is counted like any other (and the filter sees its statements)
  const warm = await statementsDuring(
    'sign_in_limits',
    async () => {
      for (let i = 0; i < 5; i++) expect(await connack(`127.0.32.${2 + i}`, device.deviceId, device.secret)).toBe(0);
    },
    [device.deviceId, '127.0.32.'],
  );
  expect(warm).toEqual([]);
  // A wrong secret never matches what is remembered: it takes the counted path, 5 then refused unchecked.
  const guesses: Array<number | 'closed'> = [];
  const counted = await statementsDuring('sign_in_limits', async () => {
    for (let i = 0; i < 7; i++) guesses.push(await connack('127.0.32.20', device.deviceId, wrongSecret(device.secret, i)));
  });
  expect(guesses).toEqual([4, 4, 4, 4, 4, 5, 5]);
  expect(counted.length).toBeGreaterThanOrEqual(7);
  // Guesses cannot lock the device itself out while its right secret is remembered.
  expect(await connack('127.0.32.21', device.deviceId, device.secret)).toBe(0);
}, 60_000);

it('verifies a new device secret against its fast hash and refuses a wrong one', async () => {
  const device = await aPatientWithDevice(db.storage);
  expect((await db.storage.registry.deviceAccess(device.deviceId))?.credentialsHash).toMatch(/^sha256\$/);
  expect(await connack('127.0.33.1', device.deviceId, wrongSecret(device.secret))).toBe(4);
  expect(await connack('127.0.33.1', device.deviceId, '')).not.toBe(0);
  expect(await connack('127.0.33.2', device.deviceId, device.secret)).toBe(0);
}, 60_000);

it('replaces a legacy scrypt hash by the fast hash after a successful login, and the device still gets in with its secret', async () => {
  const device = await aPatientWithDevice(db.storage, 'pulse-oximeter', { legacyHash: true });
  const stored = async () => (await db.storage.registry.deviceAccess(device.deviceId))?.credentialsHash ?? '';
  expect(await stored()).toMatch(/^scrypt\$/);
  // A wrong secret does not upgrade anything.
  expect(await connack('127.0.34.1', device.deviceId, wrongSecret(device.secret))).toBe(4);
  expect(await stored()).toMatch(/^scrypt\$/);
  expect(await connack('127.0.34.2', device.deviceId, device.secret)).toBe(0);
  // The upgrade is written after the CONNACK (it does not delay the login): wait for it.
  expect(await eventually(async () => ((await stored()).startsWith('sha256$') ? stored() : undefined), 'the upgraded hash')).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
  expect(await connack('127.0.34.3', device.deviceId, device.secret)).toBe(0);
  expect(await connack('127.0.34.4', device.deviceId, wrongSecret(device.secret))).toBe(4);
  // A hash changed meanwhile (a new secret) is never overwritten by an upgrade.
  expect(await db.storage.registry.replaceDeviceCredentialsHash(device.deviceId, 'scrypt$stale', 'sha256$other')).toBe(false);
  expect(await stored()).toMatch(/^sha256\$/);
}, 60_000);
