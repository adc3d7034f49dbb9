import { PgDatabase, prepare } from '@homeward/storage';
import { describeStorageContract, startTestEmbeddedPostgres } from '@homeward/testing';

// (a) The embedded default: real PostgreSQL binaries from npm, started in a throw-away folder.
let server: Awaited<ReturnType<typeof startTestEmbeddedPostgres>>;
beforeAll(async () => {
  server = await startTestEmbeddedPostgres();
});
afterAll(async () => {
  await server?.cleanup();
});

describeStorageContract('embedded PostgreSQL', {
  concurrentSessions: true,
  open: () => prepare(new PgDatabase({ connectionString: server.connectionString }), { mode: 'embedded' }),
});
