import { PgDatabase, prepare, startScratchEmbeddedPostgres } from '@homeward/storage';
import { describeStorageContract } from '../src';

// (a) The embedded default: real PostgreSQL binaries from npm, started in a throw-away folder.
let server: Awaited<ReturnType<typeof startScratchEmbeddedPostgres>>;
beforeAll(async () => {
  server = await startScratchEmbeddedPostgres();
});
afterAll(async () => {
  await server?.cleanup();
});

describeStorageContract('embedded PostgreSQL', {
  concurrentSessions: true,
  open: () => prepare(new PgDatabase({ connectionString: server.connectionString }), { mode: 'embedded' }),
});
