import { PgDatabase, type Storage, createScratchDatabase, prepare, startScratchEmbeddedPostgres } from '@homeward/storage';

export interface RealDatabase {
  readonly url: string;
  readonly storage: Storage;
  dispose(): Promise<void>;
}

/**
 * A real PostgreSQL for an integration or system test: a scratch database on DATABASE_URL's
 * server when set, else a throw-away embedded server. Code under test is pointed at `url`, and
 * the test reads what was stored through the same storage library.
 */
export async function realDatabase(): Promise<RealDatabase> {
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
