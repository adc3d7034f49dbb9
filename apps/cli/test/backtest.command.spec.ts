import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HandComputedWard, type RealDatabase, realDatabase, seedHandComputedWard } from '@homeward/testing';
import { runCli } from '../src/cli';
import { progressBar } from '../src/commands/backtest.command';

// `homeward backtest` on the hand-computed ward (real PostgreSQL): its readings are all ordinary, so
// the stored plans find nothing; a plan that alerts at SpO2 96 % finds each of P2's 20 SpO2 readings.
jest.setTimeout(120_000);

describe('homeward backtest', () => {
  let db: RealDatabase;
  let ward: HandComputedWard;
  let dir: string;

  beforeAll(async () => {
    db = await realDatabase();
    ward = await seedHandComputedWard(db.storage);
    dir = mkdtempSync(join(tmpdir(), 'homeward-backtest-'));
    const override = { vital: 'spo2', thresholds: [{ direction: 'at-or-below', value: 96, severity: 'low', action: 'Backtest: call the patient.' }], decidedBy: 'clinician', decidedAt: '2026-12-01T09:00:00Z', reason: 'trying a tighter limit', reviewBy: '2027-01-01T00:00:00Z' };
    writeFileSync(join(dir, 'tighter.json'), JSON.stringify({ thresholdOverrides: [override] }));
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ thresholdOverides: [] }));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.dispose();
  });

  async function homeward(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli({ argv, env: { DATABASE_URL: db.url }, cwd: dir, out: (t) => out.push(t), err: (t) => err.push(t), stopRequested: new Promise(() => undefined) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('compares the stored plans with a proposed one: findings that appear, and the catches of past actioned alerts', async () => {
    const before = await db.storage.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts WHERE ward_id = $1', [ward.wardId]);
    const run = await homeward('backtest', '--ward', ward.wardId, '--from', '2026-10-01', '--to', '2026-12-01', '--care-plan', 'tighter.json', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.out) as {
      patientDays: number;
      current: { findings: number };
      proposed: { findings: number; byRule: { key: string; count: number }[] };
      differences: { patientId: string; appear: unknown[]; disappear: unknown[] }[];
      catches: { rule: string; outcome: string; currentAt: string | null; proposedAt: string | null }[];
    };
    expect(report.patientDays).toBe(53);
    expect(report.current.findings).toBe(0);
    expect(report.proposed.byRule).toEqual([{ key: 'vital-threshold', count: 20, perPatientDay: 0.377 }]);
    expect(report.differences.map((d) => [d.appear.length, d.disappear.length])).toEqual([[20, 0]]);
    // Three past alerts needed clinical action: P1's NEWS2 (999), P2's silence (contacted), P3's NEWS2 (GP).
    // Only P2 has SpO2 readings within 72 h of its alert (25 Oct): the tighter plan would have flagged it on 22 Oct.
    expect(report.catches.map((c) => [c.outcome, c.currentAt, c.proposedAt])).toEqual([
      ['escalated-to-999', null, null],
      ['contacted-patient', null, '2026-10-22T08:00:00.000Z'],
      ['escalated-to-gp', null, null],
    ]);
    const after = await db.storage.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts WHERE ward_id = $1', [ward.wardId]);
    expect(after.rows).toEqual(before.rows); // reads only
    const text = await homeward('backtest', '--ward', ward.wardId, '--from', '2026-10-01', '--to', '2026-12-01', '--care-plan', 'tighter.json', '--pathway', 'copd');
    expect(text.out).toContain('vital-threshold');
    expect(text.out).toContain('proposed 2026-10-22T08:00:00.000Z');
    expect(text.err).toContain('reading 1/1 admissions');
    expect(text.err).toContain('replayed 1/1 admissions');
  });

  it('on a terminal, draws one progress bar per phase, rewritten in place and ended once', async () => {
    const shown: string[] = [];
    let ended = 0;
    const err: string[] = [];
    const code = await runCli({
      argv: ['backtest', '--ward', ward.wardId, '--from', '2026-10-01', '--to', '2026-12-01', '--care-plan', 'tighter.json'],
      env: { DATABASE_URL: db.url },
      cwd: dir,
      out: () => undefined,
      err: (t) => err.push(t),
      progress: { show: (t) => shown.push(t), done: () => ended++ },
      stopRequested: new Promise(() => undefined),
    });
    expect(code).toBe(0);
    const admissions = shown.filter((line) => line.startsWith('reading')).length;
    expect(admissions).toBeGreaterThan(0);
    expect(shown.at(-1)).toBe(`replaying ${progressBar(1, 1)} ${admissions}/${admissions} admissions`);
    expect(ended).toBe(1);
    expect(err.join('\n')).not.toContain('admissions');
  });

  it('draws a bar of the share done', () => {
    expect(progressBar(0, 4, 8)).toBe('[--------]   0 %');
    expect(progressBar(1, 4, 8)).toBe('[##------]  25 %');
    expect(progressBar(4, 4, 8)).toBe('[########] 100 %');
    expect(progressBar(0, 0, 4)).toBe('[####] 100 %');
  });

  it('refuses a care plan it cannot read, rather than fall back to defaults', async () => {
    const run = await homeward('backtest', '--ward', ward.wardId, '--from', '2026-10-01', '--to', '2026-12-01', '--care-plan', 'typo.json');
    expect(run.code).toBe(2);
    expect(run.err).toContain('The care plan cannot be read as it is: ');
    expect(run.err).toContain('thresholdOverides');
    expect(run.err).toContain('[backtest.care-plan-unreadable]');
    const missing = await homeward('backtest', '--ward', ward.wardId, '--from', '2026-10-01', '--to', '2026-12-01', '--care-plan', 'absent.json');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--care-plan: ');
  });
});
