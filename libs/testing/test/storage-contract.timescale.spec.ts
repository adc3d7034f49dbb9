import { prepare } from '@homeward/storage';
import { PgliteDatabase } from '@homeward/storage/pglite';
import { describeStorageContract } from '../src';

// (c) TimescaleDB, through PGlite's TimescaleDB build: hypertable, continuous aggregates,
// compression and retention policies all run for real.
describeStorageContract('TimescaleDB (PGlite)', {
  concurrentSessions: false,
  open: async () => {
    const storage = await prepare(await PgliteDatabase.create({ timescale: true }), { mode: 'embedded', engine: 'timescale', retentionDays: 3650 });
    expect(storage.info.engine).toBe('timescale');
    return storage;
  },
});
