import type { DeviceType } from '@homeward/domain';
import type { RegistryRepository } from '@homeward/storage';

export interface DeviceAccess {
  readonly id: string;
  readonly type: DeviceType;
  readonly patientId: string | null;
  readonly credentialsHash: string | null;
}

/**
 * Device lookups for the broker, cached briefly: every message needs the device's patient, and
 * a hub sending once a minute should not cost a query each time. A device reassigned to
 * another patient is picked up within `ttlMs`.
 */
export class DeviceDirectory {
  private readonly cache = new Map<string, { value: DeviceAccess | undefined; expires: number }>();

  constructor(
    private readonly registry: RegistryRepository,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(deviceId: string): Promise<DeviceAccess | undefined> {
    const hit = this.cache.get(deviceId);
    if (hit && hit.expires > this.now()) return hit.value;
    const value = await this.registry.deviceAccess(deviceId);
    this.cache.set(deviceId, { value, expires: this.now() + this.ttlMs });
    if (this.cache.size > 200_000) this.cache.clear();
    return value;
  }
}
