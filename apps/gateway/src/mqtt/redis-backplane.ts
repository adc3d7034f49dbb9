import type { EventEmitter } from 'node:events';
import aedesPersistenceRedis from 'aedes-persistence-redis';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import { redactUrlPassword } from '@homeward/config';

/**
 * What several embedded-broker instances share through one Redis: aedes' persistence (sessions
 * of clean-session=false clients, their subscriptions, queued QoS 1 messages, retained messages,
 * wills) and its emitter (every publication reaches the subscribers connected to any instance).
 * A client may therefore reconnect to any instance behind a TCP load balancer and find its
 * session there.
 */
export interface RedisBackplane {
  /** aedes' `persistence` option. */
  readonly persistence: unknown;
  /** aedes' `mq` option. */
  readonly mq: unknown;
  /** After the broker has closed: the emitter is closed by aedes, the persistence here. */
  close(): Promise<void>;
  /** When no broker was made from it: closes the emitter too. */
  abandon(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 5_000;

/**
 * Connects to Redis, failing fast with a clear message when it cannot be reached (the running
 * connections afterwards reconnect on their own, as ioredis does).
 */
export async function connectRedisBackplane(url: string, log: (message: string) => void): Promise<RedisBackplane> {
  const shown = redactUrlPassword(url);
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // reported through connect()'s rejection below
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw Object.assign(new Error(`cannot reach the Redis at ${shown} (HOMEWARD_MQTT_REDIS_URL): ${error instanceof Error ? error.message : String(error)}`), {
      code: 'mqtt.redis-unreachable',
    });
  } finally {
    probe.disconnect();
  }

  const reportOnce = throttled(log);
  const conn = new Redis(url);
  conn.on('error', (error: Error) => reportOnce(`MQTT persistence Redis ${shown}: ${error.message}`));
  const persistence = aedesPersistenceRedis({ conn });
  persistence.on('error', (error) => reportOnce(`MQTT persistence: ${error.message}`));
  const mq = mqemitterRedis({ connectionString: url });
  // The emitter reports its connections' errors on `state` (not in its type declarations).
  (mq as unknown as { state: EventEmitter }).state.on('error', (error: Error) => reportOnce(`MQTT emitter Redis ${shown}: ${error.message}`));
  return {
    persistence,
    mq,
    close: async () => {
      await persistence.destroy().catch(() => undefined);
    },
    abandon: async () => {
      await new Promise<void>((resolve) => mq.close(() => resolve()));
      await persistence.destroy().catch(() => undefined);
    },
  };
}

/** A Redis outage repeats its error on every retry: say it at most every 10 s. */
function throttled(log: (message: string) => void): (message: string) => void {
  let last = 0;
  return (message) => {
    const now = Date.now();
    if (now - last < 10_000) return;
    last = now;
    log(message);
  };
}
