import type { CliContext, Command } from '../cli-context';
import { stderrLogger } from '../log';
import { withStorage } from '../storage-and-topics';

export const migrateCommand: Command = {
  summary: 'Apply pending database migrations and print the schema state as JSON.',
  usage: 'homeward migrate',
  async run(context: CliContext): Promise<number> {
    const config = context.config();
    if (!config) return 2;
    return withStorage(config, context, stderrLogger(context.err), async (storage) => {
      context.out(JSON.stringify(storage.info, null, 2));
      return 0;
    }, 'homeward migrate');
  },
};
