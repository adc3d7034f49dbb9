// aedes-persistence-redis ships no types: the part of its interface the gateway uses.
declare module 'aedes-persistence-redis' {
  import type { Redis, RedisOptions } from 'ioredis';

  interface AedesPersistenceRedisOptions extends RedisOptions {
    /** A connection made by the caller (then its URL, db and retry policy apply). */
    readonly conn?: Redis;
    /** Queued messages delivered to a returning persistent session at CONNECT (default 1000). */
    readonly maxSessionDelivery?: number;
  }

  interface AedesPersistenceRedis {
    /** Without a callback: a promise (the callback form waits for a "ready" aedes 1.x never sends). */
    destroy(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): this;
  }

  function aedesPersistenceRedis(options?: AedesPersistenceRedisOptions): AedesPersistenceRedis;
  export = aedesPersistenceRedis;
}
