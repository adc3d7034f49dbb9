import { join } from 'node:path';
import { parseConfig } from '@homeward/config';
import type { CliContext, Command, SelfCommand } from './cli-context';
import { analyticsCommand } from './commands/analytics.command';
import { backtestCommand } from './commands/backtest.command';
import { decodeCommand } from './commands/decode.command';
import { demoCommand } from './commands/demo.command';
import { deviceCommand } from './commands/device-add.command';
import { hubCommand } from './commands/hub.command';
import { migrateCommand } from './commands/migrate.command';
import { news2Command } from './commands/news2.command';
import { patientCommand } from './commands/patient-add.command';
import { rejectedCommand } from './commands/rejected.command';
import { rulesWorkerCommand } from './commands/rules-worker.command';
import { startCommand } from './commands/start.command';
import { userCommand } from './commands/user-add.command';

export const COMMANDS: Readonly<Record<string, Command>> = {
  start: startCommand,
  'rules-worker': rulesWorkerCommand,
  migrate: migrateCommand,
  decode: decodeCommand,
  news2: news2Command,
  patient: patientCommand,
  device: deviceCommand,
  hub: hubCommand,
  rejected: rejectedCommand,
  user: userCommand,
  demo: demoCommand,
  analytics: analyticsCommand,
  backtest: backtestCommand,
};

function help(out: (text: string) => void): void {
  out('Usage: homeward <command> [options]\n');
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  for (const [name, command] of Object.entries(COMMANDS)) out(`  ${name.padEnd(width)}  ${command.summary}`);
  out('\nConfiguration comes from environment variables; see the README.');
}

export interface RunOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly self?: SelfCommand;
  readonly parent?: { ready(): void };
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly progress?: CliContext['progress'];
  readonly stopRequested: Promise<string>;
}

/** Runs one command; resolves with the process exit code. */
export async function runCli(options: RunOptions): Promise<number> {
  const [verb, ...args] = options.argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    help(options.out);
    return verb === undefined ? 2 : 0;
  }
  const command = COMMANDS[verb];
  if (!command) {
    options.err(`homeward: unknown command "${verb}".`);
    help(options.err);
    return 2;
  }
  const context: CliContext = {
    args,
    cwd: options.cwd,
    env: options.env,
    self: options.self,
    parent: options.parent,
    out: options.out,
    err: options.err,
    progress: options.progress,
    stopRequested: options.stopRequested,
    config() {
      const parsed = parseConfig(options.env, { cwd: options.cwd, joinPath: join });
      if (parsed.ok) return parsed.value;
      options.err(`${parsed.error.message}\n[${parsed.error.code}]`);
      return undefined;
    },
  };
  return command.run(context);
}
