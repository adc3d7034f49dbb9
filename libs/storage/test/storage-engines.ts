import { type Storage, PgDatabase, createScratchDatabase, prepare, startScratchEmbeddedPostgres } from '../src';
import { PgliteDatabase } from '../src/pglite';

/**
 * The back ends storage specs run on: PostgreSQL (a scratch database on DATABASE_URL's server when
 * set, else a scratch embedded server) and PGlite's TimescaleDB build. For `describe.each`.
 */
export const STORAGE_ENGINES: Array<[string, () => Promise<{ storage: Storage; dispose: () => Promise<void> }>]> = [
  [
    'PostgreSQL',
    async () => {
      const server = process.env['DATABASE_URL'];
      if (server) {
        const scratch = await createScratchDatabase(server);
        const storage = await prepare(new PgDatabase({ connectionString: scratch.url }), { mode: 'server' });
        return { storage, dispose: async () => (await storage.close(), await scratch.drop()) };
      }
      const embedded = await startScratchEmbeddedPostgres();
      const storage = await prepare(new PgDatabase({ connectionString: embedded.connectionString }), { mode: 'embedded' });
      return { storage, dispose: async () => (await storage.close(), await embedded.cleanup()) };
    },
  ],
  [
    'PGlite (TimescaleDB)',
    async () => {
      const storage = await prepare(await PgliteDatabase.create({ timescale: true }), { mode: 'embedded', engine: 'timescale' });
      return { storage, dispose: () => storage.close() };
    },
  ],
];
