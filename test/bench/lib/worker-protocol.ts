/** What the driver tells a load-generator process (the JSON file in BENCH_WORKER_CONFIG_FILE). */
export interface WorkerConfig {
  /** flood: publish QoS 1 as fast as PUBACKs allow; paced: a fixed total rate; idle: connect and hold; subscribe: count messages. */
  readonly mode: 'flood' | 'paced' | 'idle' | 'subscribe';
  readonly url: string;
  readonly clients: ReadonlyArray<{ readonly clientId: string; readonly username?: string; readonly password?: string; readonly topic: string }>;
  readonly inFlight?: number;
  readonly ratePerSecond?: number;
  readonly connectConcurrency?: number;
  readonly subscribeTopic?: string;
  /** Device time of a client's first reading; each next one is `readingSpacingMs` later (so none is a duplicate). */
  readonly baseTimeMs: number;
  readonly readingSpacingMs: number;
  /** Readings in each published message (a hub's batch; default 1). Counts are of readings. */
  readonly readingsPerMessage?: number;
  /**
   * Each client connects from its own loopback address (127.<n>.x.y), as hubs in different homes
   * do, so the broker's cap on pending connections per address applies per hub, not to the bench.
   */
  readonly spreadLocalAddresses?: boolean;
}

export type WorkerReport =
  | { readonly type: 'connected'; readonly connected: number; readonly failed: number; readonly connectMs: readonly number[]; readonly elapsedMs: number; readonly error?: string }
  | { readonly type: 'result'; readonly counted: number; readonly errors: number; readonly elapsedMs: number }
  | { readonly type: 'fatal'; readonly error: string };
