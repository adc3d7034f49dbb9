import type { HomewardConfig } from '@homeward/config';

/** The command line that runs this CLI again: node, its flags and the entry script. */
export interface SelfCommand {
  readonly execPath: string;
  readonly args: readonly string[];
}

/** What a command may touch: its arguments, the parsed configuration, and two output streams. */
export interface CliContext {
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How to start this CLI as a child process (undefined when it runs inside another program, e.g. a test). */
  readonly self?: SelfCommand | undefined;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Shows a status line on stderr that the next one replaces, then ends it with done (a terminal only; undefined otherwise). */
  readonly progress?: { readonly show: (text: string) => void; readonly done: () => void } | undefined;
  /** The `homeward start` that runs this process as its child, over IPC; undefined otherwise. */
  readonly parent?: { ready(): void } | undefined;
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
