import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

interface Entry {
  readonly mac: Buffer;
  /** The stored hash the secret was verified against: a rotated secret has another. */
  readonly credentialsHash: string;
  readonly expiresAt: number;
  /** The cache's generation when the store last showed this entry's hash (see doubtAll). */
  readonly generation: number;
}

/**
 * Device credentials verified recently, so a reconnecting device skips scrypt and, while the
 * store is unreachable, still gets in instead of a refusing CONNACK (which MQTT.js does not retry
 * by default). Only a keyed hash is kept — HMAC-SHA256 of the device id and secret under a key
 * drawn at random per process — never the secret; a memory dump yields nothing usable elsewhere.
 *
 * An entry matches only the credentials hash it was verified against, so a device whose secret
 * was rotated or revoked is checked again as soon as the store shows it; the TTL bounds how long
 * a stale entry can let a device in while the store cannot be read.
 */
export class VerifiedCredentialsCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 200_000,
  ) {}

  remember(deviceId: string, secret: string, credentialsHash: string): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(deviceId); // re-insert at the end: the Map's order is the eviction order
    this.entries.set(deviceId, { mac: this.mac(deviceId, secret), credentialsHash, expiresAt: this.now() + this.ttlMs, generation: this.generation });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /**
   * Was this secret verified within the TTL? With `credentialsHash` (the store answered), only
   * against that same stored hash (and the entry is confirmed current again); without it (the store
   * is unreachable), only an entry not in doubt since a doubtAll.
   */
  matches(deviceId: string, secret: string, credentialsHash?: string): boolean {
    const entry = this.entries.get(deviceId);
    if (!entry) return false;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(deviceId);
      return false;
    }
    if (credentialsHash !== undefined && credentialsHash !== entry.credentialsHash) {
      this.entries.delete(deviceId);
      return false;
    }
    if (credentialsHash === undefined && entry.generation !== this.generation) return false;
    const right = timingSafeEqual(entry.mac, this.mac(deviceId, secret));
    if (right && credentialsHash !== undefined && entry.generation !== this.generation) this.entries.set(deviceId, { ...entry, generation: this.generation });
    return right;
  }

  /**
   * Changes to devices may have been missed (the registry's notifications were not followed for a
   * while): no entry lets a device in without the store until the store has shown its hash again.
   * Entries stay, so once the store answers they still spare the slow check.
   */
  doubtAll(): void {
    this.generation += 1;
  }

  /** Is anything remembered for this device (expired or not)? No secret is checked. */
  has(deviceId: string): boolean {
    return this.entries.has(deviceId);
  }

  /** Forget a device (its credentials changed or it was removed). */
  invalidate(deviceId: string): void {
    this.entries.delete(deviceId);
  }

  get size(): number {
    return this.entries.size;
  }

  private mac(deviceId: string, secret: string): Buffer {
    // Length-prefixed so ("ab", "c") and ("a", "bc") cannot collide.
    return createHmac('sha256', this.key).update(`${deviceId.length}:${deviceId}:${secret}`).digest();
  }
}
