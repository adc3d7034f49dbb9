import { PgDatabase, type Storage, createScratchDatabase, prepare, startScratchEmbeddedPostgres } from '@homeward/storage';

/**
 * A migrated scratch database for this library's specs: on DATABASE_URL's server when set, else a
 * throw-away embedded PostgreSQL. (An adapter library's tests cannot use @homeward/testing's
 * realDatabase: the module boundaries keep adapters off the testing library.)
 */
export async function scratchStorage(): Promise<{ storage: Storage; dispose: () => Promise<void> }> {
  const server = process.env['DATABASE_URL'];
  if (server) {
    const scratch = await createScratchDatabase(server);
    const storage = await prepare(new PgDatabase({ connectionString: scratch.url }), { mode: 'server' });
    return { storage, dispose: async () => (await storage.close(), await scratch.drop()) };
  }
  const embedded = await startScratchEmbeddedPostgres();
  const storage = await prepare(new PgDatabase({ connectionString: embedded.connectionString }), { mode: 'embedded' });
  return { storage, dispose: async () => (await storage.close(), await embedded.cleanup()) };
}
