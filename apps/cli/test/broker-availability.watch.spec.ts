// The broker-unavailable system alert of `homeward start`, driven by a real gateway on a real
// PostgreSQL: its broker stops listening, the watch raises the alert after two checks in a row,
// counts it while it lasts, and a watch over a listening broker resolves it. Checks are called
// by the test (the timer only schedules them).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Gateway, startGateway } from '@homeward/gateway';
import { type RealDatabase, realDatabase } from '@homeward/testing';
import { brokerAvailabilityWatch } from '../src/broker-availability.watch';

jest.setTimeout(120_000);

let db: RealDatabase;
let dataDir: string;
const warnings: string[] = [];
const warn = (message: string): void => void warnings.push(message);

beforeAll(async () => {
  db = await realDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'homeward-broker-watch-'));
}, 60_000);
afterAll(async () => {
  await db?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

const aGateway = (): Promise<Gateway> =>
  startGateway({
    storage: db.storage,
    config: {
      mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0, tls: undefined, wsPort: undefined, external: undefined, maxPayloadBytes: 4096 },
      ingest: { maxClockSkewMs: 300_000 },
      ble: { enabled: false },
      database: { dataDir },
    },
    log: () => undefined,
  });

it('raises broker-unavailable once a gateway stops accepting devices for two checks, and resolves it when its broker listens again', async () => {
  let gateway = await aGateway();
  const mqtt = { mode: 'embedded' as const, port: 1883 };
  const first = brokerAvailabilityWatch(db.storage, { brokerProblem: () => gateway.brokerProblem() }, mqtt, warn);
  try {
    expect(await first.check()).toBe('well');
    await gateway.close(); // its listeners stop: devices cannot connect
    expect(await first.check()).toBe('waiting');
    expect(await first.check()).toBe('raised');
    expect(await first.check()).toBe('repeated');
    const [open] = (await db.storage.systemAlerts.list()).filter((a) => a.kind === 'broker-unavailable');
    expect(open).toMatchObject({ state: 'open', occurrences: 2, source: expect.stringMatching(/:mqtt 1883$/) });
    expect(open?.summary).toMatch(/^Devices cannot send readings to Homeward through gateway .*: the embedded MQTT broker is not listening\. /);

    gateway = await aGateway();
    const next = brokerAvailabilityWatch(db.storage, { brokerProblem: () => gateway.brokerProblem() }, mqtt, warn);
    expect(await next.check()).toBe('cleared'); // the next process on this host and port resolves what the last one left
    expect((await db.storage.systemAlerts.get(open!.id))?.state).toBe('resolved');
    expect(warnings).toEqual([]);
  } finally {
    await gateway.close();
  }
});
