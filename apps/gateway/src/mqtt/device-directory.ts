import type { DeviceType } from '@homeward/domain';
import type { Database, RegistryRepository } from '@homeward/storage';

export interface DeviceAccess {
  readonly id: string;
  readonly type: DeviceType;
  readonly patientId: string | null;
  readonly credentialsHash: string | null;
}

/** Announced by migration 0009's trigger at commit, with the device id as payload. */
export const DEVICE_CHANGES_CHANNEL = 'homeward_devices';

export interface DeviceDirectoryOptions {
  /** How long a found device is kept while changes are not followed (no LISTEN): the staleness bound then. */
  readonly ttlMs?: number;
  /** How long a found device is kept while changes are followed: a safety net only, changes drop it at once. */
  readonly followedTtlMs?: number;
  /**
   * How long "no such device" is remembered: a second, so a burst from one misconfigured client
   * costs a query a second, and a device registered a moment later is found (its INSERT is
   * announced as well).
   */
  readonly unknownTtlMs?: number;
  readonly now?: () => number;
}

/** undefined: anything may have changed (the LISTEN connection was re-established). */
export type DeviceChangeListener = (deviceId: string | undefined) => void;

/**
 * Device lookups for the broker, cached: every message needs the device's patient, and a hub
 * sending once a minute should not cost a query each time. The cache follows the registry through
 * PostgreSQL notifications (`follow`): a device reassigned to another patient, given new
 * credentials or another type is dropped from every gateway's cache when the change commits, so
 * its next reading is filed under the new patient whichever gateway takes it. When the LISTEN
 * connection is re-established, notifications may have been missed, so everything is dropped.
 * Without a LISTEN (a driver that cannot), entries expire after `ttlMs`.
 */
export class DeviceDirectory {
  private readonly cache = new Map<string, { value: DeviceAccess | undefined; expires: number }>();
  private readonly listeners = new Set<DeviceChangeListener>();
  private readonly ttlMs: number;
  private readonly followedTtlMs: number;
  private readonly unknownTtlMs: number;
  private readonly now: () => number;
  /** Bumped by every change, so a lookup that raced one does not cache what it read before it. */
  private generation = 0;
  private stopFollowing: (() => Promise<void>) | undefined;

  constructor(
    private readonly registry: Pick<RegistryRepository, 'deviceAccess'>,
    options: DeviceDirectoryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.followedTtlMs = options.followedTtlMs ?? 10 * 60_000;
    // Never longer than a found device is kept: ttlMs 0 turns the cache off altogether.
    this.unknownTtlMs = options.unknownTtlMs ?? Math.min(1_000, this.ttlMs);
    this.now = options.now ?? Date.now;
  }

  async get(deviceId: string): Promise<DeviceAccess | undefined> {
    const hit = this.cache.get(deviceId);
    if (hit && hit.expires > this.now()) return hit.value;
    const generation = this.generation;
    const value = await this.registry.deviceAccess(deviceId);
    if (generation === this.generation) {
      const ttl = value === undefined ? this.unknownTtlMs : this.stopFollowing ? this.followedTtlMs : this.ttlMs;
      if (ttl > 0) this.cache.set(deviceId, { value, expires: this.now() + ttl });
      if (this.cache.size > 200_000) this.cache.clear();
    }
    return value;
  }

  /** Forgets one device, or (no id) every device; tells the listeners (the BLE device list). */
  changed(deviceId?: string): void {
    this.generation += 1;
    if (deviceId === undefined) this.cache.clear();
    else this.cache.delete(deviceId);
    for (const listener of this.listeners) listener(deviceId);
  }

  /** Called after each change this directory hears of; returns a function that stops. */
  onChange(listener: DeviceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * LISTENs for device changes on the database. Resolves true once listening (everything cached
   * before is dropped: it may predate the LISTEN), false if the driver cannot listen.
   */
  async follow(db: Pick<Database, 'listen'>): Promise<boolean> {
    if (!db.listen || this.stopFollowing) return this.stopFollowing !== undefined;
    // The pg driver calls back with '' after re-establishing a lost LISTEN; ids are never empty.
    this.stopFollowing = await db.listen(DEVICE_CHANGES_CHANNEL, (payload) => this.changed(payload === '' ? undefined : payload));
    this.changed();
    return true;
  }

  async close(): Promise<void> {
    const stop = this.stopFollowing;
    this.stopFollowing = undefined;
    this.listeners.clear();
    await stop?.();
  }
}
