// Hub mode against the real Mosquitto on 127.0.0.1:1883: a hub process is offline, then killed
// (SIGKILL) mid-stream and restarted, three times; a subscriber still sees every message the hub had made durable.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { topics } from '@homeward/contracts';
import { type MqttClient, connectAsync } from 'mqtt';
import { DurableQueue } from '../src/hub';

const BROKER = 'mqtt://127.0.0.1:1883';
const REPO = resolve(__dirname, '..', '..', '..');
const CHILD = join(__dirname, 'ble-hub-forwarder.child.ts');
const BASE_TIME = Date.parse('2026-03-01T00:00:00.000Z');
const TOTAL = 150;

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

class HubProcess {
  readonly durable = new Set<number>();
  produced = false;
  drained = false;
  exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(queuePath: string, url: string, deviceId: string, from: number, to: number) {
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', CHILD, queuePath, url, deviceId, String(from), String(to), `hub-${deviceId}`], {
      cwd: REPO,
      env: { ...process.env, SWC_NODE_PROJECT: join(REPO, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('durable ')) this.durable.add(Number(line.slice(8)));
        else if (line === 'produced') this.produced = true;
        else if (line === 'drained') this.drained = true;
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.child.kill(signal);
    await this.exited;
  }

  get errors(): string {
    return this.stderr;
  }
}

describe('hub mode: durable queue forwarded over MQTT QoS 1 (real Mosquitto)', () => {
  let subscriber: MqttClient;
  let dir: string;
  const running: HubProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeward-hub-'));
    subscriber = await connectAsync(BROKER, { clientId: `sub-${randomUUID()}`, clean: true, reconnectPeriod: 200 });
  });

  afterAll(async () => {
    for (const hub of running) await hub.kill('SIGKILL').catch(() => undefined);
    await subscriber?.endAsync();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a subscriber sees every durable message at least once while offline and across three kills of the hub', async () => {
    const deviceId = randomUUID();
    const queuePath = join(dir, 'upstream.queue');
    const seen = new Map<number, number>();
    const bodies: Array<Record<string, unknown>> = [];
    subscriber.on('message', (topic, payload) => {
      if (topic !== topics.readings(deviceId)) return;
      const body = JSON.parse(payload.toString()) as { readings: Array<{ deviceTime: string }> };
      bodies.push(body);
      for (const r of body.readings) {
        const index = (Date.parse(r.deviceTime) - BASE_TIME) / 1_000;
        seen.set(index, (seen.get(index) ?? 0) + 1);
      }
    });
    await subscriber.subscribeAsync(topics.readings(deviceId), { qos: 1 });

    const durable = new Set<number>();
    const start = (from: number, url = BROKER): HubProcess => {
      const hub = new HubProcess(queuePath, url, deviceId, from, TOTAL);
      running.push(hub);
      return hub;
    };
    const next = (): number => (durable.size === 0 ? 0 : Math.max(...durable) + 1);

    // 0. The home's internet is down (nothing listens on port 1): readings pile up on disk. Killed.
    const offline = start(0, 'mqtt://127.0.0.1:1');
    await waitFor('offline hub to make 30 durable', () => offline.durable.size >= 30, 90_000);
    await offline.kill();
    offline.durable.forEach((i) => durable.add(i));
    const stranded = await DurableQueue.open(queuePath);
    expect(stranded.size).toBeGreaterThanOrEqual(durable.size);
    await stranded.close();
    expect(seen.size).toBe(0);

    // 1. Back online: sends the backlog while producing more; killed mid-stream.
    const first = start(next());
    await waitFor('first hub to make 40 more durable and deliver some', () => first.durable.size >= 40 && seen.size >= 5, 90_000);
    await first.kill();
    first.durable.forEach((i) => durable.add(i));

    // 2. Restarted: resends what the queue holds, produces more, and is killed again.
    const second = start(next());
    await waitFor('second hub to make more durable', () => second.durable.size >= 30, 90_000);
    await second.kill();
    second.durable.forEach((i) => durable.add(i));

    // 3. Restarted once more: runs to the end and drains the queue.
    const third = start(next());
    await waitFor('third hub to produce everything and drain', () => third.produced && third.drained, 90_000);
    third.durable.forEach((i) => durable.add(i));
    await third.kill('SIGTERM');
    expect(third.errors).toBe('');

    expect(durable.size).toBe(TOTAL);
    const missing = [...durable].filter((i) => !seen.has(i));
    expect(missing).toEqual([]);
    // At least once: some may have come twice (sent, killed before the PUBACK was recorded).
    expect(bodies.length).toBeGreaterThanOrEqual(TOTAL);
    // The payload is a ReadingsPayloadDto, with sentAt estimating the device clock (60 s slow).
    const sample = bodies[0] as { messageId: string; sentAt: string; readings: unknown[] };
    expect(sample).toMatchObject({ messageId: expect.any(String), sentAt: expect.any(String), readings: [{ vital: 'heart_rate', unit: '/min' }] });

    // The queue on disk is empty: every message was acknowledged.
    const queue = await DurableQueue.open(queuePath);
    expect(queue.size).toBe(0);
    await queue.close();
  });

  it('replays pending messages after a torn final line, and cuts the torn line off', async () => {
    const path = join(dir, 'torn.queue');
    const queue = await DurableQueue.open(path);
    const message = (id: string) => ({ id, topic: 't', body: { readings: [] }, clockOffsetMs: null, enqueuedAt: new Date().toISOString() });
    await queue.enqueue(message('a'));
    await queue.enqueue(message('b'));
    await queue.ack('a');
    await queue.close();
    await writeFile(path, `${await readFile(path, 'utf8')}{"t":"put","m":{"id":"c","to`);
    const reopened = await DurableQueue.open(path);
    expect(reopened.pending().map((m) => m.id)).toEqual(['b']);
    await reopened.enqueue(message('d'));
    await reopened.close();
    const again = await DurableQueue.open(path);
    expect(again.pending().map((m) => m.id)).toEqual(['b', 'd']);
    await again.close();
  });
});
