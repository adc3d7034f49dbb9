import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '@homeward/storage';

/** An embedded PostgreSQL in a throw-away folder, for one test file. */
export async function startTestEmbeddedPostgres(): Promise<EmbeddedPostgres & { cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'homeward-pg-'));
  const server = await startEmbeddedPostgres({ dataDir: dir });
  return {
    ...server,
    async cleanup() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

