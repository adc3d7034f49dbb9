import { PgDatabase } from './drivers/pg.driver';
import { createScratchDatabase, startScratchEmbeddedPostgres } from './scratch-database';
import { type Storage, prepare } from './storage';

/**
 * A migrated throw-away database for tests and benchmarks: a scratch database on DATABASE_URL's
 * server when it is set, else a scratch embedded PostgreSQL. `url` is for code under test that
 * connects by itself; dispose() closes the storage and drops (or deletes) what it made.
 */
export async function openScratchStorage(): Promise<{ url: string; storage: Storage; dispose: () => Promise<void> }> {
  const server = process.env['DATABASE_URL'];
  if (server) {
    const scratch = await createScratchDatabase(server);
    const storage = await prepare(new PgDatabase({ connectionString: scratch.url }), { mode: 'server' });
    return { url: scratch.url, storage, dispose: async () => (await storage.close(), await scratch.drop()) };
  }
  const embedded = await startScratchEmbeddedPostgres();
  const storage = await prepare(new PgDatabase({ connectionString: embedded.connectionString }), { mode: 'embedded' });
  return { url: embedded.connectionString, storage, dispose: async () => (await storage.close(), await embedded.cleanup()) };
}
