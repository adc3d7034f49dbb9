import { randomUUID } from 'node:crypto';
import { type Storage } from '../src';
import { STORAGE_ENGINES } from './storage-engines';

// Migration 0009: what a gateway caches about a device is announced on `homeward_devices` when it
// changes (at commit), and the frequent updates nobody caches (last seen, battery) are not.
// Run on PostgreSQL (a server when DATABASE_URL is set, else embedded) and on PGlite's TimescaleDB build.
describe.each(STORAGE_ENGINES)('device change notifications on %s', (_name, open) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let stop: () => Promise<void>;
  const heard: string[] = [];

  beforeAll(async () => {
    ({ storage, dispose } = await open());
    const listen = storage.db.listen?.bind(storage.db);
    if (!listen) throw new Error('this driver cannot LISTEN');
    stop = await listen('homeward_devices', (payload) => heard.push(payload));
  });
  afterAll(async () => {
    await stop?.();
    await dispose?.();
  });

  /** Notifications arrive asynchronously after commit; a marker change shows everything before it has arrived. */
  const heardUpTo = async (marker: string): Promise<string[]> => {
    const deadline = Date.now() + 10_000;
    while (!heard.includes(marker)) {
      if (Date.now() > deadline) throw new Error(`no notification for ${marker}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return heard.splice(0, heard.length).filter((id) => id !== marker);
  };
  const marker = async () => (await storage.registry.registerDevice({ type: 'thermometer', serial: randomUUID() })).id;

  it('announces a device added, reassigned, given new credentials, another type or address, or removed', async () => {
    const patient = randomUUID();
    await storage.db.query("INSERT INTO patients (id, nhs_number, given_name, family_name, date_of_birth) VALUES ($1, '9434765919', 'A', 'B', '1950-01-01')", [patient]);
    const device = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: randomUUID(), credentialsHash: 'old' });
    await storage.registry.assignDevice(device.id, patient);
    await storage.db.query("UPDATE devices SET credentials_hash = 'new' WHERE id = $1", [device.id]);
    await storage.db.query("UPDATE devices SET type = 'hub' WHERE id = $1", [device.id]);
    await storage.db.query("UPDATE devices SET ble_address = 'aa:bb:cc:dd:ee:01' WHERE id = $1", [device.id]);
    await storage.registry.assignDevice(device.id, null);
    await storage.db.query('DELETE FROM devices WHERE id = $1', [device.id]);
    expect(await heardUpTo(await marker())).toEqual([device.id, device.id, device.id, device.id, device.id, device.id, device.id]);
  });

  it('is silent for last seen and battery, and for an update that changes nothing cached', async () => {
    const device = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: randomUUID() });
    await heardUpTo(await marker());
    await storage.registry.touchDevice(device.id, new Date(), 80);
    await storage.registry.touchDevices([{ id: device.id, at: new Date() }]);
    await storage.db.query('UPDATE devices SET patient_id = patient_id, model = $2 WHERE id = $1', [device.id, 'X-1']);
    expect(await heardUpTo(await marker())).toEqual([]);
  });

  it('announces at commit, not before, and not at all when rolled back', async () => {
    const device = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: randomUUID() });
    await heardUpTo(await marker());
    await storage.db
      .transaction(async (tx) => {
        await tx.query("UPDATE devices SET credentials_hash = 'rolled-back' WHERE id = $1", [device.id]);
        throw new Error('abandon');
      })
      .catch(() => undefined);
    let seenInside: string[] = [];
    await storage.db.transaction(async (tx) => {
      await tx.query("UPDATE devices SET credentials_hash = 'kept' WHERE id = $1", [device.id]);
      await new Promise((r) => setTimeout(r, 100));
      seenInside = [...heard];
    });
    expect(seenInside).toEqual([]);
    expect(await heardUpTo(await marker())).toEqual([device.id]);
  });
});
