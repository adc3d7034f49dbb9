import { PgDatabase, createScratchDatabase, prepare } from '@homeward/storage';
import { describeStorageContract } from '../src';

// (b) A PostgreSQL server, when DATABASE_URL names one (CI points it at 127.0.0.1:5432). The
// suite runs in a scratch database created on that server and dropped afterwards.
const serverUrl = process.env['DATABASE_URL'];
const describeIfServer = serverUrl ? describe : describe.skip;

describeIfServer('with DATABASE_URL', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  beforeAll(async () => {
    scratch = await createScratchDatabase(serverUrl!);
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  describeStorageContract('PostgreSQL server', {
    concurrentSessions: true,
    open: () => prepare(new PgDatabase({ connectionString: scratch.url }), { mode: 'server' }),
  });
});
