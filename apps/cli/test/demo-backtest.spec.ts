import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wardBacktest } from '@homeward/api';
import { alertKind } from '@homeward/rules';
import { freePort } from '@homeward/storage';
import { type RealDatabase, byOpening, liveAlertHistory, realDatabase, replayedAlertHistory } from '@homeward/testing';
import { runCli } from '../src/cli';


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
    const expected = (await liveAlertHistory(db.storage, alerts)).sort(byOpening);

    const report = await wardBacktest(db.storage, { wardId: run.wardId, from: new Date(run.start), to: new Date(run.end), carePlan: {}, threads: 1 });
    expect(report.timerTicks).toBe('recorded');
    expect(replayedAlertHistory(report.alerts.current).sort(byOpening)).toEqual(expected);
    expect(report.alertBurden.current.alerts).toBe(expected.length);

    // Every kind is there, the scripted scenarios' alerts among them, and the report saw them all.
    const count = (kind: string) => expected.filter((a) => alertKind(a) === kind).length;
    for (const kind of ['clinical', 'silence', 'technical']) expect(count(kind)).toBeGreaterThan(0);
    const rules = new Set(expected.map((a) => a.rule));
    for (const rule of ['patient-silent', 'hub-offline', 'device-clock-off', 'malformed-frames']) expect(rules).toContain(rule);
    expect(expected.some((a) => a.rule === 'hub-offline' && a.resolvedAt !== null)).toBe(true);
    expect(run.alerts.length).toBe(expected.length);
  }, 300_000);
});
