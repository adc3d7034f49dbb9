import { runCli } from '../src/cli';
import { parseReportDate } from '../src/commands/analytics.command';
import { type HandComputedWard, type RealDatabase, realDatabase, seedHandComputedWard } from '@homeward/testing';

// `homeward analytics`, run in this process against a real PostgreSQL holding the hand-computed ward.
jest.setTimeout(120_000);

describe('homeward analytics', () => {
  let db: RealDatabase;
  let ward: HandComputedWard;

  beforeAll(async () => {
    db = await realDatabase();
    ward = await seedHandComputedWard(db.storage);
  });
  afterAll(() => db?.dispose());

  async function homeward(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli({ argv, env: { DATABASE_URL: db.url }, cwd: process.cwd(), out: (t) => out.push(t), err: (t) => err.push(t), stopRequested: new Promise(() => undefined) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('prints the monthly outcomes as a table, as CSV and as JSON', async () => {
    const range = ['--ward', ward.wardId, '--from', '2026-10-01', '--to', '2026-12-01'];
    const text = await homeward('analytics', 'outcomes', ...range);
    expect(text.code).toBe(0);
    expect(text.out.split('\n')[2]).toMatch(/^2026-10\s+23\.5\s+4\s+3\s+1\s+0\s+0\s+0\s+1\s+1\s+1\/0\s+4\/1 d\s+1$/);
    const csv = await homeward('analytics', 'outcomes', ...range, '--csv');
    expect(csv.out.split('\r\n')[2]).toBe('2026-11,29.5,2,2,0,1,1,0,0,0,0,1,2,10,10,1');
    const json = JSON.parse((await homeward('analytics', 'alert-burden', ...range, '--json')).out) as { patientDays: number; alerts: { total: number } };
    expect([json.patientDays, json.alerts.total]).toEqual([53, 7]);
    const burden = await homeward('analytics', 'alert-burden', ...range);
    expect(burden.out).toContain('5 patients, 53 patient-days; 7 alerts (0.132 per patient-day)');
    expect(burden.out).toContain('Resolved as no action needed: 2 of 5 resolved by a person (40 %)');
  });

  it('says what is wrong with the arguments, and which ward it cannot find', async () => {
    const bad = await homeward('analytics', 'burden', '--ward', 'w1', '--from', '1 Oct');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('name one report: alert-burden or outcomes');
    expect(bad.err).toContain('--ward must be a ward id');
    expect(bad.err).toContain('--from must be a date');
    expect(bad.err).toContain('--to must be a date');
    const missing = await homeward('analytics', 'outcomes', '--ward', '00000000-0000-4000-8000-000000000000', '--from', '2026-10-01', '--to', '2026-11-01');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toContain('[ward.not-found]');
    expect(parseReportDate('2026-02-30')).toBeNull();
    expect(parseReportDate('2026-10-01T09:00:00+01:00')?.toISOString()).toBe('2026-10-01T08:00:00.000Z');
  });
});
