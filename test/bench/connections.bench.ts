import { topics } from '@homeward/contracts';
import type { BenchContext } from './lib/bench-context';
import { bulkHubs } from './lib/bench-fixtures';
import { rssBytes } from './lib/processes';
import { round, sleep, summary } from './lib/stats';
import { LoadWorker } from './lib/workers';

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
  /** Client-side CONNECT → CONNACK, ms (the scrypt verification is most of it). */
  readonly connectMs: { n: number; p50: number; p95: number; p99: number; max: number };
  readonly connectsPerSecond: number;
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

/**
 * Memory of the gateway per 1,000 idle hubs: a fresh `homeward start`, then connected hubs
 * added a step at a time (each step a load-generator process of its own), RSS read from /proc
 * after each step. Every connection is a real device login: scrypt-verified, as in production.
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
    return {
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
