import { openStorage } from '@homeward/storage';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import { stderrLogger } from '../log';

export const migrateCommand: Command = {
  summary: 'Apply pending database migrations and print the schema state as JSON.',
  usage: 'homeward migrate',
  async run(context: CliContext): Promise<number> {
    const config = context.config();
    if (!config) return 2;
    try {
      const storage = await openStorage({
        databaseUrl: config.database.url,
        dataDir: config.database.dataDir,
        embeddedPort: config.database.embeddedPort,
        engine: config.database.engine,
        retentionDays: config.database.retentionDays,
        poolSize: 2,
        log: stderrLogger(context.err),
      });
      context.out(JSON.stringify(storage.info, null, 2));
      await storage.close();
      return 0;
    } catch (error) {
      context.err(describeFailure(error));
      return 1;
    }
  },
};
