import type { HomewardConfig } from '@homeward/config';
import { type OpenStorageOptions, type ProblemLogger, type Storage, openStorage } from '@homeward/storage';
import type { CliContext } from './cli-context';
import { describeFailure } from './describe-failure';

export { topics } from '@homeward/contracts';

/** How a command uses an embedded database: own it (a server) or attach to the running server's. */
export interface StorageUse {
  readonly use?: 'own' | 'attach' | 'join';
  /** Named in the data folder's lock, so a refused `homeward start` says who holds the folder. */
  readonly command?: string;
  readonly logProblem?: ProblemLogger;
  readonly onDatabaseRestart?: () => void;
}

/** The storage settings every command opens the database with. */
export function storageOptions(config: HomewardConfig, log: (message: string) => void, poolSize = config.database.poolSize, how: StorageUse = {}): OpenStorageOptions {
  return {
    databaseUrl: config.database.url,
    dataDir: config.database.dataDir,
    embeddedPort: config.database.embeddedPort,
    engine: config.database.engine,
    retentionDays: config.database.retentionDays,
    poolSize,
    statementTimeoutMs: config.database.statementTimeoutMs,
    lockTimeoutMs: config.database.lockTimeoutMs,
    log,
    embeddedUse: how.use ?? 'own',
    ...(how.command === undefined ? {} : { command: how.command }),
    ...(how.logProblem === undefined ? {} : { logProblem: how.logProblem }),
    ...(how.onDatabaseRestart === undefined ? {} : { onDatabaseRestart: how.onDatabaseRestart }),
  };
}

/**
 * For one-shot administrative commands: opens (and migrates) the database, runs `work`, closes
 * it, and turns a failure into a readable message and exit code 1. With an embedded database it
 * uses the running server's (`homeward start` on the same data folder) and never starts or stops
 * a second one beside it; with none running it runs one for the duration.
 */
export async function withStorage(
  config: HomewardConfig,
  context: Pick<CliContext, 'err'>,
  log: (message: string) => void,
  work: (storage: Storage) => Promise<number>,
  command = 'a homeward command',
): Promise<number> {
  let storage: Storage;
  try {
    storage = await openStorage(
      storageOptions(config, log, 2, { use: 'attach', command, logProblem: (level, message) => context.err(`${new Date().toISOString()} homeward ${level}: ${message}`) }),
    );
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
