import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BacktestAlert, wardBacktest } from '@homeward/api';
import type { Alert } from '@homeward/domain';
import { alertKind } from '@homeward/rules';
import { type Storage, freePort } from '@homeward/storage';
import { type RealDatabase, realDatabase } from '@homeward/testing';
import { runCli } from '../src/cli';

/** An alert as compared: episode, lifetime, severity history (as "at severity") and evidence (as rule-backtest-history.spec.ts). */
interface Comparable {
  readonly kind: string;
  readonly rule: string;
  readonly subject: string;
  readonly severity: string;
  readonly severityHistory: readonly string[];
  readonly openedAt: string;
  readonly acknowledgedAt: string | null;
  readonly escalatedAt: string | null;
  readonly resolvedAt: string | null;
  readonly outcome: string | null;
  readonly firstMeasuredAt: string;
  readonly latestMeasuredAt: string;
  readonly occurrences: number;
  readonly readingIds: readonly string[];
}

async function liveHistory(storage: Storage, alerts: readonly Alert[]): Promise<Comparable[]> {
  const out: Comparable[] = [];
  for (const a of alerts) {
    const history: string[] = [];
    for (const e of await storage.alerts.events(a.id)) {
      const severity = e.details['severity'];
      if (e.kind === 'raised' || ((e.kind === 'repeated' || e.kind === 'worsened') && e.details['severityRaisedFrom'] !== undefined)) history.push(`${e.at.toISOString()} ${String(severity)}`);
    }
    out.push({
      kind: alertKind(a),
      rule: a.rule,
      subject: a.subject,
      severity: a.severity,
      severityHistory: history,
      openedAt: a.openedAt.toISOString(),
      acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
      escalatedAt: a.escalatedAt?.toISOString() ?? null,
      resolvedAt: a.resolvedAt?.toISOString() ?? null,
      outcome: a.outcome,
      firstMeasuredAt: a.firstMeasuredAt.toISOString(),
      latestMeasuredAt: a.latestMeasuredAt.toISOString(),
      occurrences: a.occurrences,
      readingIds: [...a.readingIds].sort(),
    });
  }
  return out;
}

const replayedHistory = (alerts: readonly BacktestAlert[]): Comparable[] =>
  alerts.map((a) => ({
    kind: alertKind(a),
    rule: a.rule,
    subject: a.subject,
    severity: a.severity,
    severityHistory: a.severityHistory.map((h) => `${h.at} ${h.severity}`),
    openedAt: a.openedAt,
    acknowledgedAt: a.acknowledgedAt,
    escalatedAt: a.escalatedAt,
    resolvedAt: a.resolvedAt,
    outcome: a.outcome,
    firstMeasuredAt: a.firstMeasuredAt,
    latestMeasuredAt: a.latestMeasuredAt,
    occurrences: a.occurrences,
    readingIds: [...a.readingIds].sort(),
  }));

const order = (x: Comparable, y: Comparable) => x.openedAt.localeCompare(y.openedAt) || x.rule.localeCompare(y.rule) || x.subject.localeCompare(y.subject);

// Issue 21: backtest equivalence with live evaluation on the demo cohort. `homeward demo --report`
// runs in-process (real PostgreSQL, its embedded MQTT broker on a free port, the simulated hubs
// and apps over real MQTT) with one replay clock stepping the gateway's stamps and the engine
// alike. The ward backtest of the stored plans over the replayed period, on the engine's recorded
// timer ticks, gives exactly the alert history the live engine recorded: clinical, silence and
// technical alerts, every field the engine equivalence specs compare.
describe('homeward demo, backtested', () => {
  let db: RealDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await realDatabase();
    dir = mkdtempSync(join(tmpdir(), 'homeward-demo-backtest-'));
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.dispose();
  });

  it('the backtest of the demo ward with the current plans reproduces its live alert history of every kind', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli({
      argv: ['demo', '--report', '--json', '--patients', '6', '--days', '5', '--seconds-per-day', '0.2', '--seed', '7'],
      env: { DATABASE_URL: db.url, HOMEWARD_MQTT_PORT: String(await freePort()), HOMEWARD_API_PORT: String(await freePort()) },
      cwd: dir,
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      stopRequested: new Promise(() => undefined),
    });
    expect({ code, err: code === 0 ? '' : err.join('\n') }).toEqual({ code: 0, err: '' });
    const run = JSON.parse(out.at(-1) ?? '') as { wardId: string; start: string; end: string; alerts: unknown[] };

    const { rows } = await db.storage.db.query<{ patient_id: string }>('SELECT patient_id FROM admissions WHERE ward_id = $1 ORDER BY patient_id', [run.wardId]);
    expect(rows.length).toBe(6);
    const alerts = (await Promise.all(rows.map((r) => db.storage.alerts.forPatient(r.patient_id, { includeResolved: true })))).flat();
    const expected = (await liveHistory(db.storage, alerts)).sort(order);

    const report = await wardBacktest(db.storage, { wardId: run.wardId, from: new Date(run.start), to: new Date(run.end), carePlan: {}, threads: 1 });
    expect(report.timerTicks).toBe('recorded');
    expect(replayedHistory(report.alerts.current).sort(order)).toEqual(expected);
    expect(report.alertBurden.current.alerts).toBe(expected.length);

    // Every kind is there, the scripted scenarios' alerts among them, and the report saw them all.
    const count = (kind: string) => expected.filter((a) => a.kind === kind).length;
    for (const kind of ['clinical', 'silence', 'technical']) expect(count(kind)).toBeGreaterThan(0);
    const rules = new Set(expected.map((a) => a.rule));
    for (const rule of ['patient-silent', 'hub-offline', 'device-clock-off', 'malformed-frames']) expect(rules).toContain(rule);
    expect(expected.some((a) => a.rule === 'hub-offline' && a.resolvedAt !== null)).toBe(true);
    expect(run.alerts.length).toBe(expected.length);
  }, 300_000);
});
