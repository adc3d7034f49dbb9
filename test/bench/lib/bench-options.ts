import { parseArgs } from 'node:util';

export const BENCHES = ['ingest', 'connections', 'alerts', 'trends', 'fuzz', 'demo-detection', 'fhir-transaction', 'backtest', 'sms', 'worklist', 'worklist-browser'] as const;
export type BenchName = (typeof BENCHES)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly only: readonly BenchName[];
  readonly warmupSeconds: number;
  readonly ingestSeconds: number;
  readonly ingestClients: number;
  readonly ingestInFlight: number;
  readonly workerProcesses: number;
  /** Readings per message for the hub-batch ingest figure (1: not measured). */
  readonly readingsPerMessage: number;
  readonly copyRows: number;
  /** How long to wait for the rules engine to evaluate the ingest backlog before stopping Homeward. */
  readonly rulesDrainSeconds: number;
  /** Measurement-time spacing of one device's readings (realistic density for the rules engine). */
  readonly readingSpacingMinutes: number;
  /** Device times start this many days ago (a device's readings must not reach the future). */
  readonly readingsStartDaysAgo: number;
  readonly skipMosquitto: boolean;
  /** Skip the extra ingest run on `homeward start --no-rules`. */
  readonly skipNoRules: boolean;
  /** Skip the runs of Homeward's MQTT layer with storage bypassed (the broker-only ceiling). */
  readonly skipBrokerOnly: boolean;
  readonly profile: boolean;
  readonly hubs: number;
  readonly hubStep: number;
  /** Stop adding hubs once this long has been spent connecting (each login costs a scrypt verification). */
  readonly connectionsBudgetSeconds: number;
  readonly alertSeconds: number;
  readonly alertProbeIntervalMs: number;
  readonly alertLoadRate: number | undefined;
  /** Late readings stored at once for the alert-latency-during-backfill phase (0: not measured). */
  readonly backfillReadings: number;
  readonly trendPatients: number;
  readonly trendPatientsTimescale: number;
  readonly trendReadingsPerDay: number;
  readonly trendLoadBudgetSeconds: number;
  readonly trendQueries: number;
  /** Generated device messages for the fuzz (100,000 in a full run). */
  readonly fuzzCases: number;
  readonly fuzzSeed: number;
  /** `homeward demo --report` runs, one per seed (three in a full run, one with --quick). */
  readonly demoSeeds: readonly number[];
  readonly demoPatients: number;
  readonly demoDays: number;
  readonly demoSecondsPerDay: number;
  readonly out: string;
  /** Regenerate the README's benchmark table from these results files and run nothing (--readme-from a.json,b.json). */
  readonly readmeFrom: readonly string[];
  /** After the run, put its table in the README (a full run writing latest.json does by default; --readme / --no-readme). */
  readonly updateReadme: boolean;
}

export const USAGE = `npm run bench -- [--quick] [--only ingest,connections,alerts,trends,fuzz,demo-detection,fhir-transaction,backtest,sms,worklist,worklist-browser] [--ingest-seconds 30] [--ingest-clients 400]
  [--in-flight 1] [--worker-processes 2] [--readings-per-message 10 (1: skip the hub-batch figure)] [--copy-rows 200000] [--rules-drain-seconds 180] [--reading-spacing-minutes 180] [--readings-start-days-ago 400] [--skip-mosquitto] [--skip-no-rules] [--skip-broker-only] [--profile]
  [--hubs 10000] [--hub-step 1000] [--connections-budget-seconds 900] [--alert-seconds 60] [--alert-load-rate <readings/s>] [--backfill-readings 1000000 (quick: 50000; 0: skip)]
  [--trend-patients 10000] [--trend-patients-timescale 1000] [--trend-readings-per-day 5]
  [--trend-load-budget-seconds 420] [--trend-queries 300] [--cases 100000] [--fuzz-seed 20261203]
  [--demo-seeds 1,2,3 (quick: 1)] [--demo-patients 12] [--demo-days 10] [--demo-seconds-per-day 2.5] [--out test/bench/results/latest.json (quick: quick.json)]
  [--readme | --no-readme (a full run of everything updates the README's table)] [--readme-from results/a.json,results/b.json (only regenerate the README's table)]`;

/** Flags; --quick shrinks every default so a development run takes about two minutes. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      'warmup-seconds': { type: 'string' },
      'ingest-seconds': { type: 'string' },
      'ingest-clients': { type: 'string' },
      'in-flight': { type: 'string' },
      'worker-processes': { type: 'string' },
      'readings-per-message': { type: 'string' },
      'copy-rows': { type: 'string' },
      'rules-drain-seconds': { type: 'string' },
      'reading-spacing-minutes': { type: 'string' },
      'readings-start-days-ago': { type: 'string' },
      'skip-mosquitto': { type: 'boolean' },
      'skip-no-rules': { type: 'boolean' },
      'skip-broker-only': { type: 'boolean' },
      profile: { type: 'boolean' },
      hubs: { type: 'string' },
      'hub-step': { type: 'string' },
      'connections-budget-seconds': { type: 'string' },
      'alert-seconds': { type: 'string' },
      'alert-probe-interval-ms': { type: 'string' },
      'alert-load-rate': { type: 'string' },
      'backfill-readings': { type: 'string' },
      'trend-patients': { type: 'string' },
      'trend-patients-timescale': { type: 'string' },
      'trend-readings-per-day': { type: 'string' },
      'trend-load-budget-seconds': { type: 'string' },
      'trend-queries': { type: 'string' },
      cases: { type: 'string' },
      'fuzz-seed': { type: 'string' },
      'demo-seeds': { type: 'string' },
      'demo-patients': { type: 'string' },
      'demo-days': { type: 'string' },
      'demo-seconds-per-day': { type: 'string' },
      out: { type: 'string' },
      'readme-from': { type: 'string' },
      readme: { type: 'boolean' },
      'no-readme': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick ?? false;
  const number = (name: string, value: string | undefined, full: number, fast: number, min = 0): number => {
    const n = value === undefined ? (quick ? fast : full) : Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}\n${USAGE}`);
    return n;
  };
  const only = (values.only?.split(',').map((s) => s.trim()) ?? [...BENCHES]) as BenchName[];
  for (const name of only) if (!(BENCHES as readonly string[]).includes(name)) throw new Error(`--only: unknown benchmark "${name}" (known: ${BENCHES.join(', ')})`);
  const hubs = number('hubs', values.hubs, 10_000, 1_000, 1);
  const demoSeeds = (values['demo-seeds'] ?? (quick ? '1' : '1,2,3')).split(',').map((s) => Number(s.trim()));
  if (demoSeeds.some((s) => !Number.isInteger(s))) throw new Error(`--demo-seeds must be whole numbers separated by commas\n${USAGE}`);
  return {
    quick,
    only,
    warmupSeconds: number('warmup-seconds', values['warmup-seconds'], 5, 2),
    ingestSeconds: number('ingest-seconds', values['ingest-seconds'], 30, 6, 1),
    ingestClients: number('ingest-clients', values['ingest-clients'], 400, 50, 1),
    ingestInFlight: number('in-flight', values['in-flight'], 1, 1, 1),
    workerProcesses: number('worker-processes', values['worker-processes'], 2, 1, 1),
    readingsPerMessage: Math.min(500, Math.floor(number('readings-per-message', values['readings-per-message'], 10, 10, 1))),
    copyRows: number('copy-rows', values['copy-rows'], 200_000, 20_000, 1),
    rulesDrainSeconds: number('rules-drain-seconds', values['rules-drain-seconds'], 180, 60, 0),
    readingSpacingMinutes: number('reading-spacing-minutes', values['reading-spacing-minutes'], 180, 180, 0.001),
    readingsStartDaysAgo: number('readings-start-days-ago', values['readings-start-days-ago'], 400, 400, 1),
    skipMosquitto: values['skip-mosquitto'] ?? false,
    skipNoRules: values['skip-no-rules'] ?? false,
    skipBrokerOnly: values['skip-broker-only'] ?? false,
    // The full run profiles Homeward during ingest (node --cpu-prof costs a few per cent); --quick only when asked.
    profile: values.profile ?? !quick,
    hubs,
    hubStep: Math.min(hubs, number('hub-step', values['hub-step'], 1_000, 250, 1)),
    connectionsBudgetSeconds: number('connections-budget-seconds', values['connections-budget-seconds'], 900, 180, 1),
    alertSeconds: number('alert-seconds', values['alert-seconds'], 60, 10, 1),
    alertProbeIntervalMs: number('alert-probe-interval-ms', values['alert-probe-interval-ms'], 250, 250, 20),
    backfillReadings: Math.floor(number('backfill-readings', values['backfill-readings'], 1_000_000, 50_000, 0)),
    alertLoadRate: values['alert-load-rate'] === undefined ? undefined : number('alert-load-rate', values['alert-load-rate'], 0, 0, 0),
    trendPatients: number('trend-patients', values['trend-patients'], 10_000, 200, 1),
    trendPatientsTimescale: number('trend-patients-timescale', values['trend-patients-timescale'], 1_000, 50, 1),
    trendReadingsPerDay: number('trend-readings-per-day', values['trend-readings-per-day'], 5, 5, 1),
    trendLoadBudgetSeconds: number('trend-load-budget-seconds', values['trend-load-budget-seconds'], 420, 120, 1),
    trendQueries: number('trend-queries', values['trend-queries'], 300, 60, 1),
    fuzzCases: number('cases', values.cases, 100_000, 2_000, 1),
    fuzzSeed: number('fuzz-seed', values['fuzz-seed'], 20261203, 20261203, 0),
    demoSeeds,
    demoPatients: number('demo-patients', values['demo-patients'], 12, 12, 6),
    demoDays: number('demo-days', values['demo-days'], 10, 10, 5),
    demoSecondsPerDay: number('demo-seconds-per-day', values['demo-seconds-per-day'], 2.5, 2.5, 0.2),
    // Only a full run replaces the committed figures.
    out: values.out ?? (quick ? 'test/bench/results/quick.json' : 'test/bench/results/latest.json'),
    readmeFrom: values['readme-from']?.split(',').map((f) => f.trim()).filter((f) => f.length > 0) ?? [],
    updateReadme: values['no-readme'] ? false : (values.readme ?? (!quick && values.out === undefined && values.only === undefined)),
  };
}
