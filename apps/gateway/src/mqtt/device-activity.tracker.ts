import type { RegistryRepository } from '@homeward/storage';

/**
 * Remembers when each device was last heard from and writes it in one statement every few
 * seconds, so "hub offline", "device unused" and "patient not measuring" can be told apart
 * without an UPDATE per message.
 */
export class DeviceActivityTracker {
  private pending = new Map<string, Date>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly registry: RegistryRepository,
    intervalMs = 5_000,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.flush().catch(onError), intervalMs);
    this.timer.unref();
  }

  seen(deviceId: string, at: Date): void {
    const previous = this.pending.get(deviceId);
    // getTime: comparing the Dates themselves converts both through valueOf on every message.
    if (!previous || previous.getTime() < at.getTime()) this.pending.set(deviceId, at);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.registry.touchDevices([...batch].map(([id, at]) => ({ id, at })));
    } catch (error) {
      for (const [id, at] of batch) this.seen(id, at); // try again next time
      throw error;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(this.onError);
  }
}
