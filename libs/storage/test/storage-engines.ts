import { type Storage, openScratchStorage, prepare } from '../src';
import { PgliteDatabase } from '../src/pglite';

/**
 * The back ends storage specs run on: PostgreSQL (a scratch database on DATABASE_URL's server when
 * set, else a scratch embedded server) and PGlite's TimescaleDB build. For `describe.each`.
 */
export const STORAGE_ENGINES: Array<[string, () => Promise<{ storage: Storage; dispose: () => Promise<void> }>]> = [
  [
    'PostgreSQL',
    openScratchStorage,
  ],
  [
    'PGlite (TimescaleDB)',
    async () => {
      const storage = await prepare(await PgliteDatabase.create({ timescale: true }), { mode: 'embedded', engine: 'timescale' });
      return { storage, dispose: () => storage.close() };
    },
  ],
];
