import type { HomewardConfig } from '@homeward/config';
import { type OpenStorageOptions, type Storage, openStorage } from '@homeward/storage';
import type { CliContext } from './cli-context';
import { describeFailure } from './describe-failure';

export { topics } from '@homeward/contracts';

/** The storage settings every command opens the database with. */
export function storageOptions(config: HomewardConfig, log: (message: string) => void, poolSize = config.database.poolSize): OpenStorageOptions {
  return {
    databaseUrl: config.database.url,
    dataDir: config.database.dataDir,
    embeddedPort: config.database.embeddedPort,
    engine: config.database.engine,
    retentionDays: config.database.retentionDays,
    poolSize,
    log,
  };
}

/**
 * For one-shot administrative commands: opens (and migrates) the database, runs `work`, closes
 * it, and turns a failure into a readable message and exit code 1.
 */
export async function withStorage(
  config: HomewardConfig,
  context: Pick<CliContext, 'err'>,
  log: (message: string) => void,
  work: (storage: Storage) => Promise<number>,
): Promise<number> {
  let storage: Storage;
  try {
    storage = await openStorage(storageOptions(config, log, 2));
  } catch (error) {
    context.err(describeFailure(error));
    return 1;
  }
  try {
    return await work(storage);
  } catch (error) {
    context.err(describeFailure(error));
    return 1;
  } finally {
    await storage.close();
  }
}
