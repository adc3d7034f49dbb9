import type { HomewardConfig } from '@homeward/config';
import { type Storage, openStorage as open } from '@homeward/storage';
import type { CliContext } from './cli-context';
import { stderrLogger } from './log';

export { topics } from '@homeward/contracts';

/** Opens (and migrates) the configured database for a one-shot administrative command. */
export function openStorage(config: HomewardConfig, context: Pick<CliContext, 'err'>): Promise<Storage> {
  return open({
    databaseUrl: config.database.url,
    dataDir: config.database.dataDir,
    embeddedPort: config.database.embeddedPort,
    engine: config.database.engine,
    retentionDays: config.database.retentionDays,
    poolSize: 2,
    log: config.logLevel === 'debug' ? stderrLogger(context.err) : () => undefined,
  });
}
