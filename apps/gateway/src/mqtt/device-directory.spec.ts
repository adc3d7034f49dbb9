import type { DeviceAccess } from './device-directory';
import { DeviceDirectory } from './device-directory';

// The cache's own rules, over an in-memory registry and an injected clock. Real notifications
// from PostgreSQL are exercised in test/device-reassignment.spec.ts.
class CountingRegistry {
  readonly devices = new Map<string, DeviceAccess>();
  lookups = 0;
  /** When set, the next lookup waits for this before reading (a lookup racing a change). */
  gate: Promise<void> | undefined;

  async deviceAccess(id: string): Promise<DeviceAccess | undefined> {
    this.lookups += 1;
    const value = this.devices.get(id);
    if (this.gate) await this.gate;
    return value;
  }
}

const device = (patientId: string | null): DeviceAccess => ({ id: 'd-1', type: 'pulse-oximeter', patientId, credentialsHash: 'h' });

describe('DeviceDirectory', () => {
  let clock: number;
  let registry: CountingRegistry;
  let directory: DeviceDirectory;
  beforeEach(() => {
    clock = 0;
    registry = new CountingRegistry();
    directory = new DeviceDirectory(registry, { now: () => clock });
  });

  it('caches a found device for the TTL (30 s without notifications)', async () => {
    registry.devices.set('d-1', device('p-1'));
    await directory.get('d-1');
    registry.devices.set('d-1', device('p-2'));
    clock = 29_999;
    expect((await directory.get('d-1'))?.patientId).toBe('p-1');
    clock = 30_000;
    expect((await directory.get('d-1'))?.patientId).toBe('p-2');
    expect(registry.lookups).toBe(2);
  });

  it('forgets a changed device at once, and only that one', async () => {
    registry.devices.set('d-1', device('p-1'));
    registry.devices.set('d-2', { ...device('p-9'), id: 'd-2' });
    await directory.get('d-1');
    await directory.get('d-2');
    registry.devices.set('d-1', device('p-2'));
    directory.changed('d-1');
    expect((await directory.get('d-1'))?.patientId).toBe('p-2');
    expect((await directory.get('d-2'))?.patientId).toBe('p-9');
    expect(registry.lookups).toBe(3);
  });

  it('forgets everything when told anything may have changed (a re-established LISTEN)', async () => {
    registry.devices.set('d-1', device('p-1'));
    await directory.get('d-1');
    registry.devices.set('d-1', device('p-2'));
    directory.changed();
    expect((await directory.get('d-1'))?.patientId).toBe('p-2');
  });

  it('remembers an unknown device for one second only', async () => {
    expect(await directory.get('d-1')).toBeUndefined();
    registry.devices.set('d-1', device('p-1'));
    clock = 999;
    expect(await directory.get('d-1')).toBeUndefined();
    clock = 1_000;
    expect((await directory.get('d-1'))?.patientId).toBe('p-1');
    expect(registry.lookups).toBe(2);
  });

  it('with ttlMs 0 caches nothing, found or unknown', async () => {
    const uncached = new DeviceDirectory(registry, { ttlMs: 0, now: () => clock });
    registry.devices.set('d-1', device('p-1'));
    await uncached.get('d-1');
    await uncached.get('d-1');
    await uncached.get('d-9');
    await uncached.get('d-9');
    expect(registry.lookups).toBe(4);
  });

  it('does not cache what a lookup read before a change that arrived while it ran', async () => {
    registry.devices.set('d-1', device('p-1'));
    let release = () => undefined as void;
    registry.gate = new Promise<void>((resolve) => (release = resolve));
    const racing = directory.get('d-1'); // has read p-1, waits
    registry.devices.set('d-1', device('p-2'));
    directory.changed('d-1');
    release();
    expect((await racing)?.patientId).toBe('p-1'); // it began before the change committed
    registry.gate = undefined;
    expect((await directory.get('d-1'))?.patientId).toBe('p-2');
  });

  it('tells change listeners which device changed (undefined: all), until they stop', () => {
    const heard: Array<string | undefined> = [];
    const stop = directory.onChange((id) => heard.push(id));
    directory.changed('d-1');
    directory.changed();
    stop();
    directory.changed('d-2');
    expect(heard).toEqual(['d-1', undefined]);
  });

  it('keeps found devices for 10 minutes while following changes, and drops what it had when it starts', async () => {
    registry.devices.set('d-1', device('p-1'));
    await directory.get('d-1');
    let notify: (payload: string) => void = () => undefined;
    let stopped = false;
    const following = await directory.follow({
      listen: async (_channel, onNotify) => {
        notify = onNotify;
        return async () => void (stopped = true);
      },
    });
    expect(following).toBe(true);
    registry.devices.set('d-1', device('p-2'));
    expect((await directory.get('d-1'))?.patientId).toBe('p-2'); // dropped at follow
    registry.devices.set('d-1', device('p-3'));
    clock = 10 * 60_000 - 1;
    expect((await directory.get('d-1'))?.patientId).toBe('p-2');
    notify('d-1');
    expect((await directory.get('d-1'))?.patientId).toBe('p-3');
    registry.devices.set('d-1', device('p-4'));
    notify(''); // the driver's "reconnected, you may have missed some"
    expect((await directory.get('d-1'))?.patientId).toBe('p-4');
    await directory.close();
    expect(stopped).toBe(true);
  });

  it('says so when the database cannot listen', async () => {
    expect(await directory.follow({})).toBe(false);
  });
});
