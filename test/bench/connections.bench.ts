import { topics } from '@homeward/contracts';
import type { BenchContext } from './lib/bench-context';
import { bulkHubs } from './lib/bench-fixtures';
import { rssBytes, startMosquitto } from './lib/processes';
import { round, sleep, summary } from './lib/stats';
import { LoadWorker, startWorkers } from './lib/workers';
import type { WorkerConfig } from './lib/worker-protocol';

export interface ConnectionsResult {
  readonly hubsAsked: number;
  readonly hubsConnected: number;
  /** Refused or timed-out logins (the gateway answers "server unavailable" when its store does not answer in time). */
  readonly failedConnects: number;
  /** True when the time budget stopped the run before every hub was connected. */
  readonly scaledDown: boolean;
  readonly baselineRssMiB: number;
  readonly steps: ReadonlyArray<{ readonly hubs: number; readonly rssMiB: number; readonly connectSeconds: number; readonly connectsPerSecond: number }>;
  readonly rssAtMaxMiB: number;
  /** Slope of RSS over connected hubs (least squares), MiB per 1,000. */
  readonly perThousandHubsMiB: number;
  /** Client-side CONNECT → CONNACK, ms (secret check and sign-in-limit round trips). */
  readonly connectMs: { n: number; p50: number; p95: number; p99: number; max: number };
  readonly connectsPerSecond: number;
  readonly target: string;
  readonly met: boolean;
  /** Every connected hub dropped, then all reconnecting at once (a network blip), beside Mosquitto's time for the same storm. */
  readonly reconnectStorm: ReconnectStorm | null;
}

export interface StormRun {
  readonly hubs: number;
  readonly connected: number;
  readonly failed: number;
  /** First CONNECT to the last CONNACK, over every load-generator process. */
  readonly seconds: number;
  readonly connectMs: { n: number; p50: number; p95: number; p99: number; max: number };
}

export interface ReconnectStorm {
  /** Homeward, its credential cache warm from the ramp (secrets verified in the last 10 minutes are let in from memory). */
  readonly homeward: StormRun;
  /** Mosquitto, anonymous, no persistence: the same clients at once, the ceiling. */
  readonly mosquitto: StormRun | null;
  readonly homewardToMosquittoTime: number | null;
  readonly target: string;
  readonly met: boolean;
}

const MiB = 2 ** 20;

/** RSS after the process settles (the figure drifts for a moment after a burst of connections). */
async function settledRss(pid: number | undefined, settleMs = 2_000): Promise<number> {
  await sleep(settleMs);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssBytes(pid));
    await sleep(300);
  }
  return Math.min(...samples);
}

const roundedSummary = (samples: readonly number[]) => (({ n, p50, p95, p99, max }) => ({ n, p50: round(p50), p95: round(p95), p99: round(p99), max: round(max) }))(summary(samples));

/** `hubs` connecting at once (no pacing), spread over load-generator processes, each hub from its own loopback address. */
async function storm(context: BenchContext, url: string, clients: WorkerConfig['clients']): Promise<{ run: StormRun; workers: LoadWorker[]; reasons: string[] }> {
  const workers = startWorkers(
    { mode: 'idle', url, clients, connectConcurrency: clients.length, spreadLocalAddresses: true, baseTimeMs: Date.now(), readingSpacingMs: 60_000 },
    context.options.workerProcesses,
  );
  const reports = await Promise.all(workers.map((w) => w.connected(30 * 60_000)));
  const connectMs = reports.flatMap((r) => [...r.connectMs]);
  return {
    workers,
    reasons: reports.flatMap((r) => (r.error ? [r.error] : [])),
    run: {
      hubs: clients.length,
      connected: reports.reduce((n, r) => n + r.connected, 0),
      failed: reports.reduce((n, r) => n + r.failed, 0),
      seconds: round(Math.max(...reports.map((r) => r.elapsedMs)) / 1000, 2),
      connectMs: roundedSummary(connectMs),
    },
  };
}

/**
 * A network blip: every hub reconnects at once. Homeward matches each login's secret against
 * its credential cache (an HMAC of secrets verified recently), in memory, with no sign-in-limit
 * round trips; Mosquitto takes the same clients anonymously, the ceiling.
 */
async function reconnectStormRun(context: BenchContext, mqttPort: number, hubs: readonly { deviceId: string }[]): Promise<ReconnectStorm> {
  const { log } = context;
  await sleep(2_000); // the broker has seen every disconnect
  log(`connections: reconnect storm, ${hubs.length} hubs at once`);
  const clients = hubs.map((h) => ({ clientId: h.deviceId, username: h.deviceId, password: context.secret.secret, topic: topics.status(h.deviceId) }));
  const homeward = await storm(context, `mqtt://127.0.0.1:${mqttPort}`, clients);
  await Promise.all(homeward.workers.map((w) => w.stop(30_000).catch(() => w.kill())));
  log(`connections: Homeward took ${homeward.run.seconds} s for ${homeward.run.connected} of ${hubs.length} (${homeward.run.failed} failed)`);
  if (homeward.run.failed > 0) log(`connections: failed logins: ${homeward.reasons.join('; ')}`);
  let mosquitto: StormRun | null = null;
  if (!context.options.skipMosquitto) {
    const broker = await startMosquitto();
    try {
      const ceiling = await storm(context, `mqtt://127.0.0.1:${broker.port}`, clients.map((c) => ({ clientId: c.clientId, topic: c.topic })));
      await Promise.all(ceiling.workers.map((w) => w.stop(30_000).catch(() => w.kill())));
      mosquitto = ceiling.run;
      log(`connections: Mosquitto took ${mosquitto.seconds} s for ${mosquitto.connected} of ${hubs.length}`);
    } finally {
      await broker.stop();
    }
  }
  return {
    homeward: homeward.run,
    mosquitto,
    homewardToMosquittoTime: mosquitto && mosquitto.seconds > 0 ? round(homeward.run.seconds / mosquitto.seconds, 2) : null,
    target: '10,000 hubs reconnect in < 60 s',
    // Judged on 10,000 hubs, or on the time scaled to 10,000 when fewer were connected.
    met: homeward.run.failed === 0 && (homeward.run.seconds * 10_000) / hubs.length < 60,
  };
}

/**
 * Memory of the gateway per 1,000 idle hubs: a fresh `homeward start`, then connected hubs
 * added a step at a time (each step a load-generator process of its own), RSS read from /proc
 * after each step. Every connection is a real device login, as in production: its secret checked
 * against the stored hash (SHA-256 for generated secrets; libs/auth) and counted by the sign-in limits.
 */
export async function connectionsBench(context: BenchContext): Promise<ConnectionsResult> {
  const { options, log } = context;
  log(`connections: registering ${options.hubs} hubs`);
  const hubs = await bulkHubs(context.db.storage, options.hubs, context.secret.hash);
  const homeward = await context.homeward();
  const workers: LoadWorker[] = [];
  try {
    const pid = homeward.process.child.pid;
    const baseline = await settledRss(pid, 5_000);
    log(`connections: baseline RSS ${round(baseline / MiB)} MiB`);
    const steps: Array<{ hubs: number; rssMiB: number; connectSeconds: number; connectsPerSecond: number }> = [];
    const connectMs: number[] = [];
    let connected = 0;
    let failedConnects = 0;
    const started = Date.now();
    let scaledDown = false;
    for (let from = 0; from < hubs.length; from += options.hubStep) {
      if ((Date.now() - started) / 1000 > options.connectionsBudgetSeconds) {
        scaledDown = true;
        log(`connections: time budget (${options.connectionsBudgetSeconds} s) spent at ${connected} hubs: stopping there`);
        break;
      }
      const batch = hubs.slice(from, from + options.hubStep);
      const worker = LoadWorker.start({
        mode: 'idle',
        url: `mqtt://127.0.0.1:${homeward.mqttPort}`,
        clients: batch.map((h) => ({ clientId: h.deviceId, username: h.deviceId, password: context.secret.secret, topic: topics.status(h.deviceId) })),
        connectConcurrency: 16,
        baseTimeMs: Date.now(),
        readingSpacingMs: 60_000,
      });
      workers.push(worker);
      const report = await worker.connected(30 * 60_000);
      failedConnects += report.failed;
      if (report.failed > 0) log(`connections: ${report.failed} of ${batch.length} failed to connect (${report.error ?? ''})`);
      connected += report.connected;
      connectMs.push(...report.connectMs);
      const rss = await settledRss(pid);
      const seconds = report.elapsedMs / 1000;
      steps.push({ hubs: connected, rssMiB: round(rss / MiB), connectSeconds: round(seconds), connectsPerSecond: round(report.connected / seconds) });
      log(`connections: ${connected} hubs, RSS ${round(rss / MiB)} MiB, this step connected at ${round(report.connected / seconds)}/s`);
    }
    const last = steps.at(-1);
    const rssAtMax = last?.rssMiB ?? Number.NaN;
    // The slope of RSS over connected hubs (least squares through the baseline and every step):
    // one reading is at the mercy of a garbage collection; the trend is not.
    const points = [{ x: 0, y: baseline / MiB }, ...steps.map((step) => ({ x: step.hubs, y: step.rssMiB }))];
    const meanX = points.reduce((a, p) => a + p.x, 0) / points.length;
    const meanY = points.reduce((a, p) => a + p.y, 0) / points.length;
    const sxx = points.reduce((a, p) => a + (p.x - meanX) ** 2, 0);
    const perThousand = sxx > 0 ? (points.reduce((a, p) => a + (p.x - meanX) * (p.y - meanY), 0) / sxx) * 1000 : Number.NaN;
    const totalSeconds = steps.reduce((s, x) => s + x.connectSeconds, 0);
    // The ramp's hubs all drop at once and reconnect at once.
    await Promise.all(workers.splice(0).map((w) => w.stop(30_000).catch(() => w.kill())));
    const stormHubs = hubs.slice(0, connected);
    const reconnectStorm = stormHubs.length === 0 ? null : await reconnectStormRun(context, homeward.mqttPort, stormHubs);
    return {
      reconnectStorm,
      hubsAsked: options.hubs,
      hubsConnected: connected,
      failedConnects,
      scaledDown,
      baselineRssMiB: round(baseline / MiB),
      steps,
      rssAtMaxMiB: rssAtMax,
      perThousandHubsMiB: round(perThousand),
      connectMs: (({ n, p50, p95, p99, max }) => ({ n, p50: round(p50), p95: round(p95), p99: round(p99), max: round(max) }))(summary(connectMs)),
      connectsPerSecond: round(connected / Math.max(0.001, totalSeconds)),
      target: '10,000 idle connections in < 1 GiB (RSS of the gateway process)',
      // Judged on the measured RSS at the largest step, or extrapolated per 1,000 when fewer were asked.
      met: connected >= 10_000 ? rssAtMax < 1024 : baseline / MiB + perThousand * 10 < 1024,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop(10_000).catch(() => w.kill())));
    await homeward.stop();
  }
}
