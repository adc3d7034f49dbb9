import type { HomewardConfig } from '@homeward/config';

/** What a command may touch: its arguments, the parsed configuration, and two output streams. */
export interface CliContext {
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Parses and validates the environment; prints every problem and returns undefined if bad. */
  config(): HomewardConfig | undefined;
  /** Resolves when the operator asks the process to stop (Ctrl-C, SIGTERM). */
  readonly stopRequested: Promise<string>;
}

export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(context: CliContext): Promise<number>;
}
