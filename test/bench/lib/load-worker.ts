// A load-generator process: the benchmark driver starts one or more of these so that MQTT
// clients never share an overloaded event loop with the driver (MQTT.js crashed with "Invalid
// header flag bits" when publishers and a QoS 1 subscriber did). Config comes in the JSON file
// named by BENCH_WORKER_CONFIG_FILE; commands arrive on stdin ("mark", "stop"); reports go out as JSON lines.
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import type { WorkerConfig, WorkerReport } from './worker-protocol';

const config = JSON.parse(readFileSync(process.env['BENCH_WORKER_CONFIG_FILE'] ?? '', 'utf8')) as WorkerConfig;
const report = (message: WorkerReport) => process.stdout.write(`${JSON.stringify(message)}\n`);

let running = false;
let counted = 0;
let errors = 0;
let markedAt = Date.now();
const sentAt = new Map<string, number>();

function connectOne(index: number): Promise<{ client: MqttClient; ms: number } | { error: string }> {
  const spec = config.clients[index];
  if (!spec) return Promise.resolve({ error: 'no such client' });
  const started = performance.now();
  return new Promise((resolve) => {
    const options: IClientOptions = {
      clientId: spec.clientId,
      ...(spec.username ? { username: spec.username, password: spec.password } : {}),
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 120_000,
      keepalive: 120,
    };
    const client = config.spreadLocalAddresses ? fromOwnAddress(index, options) : mqtt.connect(config.url, options);
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      client.end(true);
      resolve({ error: reason });
    };
    client.once('connect', () => {
      settled = true;
      client.on('error', () => undefined);
      resolve({ client, ms: performance.now() - started });
    });
    client.once('error', (error) => fail(error.message));
    // Closed by the broker (or the network) before any CONNACK: with reconnectPeriod 0 MQTT.js
    // emits no error for it, and the client would be waited for forever.
    client.once('close', () => fail('closed before CONNACK'));
  });
}

/** An MQTT client whose TCP connection starts from a loopback address of its own (127.0.0.0/8 is all local). */
function fromOwnAddress(index: number, options: IClientOptions): MqttClient {
  const { hostname, port } = new URL(config.url);
  const n = index + 1;
  const localAddress = `127.${100 + (process.pid % 100)}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  return new MqttClient(() => createConnection({ host: hostname, port: Number(port), localAddress }), options);
}

const perMessage = Math.max(1, config.readingsPerMessage ?? 1);

function payloadFor(clientIndex: number, sequence: number): string {
  if (perMessage > 1) {
    // A hub's batch: the next `perMessage` readings of this device, each `readingSpacingMs` apart.
    const readings = Array.from({ length: perMessage }, (_, k) => {
      const n = sequence * perMessage + k;
      return { vital: 'heart_rate', value: 60 + ((clientIndex * 7 + n) % 40), unit: '/min', deviceTime: new Date(config.baseTimeMs + n * config.readingSpacingMs).toISOString() };
    });
    return JSON.stringify({ messageId: `c${clientIndex}-${sequence}`, readings });
  }
  // Forward from the base, `readingSpacingMs` apart: a patient's readings arrive in measurement
  // order and as dense as a real patient's (not one a second), so the rules engine does the work
  // it does in production. The base is far enough back that none lands in the future.
  const deviceTime = new Date(config.baseTimeMs + sequence * config.readingSpacingMs).toISOString();
  const value = 60 + ((clientIndex * 7 + sequence) % 40); // 60–99 /min: ordinary, raises nothing
  return JSON.stringify({ messageId: `c${clientIndex}-${sequence}`, readings: [{ vital: 'heart_rate', value, unit: '/min', deviceTime }] });
}

async function main(): Promise<void> {
  const clients: MqttClient[] = [];
  const connectMs: number[] = [];
  let failed = 0;
  const reasons = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  const concurrency = Math.max(1, config.connectConcurrency ?? 16);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, config.clients.length) }, async () => {
      while (next < config.clients.length) {
        const index = next++;
        const result = await connectOne(index);
        if ('error' in result) {
          failed++;
          reasons.set(result.error, (reasons.get(result.error) ?? 0) + 1);
        } else {
          clients[index] = result.client;
          connectMs.push(result.ms);
        }
      }
    }),
  );
  report({ type: 'connected', connected: connectMs.length, failed, connectMs, elapsedMs: performance.now() - started, ...(reasons.size > 0 ? { error: [...reasons].map(([reason, n]) => `${reason} ×${n}`).join('; ') } : {}) });

  if (config.mode === 'subscribe') {
    const subscriber = clients[0];
    subscriber?.on('message', () => {
      if (running) counted += perMessage;
    });
    await subscriber?.subscribeAsync(config.subscribeTopic ?? '#', { qos: 1 });
  }

  const commands = createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    const [command] = line.trim().split(' ');
    if (command === 'start') {
      running = true;
      markedAt = Date.now();
      if (config.mode === 'flood') startFlood(clients);
      if (config.mode === 'paced') startPaced(clients);
    } else if (command === 'mark') {
      counted = 0;
      errors = 0;
      markedAt = Date.now();
    } else if (command === 'stop') {
      running = false;
      report({ type: 'result', counted, errors, elapsedMs: Date.now() - markedAt });
      for (const client of clients) client?.end(true);
      commands.close();
      setTimeout(() => process.exit(0), 200);
    }
  });
}

/** Every client keeps `inFlight` QoS 1 messages outstanding: a new one as soon as one is PUBACKed. */
function startFlood(clients: readonly MqttClient[]): void {
  clients.forEach((client, index) => {
    const spec = config.clients[index];
    if (!client || !spec) return;
    let sequence = 0;
    const send = () => {
      if (!running) return;
      client.publish(spec.topic, payloadFor(index, sequence++), { qos: 1 }, (error) => {
        if (error) errors++;
        else if (running) counted += perMessage;
        send();
      });
    };
    for (let i = 0; i < (config.inFlight ?? 1); i++) send();
  });
}

/** A fixed total rate, spread round-robin over the clients (background load). */
function startPaced(clients: readonly MqttClient[]): void {
  const rate = config.ratePerSecond ?? 100;
  const live = clients.map((client, index) => ({ client, index, sequence: 0 })).filter((c) => c.client);
  let turn = 0;
  const startedAt = performance.now();
  let issued = 0;
  const tick = () => {
    if (!running) return;
    const due = Math.floor(((performance.now() - startedAt) / 1000) * rate);
    while (issued < due) {
      const c = live[turn++ % live.length];
      const spec = c ? config.clients[c.index] : undefined;
      if (!c || !spec) break;
      issued++;
      const id = `${c.index}-${c.sequence}`;
      sentAt.set(id, performance.now());
      c.client.publish(spec.topic, payloadFor(c.index, c.sequence++), { qos: 1 }, (error) => {
        sentAt.delete(id);
        if (error) errors++;
        else if (running) counted += perMessage;
      });
    }
    setTimeout(tick, 5);
  };
  tick();
}

main().catch((error: unknown) => {
  report({ type: 'fatal', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
