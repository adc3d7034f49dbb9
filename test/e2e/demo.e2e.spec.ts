import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@homeward/storage';
import { call, signIn } from './api-fixture';
import { eventually } from './gateway-fixture';
import { killLeftovers, runHomeward } from './homeward-process';

// Issue 7's "done when": `homeward demo` on the embedded database seeds a ward with a nurse,
// streams a simulated cohort over MQTT, and the nurse sees alerts on the worklist within a minute.
describe('homeward demo', () => {
  afterAll(() => killLeftovers());

  it('prints a nurse who can sign in and see an alert within 60 s, then stops cleanly on Ctrl-C', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'homeward-demo-'));
    try {
      const apiPort = await freePort();
      const demo = runHomeward(['demo', '--patients', '8'], { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_PORT: String(apiPort) });
      const nurse = await eventually(async () => {
        const exited = await Promise.race([demo.exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 0))]);
        if (exited) throw new Error(`homeward demo exited early:\n${demo.stdout()}\n${demo.stderr()}`);
        const match = /Nurse:\s+(\S+)\s+password:\s+(\S+)/.exec(demo.stdout());
        return match ? { email: match[1]!, password: match[2]! } : undefined;
      }, 90_000);
      const credentialsShownAt = Date.now();
      const api = /Dashboard:\s+(http:\/\/\S+?)\/\s/.exec(demo.stdout())?.[1];
      expect(api).toBe(`http://127.0.0.1:${apiPort}`);

      const signedIn = await signIn(api!, nurse.email, nurse.password);
      expect(signedIn.status).toBe(200);
      const { token } = (await signedIn.json()) as { token: string };
      const worklist = await eventually(async () => {
        const response = await call(api!, token, 'GET', '/api/worklist');
        expect(response.status).toBe(200);
        const items = (await response.json()) as Array<{ alert: { rule: string; wardId: string }; patient: { id: string } | null; kind: string }>;
        // The wrong device clock's technical alert comes on day 1; the clinical ones are what this waits for.
        return items.some((item) => item.kind === 'clinical') ? items : undefined;
      }, 60_000);
      expect(Date.now() - credentialsShownAt).toBeLessThan(60_000);
      expect(worklist[0]?.patient).not.toBeNull();
      // The scripted heart-failure decompensation and chest infection are what raise them.
      expect(worklist.map((item) => item.alert.rule)).toEqual(expect.arrayContaining([expect.stringMatching(/weight-gain|vital-threshold|news2-band|spo2-baseline-drop/)]));

      // Silence, judged in the replay's time (the engine's clock follows it): the patient who stops
      // measuring for the last three days is patient-silent, and the hub outage (its connection
      // dropped, the last will) raised hub-offline, resolved when the hub came back with its backlog.
      await eventually(async () => (/Replay done/.test(demo.stdout()) ? true : undefined), 90_000);
      const patients = (await (await call(api!, token, 'GET', '/api/patients')).json()) as Array<{ id: string }>;
      const history = (await Promise.all(patients.map(async (p) => (await (await call(api!, token, 'GET', `/api/patients/${p.id}/alerts`)).json()) as Array<{ rule: string; state: string }>))).flat();
      expect(history.filter((a) => a.rule === 'patient-silent' && a.state !== 'resolved').length).toBeGreaterThanOrEqual(1);
      expect(history.filter((a) => a.rule === 'hub-offline').map((a) => a.state)).toContain('resolved');
      const silence = (await (await call(api!, token, 'GET', '/api/worklist?kind=silence')).json()) as Array<{ kind: string; alert: { rule: string } }>;
      expect(silence.map((i) => i.alert.rule)).toContain('patient-silent');
      expect(silence.every((i) => i.kind === 'silence')).toBe(true);

      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
      expect(demo.stderr()).toMatch(/stopped cleanly/);
    } finally {
      await killLeftovers();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  // Issue 15's detection report: `--report` replays, reads every alert back as the nurse through
  // the API, prints the table and exits 0 instead of staying up. A short run keeps this bounded.
  it('--report prints the detection table after the replay and exits 0', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'homeward-demo-report-'));
    try {
      const demo = runHomeward(['demo', '--report', '--patients', '6', '--days', '5', '--seconds-per-day', '1', '--seed', '7'], { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_PORT: String(await freePort()) });
      const timer = setTimeout(() => demo.child.kill('SIGINT'), 110_000);
      const code = await demo.exited.finally(() => clearTimeout(timer));
      expect({ code, stderr: code === 0 ? '' : demo.stderr() }).toEqual({ code: 0, stderr: '' });
      const out = demo.stdout();
      expect(out).toMatch(/Detection report \(seed 7, 6 patients, 5 days, \d+ alerts raised\):/);
      for (const scenario of ['heart-failure-decompensation', 'chest-infection', 'non-adherence', 'hub-outage', 'wrong-clock', 'malformed-frames']) {
        expect(out).toMatch(new RegExp(`\\| ${scenario} +\\| [a-z]+.*\\| \\d/1 +\\| \\d/1 +\\|`));
      }
      expect(out).toMatch(/Deteriorations detected \d\/2, silences \d\/2, technical \d\/2\./);
      expect(out).toMatch(/False clinical alerts: \d+ over 30 patient-days = \d+\.\d{3} per patient-day/);
      expect(demo.stderr()).toMatch(/report done: stopping [\s\S]*stopped cleanly/);
    } finally {
      await killLeftovers();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
