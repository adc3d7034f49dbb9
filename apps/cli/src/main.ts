import { runCli } from './cli';

// The process edge: the only place that touches process.argv, process.env and signals.
const stopRequested = new Promise<string>((resolve) => {
  let asked = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (asked) {
        process.stderr.write(`homeward: ${signal} again, exiting without a clean stop\n`);
        process.exit(130);
      }
      asked = true;
      resolve(signal);
    });
  }
});

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  stopRequested,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`homeward: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
