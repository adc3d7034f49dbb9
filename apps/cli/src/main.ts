import { runCli } from './cli';

// The process edge: the only place that touches process.argv, process.env and signals.
const stopRequested = new Promise<string>((resolve) => {
  let asked = false;
  const stop = (reason: string) => {
    if (asked) return false;
    asked = true;
    resolve(reason);
    return true;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stop(signal)) {
        process.stderr.write(`homeward: ${signal} again, exiting without a clean stop\n`);
        process.exit(130);
      }
    });
  }
  // A rules worker that `homeward start` runs as its child: when the parent is gone (even
  // SIGKILLed), its IPC channel closes, and the worker stops rather than outlive it.
  if (process.send) process.once('disconnect', () => stop('parent exited'));
});

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  // How to run this same command line again (a rules-worker child of `homeward start`).
  self: { execPath: process.execPath, args: [...process.execArgv, process.argv[1] ?? ''] },
  // Started by `homeward start` (an IPC channel): it is told when this worker runs.
  ...(process.send ? { parent: { ready: () => process.send?.({ homeward: 'ready' }) } } : {}),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  // On a terminal a status line is rewritten in place (\r, then clear to the end of the line).
  ...(process.stderr.isTTY ? { progress: { show: (text: string) => process.stderr.write(`\r${text}\x1b[K`), done: () => process.stderr.write('\n') } } : {}),
  stopRequested,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`homeward: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
