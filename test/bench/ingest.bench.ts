import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { topics } from '@homeward/contracts';
import type { BenchContext } from './lib/bench-context';
import { admittedPatientsWithHubs, rulesBacklog } from './lib/bench-fixtures';
import { type CpuProfileSummary, summariseCpuProfile } from './lib/cpu-profile';
import { type CpuGroups, cpuMeter } from './lib/process-cpu';
import { startHomewardProcess, startMosquitto } from './lib/processes';
import { ROOT } from '../e2e/homeward-process';
import { realDatabase } from '@homeward/testing';
import { round, sleep } from './lib/stats';
import { startWorkers, type LoadWorker } from './lib/workers';
import type { WorkerConfig } from './lib/worker-protocol';

/** PostgreSQL's processes (the embedded server's or a local server's): "postgres: …" or the postgres binary. */
const POSTGRES_PROCESS = /^(postgres:|\S*\/postgres\s)/;

export interface IngestResult {
  readonly clients: number;
  readonly inFlightPerClient: number;
  readonly workerProcesses: number;
  readonly durationSeconds: number;
  readonly homeward: { readonly readingsPerSecond: number; readonly acked: number; readonly errors: number; readonly cpuPercentOfOneCore: Record<string, number> };
  /** The same load on `homeward start --no-rules` (ingest only: gateway and storage; the rules left to workers). */
  readonly homewardWithoutRules: { readonly readingsPerSecond: number; readonly acked: number; readonly errors: number; readonly cpuPercentOfOneCore: Record<string, number> } | null;
  readonly mosquitto: { readonly readingsPerSecond: number; readonly acked: number; readonly subscriberReceivedPerSecond: number; readonly cpuPercentOfOneCore: Record<string, number> } | null;
  readonly copy: { readonly rowsPerSecond: number; readonly rows: number; readonly seconds: number };
  readonly ratios: { readonly homewardToMosquitto: number | null; readonly homewardToCopy: number; readonly homewardToLowerCeiling: number };
  /**
   * CPU time of the broker process per reading acknowledged (µs): less at the mercy of other work
   * on the machine than the rates are, so runs on a busy machine can still be compared.
   */
  readonly cpuMicrosecondsPerReading: { readonly homeward: number | null; readonly homewardWithoutRules: number | null; readonly mosquitto: number | null };
  readonly target: string;
  readonly met: boolean;
  /**
   * The same clients as hubs that batch: `readingsPerMessage` readings in each message (one
   * group-commit share, one PUBACK), on `homeward start` and on Mosquitto with the same payloads.
   */
  readonly hubBatches: HubBatchesResult | null;
  /** Where the Homeward process spent its CPU during the measured window (node --cpu-prof), with --profile. */
  readonly profile: CpuProfileSummary | null;
  /** The same for the `--no-rules` run: the ingest path alone. */
  readonly profileWithoutRules: CpuProfileSummary | null;
  /**
   * The rules engine (in the same process) evaluates what was stored: the readings it still had
   * to evaluate when the load stopped, and how long it took to finish them.
   */
  /** Rows the Homeward run really stored (warm-up included) and messages it refused: PUBACK alone does not say which. */
  readonly storedInRun: { readonly readings: number; readonly rejectedMessages: number } | null;
  readonly rulesEngine: {
    readonly backlogAtStop: number;
    /** The share of the run's stored readings already evaluated when the load stopped: whether the rules kept up with this ingest rate. */
    readonly evaluatedByStopPercent: number | null;
    readonly drainSeconds: number;
    readonly drained: boolean;
    readonly evaluatedPerSecondDuringDrain: number;
  } | null;
  /**
   * The ceiling of Homeward's own MQTT layer: startEmbeddedBroker (size guard, aedes, sign-in,
   * authorizePublish, PUBACK after its callback) in a process of its own with storage bypassed,
   * the same load generator and clients. `answerAtOnce`: the hook answers unread; `parsing`: after
   * the gateway's JSON parse and fast-path validation (test/bench/lib/bare-broker.ts).
   */
  readonly brokerOnly: { readonly answerAtOnce: BrokerOnlyRun | null; readonly parsing: BrokerOnlyRun | null; readonly answerAtOnceToMosquitto: number | null };
  /** µs of CPU per reading acknowledged, for every measured process group of each run (broker, PostgreSQL, rules workers, load generator, subscriber). */
  readonly cpuMicrosecondsPerReadingByProcess: Readonly<Record<string, Record<string, number | null>>>;
  /** 1-, 5- and 15-minute load averages when the ingest bench started and ended (the machine is shared). */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
}

export interface BrokerOnlyRun {
  readonly readingsPerSecond: number;
  readonly acked: number;
  readonly errors: number;
  readonly cpuPercentOfOneCore: Record<string, number>;
}

type MosquittoRun = { readonly readingsPerSecond: number; readonly acked: number; readonly subscriberReceivedPerSecond: number; readonly cpuPercentOfOneCore: Record<string, number> };

export interface HubBatchesResult {
  readonly readingsPerMessage: number;
  readonly homeward: { readonly readingsPerSecond: number; readonly messagesPerSecond: number; readonly errors: number; readonly cpuPercentOfOneCore: Record<string, number> };
  readonly mosquitto: { readonly readingsPerSecond: number; readonly messagesPerSecond: number } | null;
  readonly homewardToMosquitto: number | null;
  readonly cpuMicrosecondsPerReading: number | null;
}

/** Drives workers through warm-up, a marked window and stop; returns PUBACKs/s in the window. */
async function measureFlood(
  workers: readonly LoadWorker[],
  warmupMs: number,
  durationMs: number,
  cpuGroups: CpuGroups,
): Promise<{ perSecond: number; acked: number; errors: number; window: { from: number; to: number }; cpuPercentOfOneCore: Record<string, number> }> {
  const connected = await Promise.all(workers.map((w) => w.connected(300_000)));
  const failed = connected.reduce((n, c) => n + c.failed, 0);
  if (failed > 0) throw new Error(`${failed} load clients could not connect: ${connected.find((c) => c.error)?.error ?? ''}`);
  for (const w of workers) w.send('start');
  await sleep(warmupMs);
  for (const w of workers) w.send('mark');
  const from = Date.now();
  const meter = cpuMeter({ ...cpuGroups, 'load generator': { pids: workers.map((w) => w.pid) } });
  await sleep(durationMs);
  const cpuPercentOfOneCore = meter.stop();
  const to = Date.now();
  const results = await Promise.all(workers.map((w) => w.stop()));
  const acked = results.reduce((n, r) => n + r.counted, 0);
  const elapsed = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
  return { perSecond: acked / elapsed, acked, errors: results.reduce((n, r) => n + r.errors, 0), window: { from, to }, cpuPercentOfOneCore };
}

export async function ingestBench(context: BenchContext): Promise<IngestResult> {
  const { options, log } = context;
  const loadAtStart = loadavg().map((l) => round(l, 2));
  const clients = options.ingestClients;
  const inFlight = options.ingestInFlight;
  const baseTimeMs = Date.now() - options.readingsStartDaysAgo * 86_400_000;
  const readingSpacingMs = options.readingSpacingMinutes * 60_000;

  // 1. Homeward: `homeward start` as a child process, devices with credentials, QoS 1.
  log(`ingest: registering ${clients} patients with hubs`);
  const { devices } = await admittedPatientsWithHubs(context.db.storage, clients, context.secret.hash);
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'homeward-cpu-profile-')) : undefined;
  const homeward = await context.homeward(profileDir ? { cpuProfileDir: profileDir } : {});
  const homewardConfig: WorkerConfig = {
    mode: 'flood',
    url: `mqtt://127.0.0.1:${homeward.mqttPort}`,
    clients: devices.map((d) => ({ clientId: d.deviceId, username: d.deviceId, password: context.secret.secret, topic: topics.readings(d.deviceId) })),
    inFlight,
    connectConcurrency: 8,
    baseTimeMs,
    readingSpacingMs,
  };
  log(`ingest: Homeward, ${clients} clients × ${inFlight} in flight, ${options.warmupSeconds} s warm-up + ${options.ingestSeconds} s`);
  const countRows = async () => {
    const result = await context.db.storage.db.query<{ readings: string; rejected: string }>('SELECT (SELECT count(*) FROM readings) AS readings, (SELECT count(*) FROM rejected_messages) AS rejected');
    return { readings: Number(result.rows[0]?.readings ?? 0), rejected: Number(result.rows[0]?.rejected ?? 0) };
  };
  const before = await countRows();
  let homewardRun: Awaited<ReturnType<typeof measureFlood>>;
  let profile: CpuProfileSummary | null = null;
  let rules: IngestResult['rulesEngine'] = null;
  let stored: IngestResult['storedInRun'] = null;
  try {
    homewardRun = await measureFlood(startWorkers(homewardConfig, options.workerProcesses), options.warmupSeconds * 1000, options.ingestSeconds * 1000, {
      'homeward (node)': { pids: [homeward.process.child.pid] },
      postgresql: { command: POSTGRES_PROCESS },
      'rules workers': { command: RULES_WORKER_PROCESS },
    });
    const after = await countRows();
    stored = { readings: after.readings - before.readings, rejectedMessages: after.rejected - before.rejected };
    log(`ingest: Homeward ${round(homewardRun.perSecond)} readings/s (${stored.readings} readings stored, ${stored.rejectedMessages} messages refused in the whole run); waiting for the rules engine`);
    rules = await rulesEngineCatchUp(context, stored.readings);
  } finally {
    const stopping = Date.now();
    const code = await homeward.stop();
    log(`ingest: Homeward stopped (exit ${code}) in ${Date.now() - stopping} ms`);
    if (code !== 0) log(`ingest: Homeward's last words: ${homeward.process.stderr().slice(-1500)}`);
  }
  if (profileDir) {
    profile = summariseCpuProfile(profileDir, { fromMs: homewardRun.window.from - homeward.spawnedAt, toMs: homewardRun.window.to - homeward.spawnedAt }, homeward.process.child.pid);
    log(`ingest: CPU profile of the Homeward process in ${profileDir}`);
  }

  // 1b. The same without the rules engine in the process (`homeward start --no-rules`), on a
  // scratch database of its own so no later benchmark inherits unevaluated readings.
  let withoutRules: IngestResult['homewardWithoutRules'] = null;
  let profileWithoutRules: CpuProfileSummary | null = null;
  if (!options.skipNoRules) {
    const scratch = await realDatabase();
    try {
      const other = await admittedPatientsWithHubs(scratch.storage, clients, context.secret.hash);
      const bareProfileDir = options.profile ? mkdtempSync(join(tmpdir(), 'homeward-cpu-profile-')) : undefined;
      const bare = await startHomewardProcess(scratch.url, {}, bareProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${bareProfileDir}`] : [], ['start', '--no-rules']);
      let window: { from: number; to: number } | undefined;
      try {
        log(`ingest: Homeward without the rules engine (start --no-rules), same load`);
        const run = await measureFlood(
          startWorkers({ ...homewardConfig, url: `mqtt://127.0.0.1:${bare.mqttPort}`, clients: other.devices.map((d) => ({ clientId: d.deviceId, username: d.deviceId, password: context.secret.secret, topic: topics.readings(d.deviceId) })) }, options.workerProcesses),
          options.warmupSeconds * 1000,
          options.ingestSeconds * 1000,
          { 'homeward (node)': { pids: [bare.process.child.pid] }, postgresql: { command: POSTGRES_PROCESS } },
        );
        window = run.window;
        withoutRules = { readingsPerSecond: round(run.perSecond), acked: run.acked, errors: run.errors, cpuPercentOfOneCore: run.cpuPercentOfOneCore };
        log(`ingest: Homeward without rules ${withoutRules.readingsPerSecond} readings/s`);
      } finally {
        await bare.stop();
      }
      if (bareProfileDir && window) {
        profileWithoutRules = summariseCpuProfile(bareProfileDir, { fromMs: window.from - bare.spawnedAt, toMs: window.to - bare.spawnedAt }, bare.process.child.pid);
        log(`ingest: CPU profile of the --no-rules Homeward process in ${bareProfileDir}`);
      }
    } catch (error) {
      log(`ingest: the run without rules failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await scratch.dispose();
    }
  }

  // 2. Mosquitto: the same clients and payloads, no storage; a QoS 1 subscriber in its own process.
  const mosquitto = options.skipMosquitto ? null : await mosquittoFlood(context, homewardConfig);
  if (mosquitto) log(`ingest: Mosquitto ${round(mosquitto.readingsPerSecond)} readings/s`);

  // 2a. Homeward's MQTT layer alone (storage bypassed), same clients and load generator.
  const brokerDevices = devices.map((d) => ({ id: d.deviceId, patientId: d.patientId ?? null }));
  const answerAtOnce = options.skipBrokerOnly ? null : await brokerOnlyFlood(context, homewardConfig, brokerDevices, false).catch((error: unknown) => {
    log(`ingest: the broker-only run failed: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  if (answerAtOnce) log(`ingest: Homeward's broker, storage bypassed, answering at once ${answerAtOnce.readingsPerSecond} readings/s`);
  const parsing = options.skipBrokerOnly ? null : await brokerOnlyFlood(context, homewardConfig, brokerDevices, true).catch((error: unknown) => {
    log(`ingest: the broker-only run (parsing) failed: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  if (parsing) log(`ingest: Homeward's broker, storage bypassed, parsing and validating ${parsing.readingsPerSecond} readings/s`);

  // 2b. Hubs that batch: the same clients sending several readings per message, Homeward and Mosquitto.
  const hubBatches = options.readingsPerMessage > 1 ? await hubBatchesRun(context, homewardConfig, options.readingsPerMessage) : null;

  // 3. COPY: the same rows straight into the same PostgreSQL's readings table.
  const rows = Math.max(options.copyRows, Math.round(homewardRun.acked));
  const copy = await copyRows(context.db.url, devices.map((d) => ({ patientId: d.patientId ?? '', deviceId: d.deviceId })), rows, baseTimeMs, readingSpacingMs);
  log(`ingest: COPY ${round(copy.rowsPerSecond)} rows/s`);

  const byProcess = (cpu: Record<string, number> | undefined, perSecond: number | undefined): Record<string, number | null> =>
    Object.fromEntries(Object.entries(cpu ?? {}).map(([group, percent]) => [group, cpuPerReading(percent, perSecond ?? 0)]));
  const cpuByProcess: Record<string, Record<string, number | null>> = {
    homeward: byProcess(homewardRun.cpuPercentOfOneCore, homewardRun.perSecond),
    ...(withoutRules ? { homewardWithoutRules: byProcess(withoutRules.cpuPercentOfOneCore, withoutRules.readingsPerSecond) } : {}),
    ...(mosquitto ? { mosquitto: byProcess(mosquitto.cpuPercentOfOneCore, mosquitto.readingsPerSecond) } : {}),
    ...(answerAtOnce ? { brokerOnlyAnswerAtOnce: byProcess(answerAtOnce.cpuPercentOfOneCore, answerAtOnce.readingsPerSecond) } : {}),
    ...(parsing ? { brokerOnlyParsing: byProcess(parsing.cpuPercentOfOneCore, parsing.readingsPerSecond) } : {}),
    ...(hubBatches ? { hubBatches: byProcess(hubBatches.homeward.cpuPercentOfOneCore, hubBatches.homeward.readingsPerSecond) } : {}),
  };
  log(`ingest: CPU µs per reading by process: ${JSON.stringify(cpuByProcess)}`);
  const loadAtEnd = loadavg().map((l) => round(l, 2));
  log(`ingest: load average ${loadAtStart.join(' ')} at start, ${loadAtEnd.join(' ')} at end`);

  const ceilings = [copy.rowsPerSecond, ...(mosquitto ? [mosquitto.readingsPerSecond] : [])];
  const lower = Math.min(...ceilings);
  return {
    clients,
    inFlightPerClient: inFlight,
    workerProcesses: options.workerProcesses,
    durationSeconds: options.ingestSeconds,
    homeward: { readingsPerSecond: round(homewardRun.perSecond), acked: homewardRun.acked, errors: homewardRun.errors, cpuPercentOfOneCore: homewardRun.cpuPercentOfOneCore },
    homewardWithoutRules: withoutRules,
    mosquitto: mosquitto && { ...mosquitto, readingsPerSecond: round(mosquitto.readingsPerSecond), subscriberReceivedPerSecond: round(mosquitto.subscriberReceivedPerSecond) },
    copy: { ...copy, rowsPerSecond: round(copy.rowsPerSecond), seconds: round(copy.seconds, 2) },
    cpuMicrosecondsPerReading: {
      homeward: cpuPerReading(homewardRun.cpuPercentOfOneCore['homeward (node)'], homewardRun.perSecond),
      homewardWithoutRules: withoutRules && cpuPerReading(withoutRules.cpuPercentOfOneCore['homeward (node)'], withoutRules.readingsPerSecond),
      mosquitto: mosquitto && cpuPerReading(mosquitto.cpuPercentOfOneCore['mosquitto'], mosquitto.readingsPerSecond),
    },
    ratios: {
      homewardToMosquitto: mosquitto ? round(homewardRun.perSecond / mosquitto.readingsPerSecond, 3) : null,
      homewardToCopy: round(homewardRun.perSecond / copy.rowsPerSecond, 3),
      homewardToLowerCeiling: round(homewardRun.perSecond / lower, 3),
    },
    target: '≥ 0.5 × the lower ceiling',
    met: homewardRun.perSecond >= 0.5 * lower,
    hubBatches,
    profile,
    profileWithoutRules,
    rulesEngine: rules,
    storedInRun: stored,
    brokerOnly: {
      answerAtOnce,
      parsing,
      answerAtOnceToMosquitto: answerAtOnce && mosquitto ? round(answerAtOnce.readingsPerSecond / mosquitto.readingsPerSecond, 3) : null,
    },
    cpuMicrosecondsPerReadingByProcess: cpuByProcess,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
  };
}

/** Rules-worker child processes of `homeward start` (HOMEWARD_RULES_WORKERS): "… homeward rules-worker". */
const RULES_WORKER_PROCESS = /\srules-worker\s*$/;

/**
 * The flood of `config` against Homeward's MQTT layer with storage bypassed (lib/bare-broker.ts)
 * in a child process: the same devices and credentials, so sign-in and authorizePublish run as in
 * `homeward start`; each message is answered at once (or once parsed and validated).
 */
async function brokerOnlyFlood(context: BenchContext, config: WorkerConfig, devices: ReadonlyArray<{ id: string; patientId: string | null }>, parse: boolean): Promise<BrokerOnlyRun> {
  const { options, log } = context;
  const dir = mkdtempSync(join(tmpdir(), 'homeward-bench-bare-broker-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ devices, credentialsHash: context.secret.hash, parse }));
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'lib', 'bare-broker.ts')], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'), BENCH_BARE_BROKER_CONFIG_FILE: file, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bare broker did not start within 60 s: ${stderr}`)), 60_000);
      child.once('exit', (code) => reject(new Error(`the bare broker exited (${code}): ${stderr}`)));
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      });
    });
    log(`ingest: Homeward's broker with storage bypassed (${parse ? 'parsing and validating' : 'answering at once'}), same load`);
    const run = await measureFlood(startWorkers({ ...config, url: `mqtt://127.0.0.1:${port}` }, options.workerProcesses), options.warmupSeconds * 1000, options.ingestSeconds * 1000, {
      'broker (node)': { pids: [child.pid] },
    });
    return { readingsPerSecond: round(run.perSecond), acked: run.acked, errors: run.errors, cpuPercentOfOneCore: run.cpuPercentOfOneCore };
  } finally {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The flood of `config` (its clients without credentials) against a fresh Mosquitto, with a QoS 1 subscriber in its own process. */
async function mosquittoFlood(context: BenchContext, config: WorkerConfig): Promise<MosquittoRun> {
  const { options } = context;
  const broker = await startMosquitto();
  try {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const [subscriber] = startWorkers({ ...config, mode: 'subscribe', url, clients: [{ clientId: 'bench-subscriber', topic: '' }], subscribeTopic: 'homeward/v1/devices/+/readings' }, 1);
    await subscriber?.connected(30_000);
    subscriber?.send('start');
    await sleep(300);
    const publishers = startWorkers({ ...config, url, clients: config.clients.map((c) => ({ clientId: c.clientId, topic: c.topic })) }, options.workerProcesses);
    const run = measureFlood(publishers, options.warmupSeconds * 1000, options.ingestSeconds * 1000, {
      mosquitto: { pids: [broker.child.pid] },
      subscriber: { pids: [subscriber?.pid] },
    });
    await sleep(options.warmupSeconds * 1000 + 200);
    subscriber?.send('mark');
    const published = await run;
    const received = await subscriber?.stop();
    return {
      cpuPercentOfOneCore: published.cpuPercentOfOneCore,
      readingsPerSecond: published.perSecond,
      acked: published.acked,
      subscriberReceivedPerSecond: received ? received.counted / (received.elapsedMs / 1000) : 0,
    };
  } finally {
    await broker.stop();
  }
}

/** Hubs sending `perMessage` readings per message: `homeward start` on a scratch database of its own, then Mosquitto. */
async function hubBatchesRun(context: BenchContext, base: WorkerConfig, perMessage: number): Promise<HubBatchesResult> {
  const { options, log } = context;
  const config: WorkerConfig = { ...base, readingsPerMessage: perMessage };
  const scratch = await realDatabase();
  let homeward: HubBatchesResult['homeward'];
  try {
    const { devices } = await admittedPatientsWithHubs(scratch.storage, base.clients.length, context.secret.hash);
    const running = await startHomewardProcess(scratch.url);
    try {
      log(`ingest: Homeward, hubs sending ${perMessage} readings per message`);
      const clients = devices.map((d) => ({ clientId: d.deviceId, username: d.deviceId, password: context.secret.secret, topic: topics.readings(d.deviceId) }));
      const run = await measureFlood(startWorkers({ ...config, url: `mqtt://127.0.0.1:${running.mqttPort}`, clients }, options.workerProcesses), options.warmupSeconds * 1000, options.ingestSeconds * 1000, {
        'homeward (node)': { pids: [running.process.child.pid] },
        postgresql: { command: POSTGRES_PROCESS },
      });
      homeward = { readingsPerSecond: round(run.perSecond), messagesPerSecond: round(run.perSecond / perMessage), errors: run.errors, cpuPercentOfOneCore: run.cpuPercentOfOneCore };
      log(`ingest: Homeward ${homeward.readingsPerSecond} readings/s in messages of ${perMessage}`);
    } finally {
      await running.stop();
    }
  } finally {
    await scratch.dispose();
  }
  const mosquitto = options.skipMosquitto ? null : await mosquittoFlood(context, config);
  if (mosquitto) log(`ingest: Mosquitto ${round(mosquitto.readingsPerSecond)} readings/s in messages of ${perMessage}`);
  return {
    readingsPerMessage: perMessage,
    homeward,
    mosquitto: mosquitto && { readingsPerSecond: round(mosquitto.readingsPerSecond), messagesPerSecond: round(mosquitto.readingsPerSecond / perMessage) },
    homewardToMosquitto: mosquitto ? round(homeward.readingsPerSecond / mosquitto.readingsPerSecond, 3) : null,
    cpuMicrosecondsPerReading: cpuPerReading(homeward.cpuPercentOfOneCore['homeward (node)'], homeward.readingsPerSecond),
  };
}

/** µs of CPU per reading from a process's share of one core and the readings it acknowledged per second. */
function cpuPerReading(percentOfOneCore: number | undefined, perSecond: number): number | null {
  return percentOfOneCore === undefined || perSecond <= 0 ? null : round((percentOfOneCore / 100 / perSecond) * 1e6);
}

async function rulesEngineCatchUp(context: BenchContext, storedInRun: number): Promise<IngestResult['rulesEngine']> {
  const backlogAtStop = await rulesBacklog(context);
  const started = performance.now();
  let left = backlogAtStop;
  while (left > 0 && performance.now() - started < context.options.rulesDrainSeconds * 1000) {
    await sleep(500);
    left = await rulesBacklog(context);
  }
  const seconds = (performance.now() - started) / 1000;
  context.log(`ingest: rules-engine backlog ${backlogAtStop} at stop, ${left} left after ${round(seconds)} s`);
  return {
    backlogAtStop,
    evaluatedByStopPercent: storedInRun > 0 ? round((100 * Math.max(0, storedInRun - backlogAtStop)) / storedInRun, 1) : null,
    drainSeconds: round(seconds),
    drained: left === 0,
    evaluatedPerSecondDuringDrain: round((backlogAtStop - left) / Math.max(0.001, seconds)),
  };
}

/** COPY … FROM STDIN of `rows` readings rows in Homeward's own columns and indexes (one stream, one transaction). */
async function copyRows(databaseUrl: string, devices: ReadonlyArray<{ patientId: string; deviceId: string }>, rows: number, baseTimeMs: number, readingSpacingMs: number): Promise<{ rowsPerSecond: number; rows: number; seconds: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // A table like readings (same columns, defaults and indexes) on the same server, dropped
    // afterwards: the copied rows must not reach the rules engine of the next benchmark.
    await client.query('CREATE TABLE bench_copy_readings (LIKE readings INCLUDING ALL)');
    const started = performance.now();
    const stream = client.query(copyFrom('COPY bench_copy_readings (patient_id, device_id, vital, value, unit, measured_at, device_time, received_at, source, idempotency_key) FROM STDIN'));
    const chunk = 2_000;
    async function* lines(): AsyncGenerator<string> {
      const receivedAt = new Date().toISOString();
      for (let start = 0; start < rows; start += chunk) {
        let text = '';
        for (let i = start; i < Math.min(rows, start + chunk); i++) {
          const device = devices[i % devices.length] as { patientId: string; deviceId: string };
          const sequence = Math.floor(i / devices.length);
          const at = new Date(baseTimeMs + sequence * readingSpacingMs + 500).toISOString();
          text += `${device.patientId}\t${device.deviceId}\theart_rate\t${60 + (i % 40)}\t/min\t${at}\t${at}\t${receivedAt}\tmqtt\tcopy-${device.deviceId}-${sequence}\n`;
        }
        yield text;
      }
    }
    await pipeline(lines, stream as unknown as Writable);
    const seconds = (performance.now() - started) / 1000;
    await client.query('DROP TABLE bench_copy_readings');
    return { rowsPerSecond: rows / seconds, rows, seconds };
  } finally {
    await client.end();
  }
}
