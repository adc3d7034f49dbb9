// `npm run bench`: Homeward's performance figures, each measured side by side with its ceiling
// in one run and with the same load generator. Prints a table and writes JSON (see README,
// "Benchmarks"). Everything runs on 127.0.0.1 and every step is bounded by flags.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { realDatabase } from '@homeward/testing';
import { ROOT, killLeftovers } from '../e2e/homeward-process';
import { alertLatencyBench } from './alerts.bench';
import { connectionsBench } from './connections.bench';
import { ingestBench } from './ingest.bench';
import type { BenchContext } from './lib/bench-context';
import { benchSecret } from './lib/bench-fixtures';
import { type BenchOptions, parseBenchOptions } from './lib/bench-options';
import { killBenchProcesses, startHomewardProcess } from './lib/processes';
import { updateReadmeTable } from './lib/readme-table';
import { renderReport } from './lib/report';
import { trendsBench } from './trends.bench';
import { fuzzBench } from './fuzz.bench';
import { demoDetectionBench } from './demo-detection.bench';
import { fhirTransactionBench } from './fhir-transaction.bench';
import { backtestBench } from './backtest.bench';
import { smsBench } from './sms.bench';
import { worklistBench } from './worklist.bench';
import { worklistBrowserBench } from './worklist-browser.bench';

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (options.readmeFrom.length > 0) {
    updateReadmeTable(resolve(ROOT, 'README.md'), options.readmeFrom.map((f) => resolve(ROOT, f)), ROOT);
    process.stdout.write(`README.md: benchmark table regenerated from ${options.readmeFrom.join(', ')}\n`);
    return 0;
  }
  const startedAt = new Date();
  // Other work on the machine skews every figure: the load average is kept with the results.
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} bench: ${message}\n`);
  log(`${options.quick ? 'quick' : 'full'} run of ${options.only.join(', ')}; database: ${process.env['DATABASE_URL'] ? 'a scratch database on DATABASE_URL' : 'a scratch embedded PostgreSQL'}`);
  const db = await realDatabase();
  const context: BenchContext = {
    options,
    log,
    db,
    secret: await benchSecret(),
    homeward: (o = {}) => startHomewardProcess(db.url, o.env ?? {}, o.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`] : []),
  };
  const results: Record<string, unknown> = {};
  const failures: Record<string, string> = {};
  try {
    for (const name of options.only) {
      const started = Date.now();
      try {
        if (name === 'ingest') results['ingest'] = await ingestBench(context);
        if (name === 'connections') results['connections'] = await connectionsBench(context);
        if (name === 'alerts') {
          const ingest = results['ingest'] as { homeward: { readingsPerSecond: number } } | undefined;
          results['alerts'] = await alertLatencyBench(context, ingest && { readingsPerSecond: ingest.homeward.readingsPerSecond });
        }
        if (name === 'trends') results['trends'] = await trendsBench(context);
        if (name === 'fuzz') results['fuzz'] = await fuzzBench(context);
        if (name === 'demo-detection') results['demoDetection'] = await demoDetectionBench(context);
        if (name === 'fhir-transaction') results['fhirTransaction'] = await fhirTransactionBench(context);
        if (name === 'backtest') results['backtest'] = await backtestBench(context);
        if (name === 'sms') results['sms'] = await smsBench(context);
        if (name === 'worklist') results['worklist'] = await worklistBench(context);
        if (name === 'worklist-browser') results['worklistBrowser'] = await worklistBrowserBench(context);
      } catch (error) {
        failures[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log(`${name} failed: ${failures[name]}`);
      } finally {
        killBenchProcesses();
        await killLeftovers();
        log(`${name} took ${Math.round((Date.now() - started) / 1000)} s`);
      }
    }
  } finally {
    await db.dispose().catch(() => undefined);
  }
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version, platform: `${process.platform} ${process.arch}`, loadAverage1_5_15: { atStart: loadAtStart, atEnd: loadavg().map((l) => Math.round(l * 100) / 100) } },
    database: process.env['DATABASE_URL'] ? 'PostgreSQL server (DATABASE_URL, scratch database)' : 'embedded PostgreSQL (scratch)',
    options,
    results,
    failures,
  };
  const out = resolve(ROOT, options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(renderReport(report));
  process.stdout.write(`\nJSON: ${out}\n`);
  if (options.updateReadme) {
    updateReadmeTable(resolve(ROOT, 'README.md'), [out], ROOT);
    process.stdout.write(`README.md: benchmark table regenerated from ${options.out}\n`);
  }
  return Object.keys(failures).length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await killLeftovers();
    process.exit(1);
  },
);
