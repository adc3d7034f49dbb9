import { type DetectionReport, type RaisedAlert, evaluateDetection, generateCohort, renderDetectionReport } from '@homeward/device-simulators';
import { freePort } from '@homeward/storage';
import { runHomeward } from '../e2e/homeward-process';
import type { BenchContext } from './lib/bench-context';

interface DemoJson {
  readonly seed: number;
  readonly patients: number;
  readonly days: number;
  readonly start: string;
  readonly report: DetectionReport;
  readonly alerts: ReadonlyArray<Omit<RaisedAlert, 'firstMeasuredAt'> & { readonly firstMeasuredAt: string }>;
}

/**
 * Issue 15's detection figures (`--only demo-detection`): `homeward demo --report --json` once per
 * seed, each a real process on the bench's scratch database with a fresh ward, then every run's
 * alerts evaluated together against the cohort the seed regenerates (the same seed, the same cohort).
 */
export async function demoDetectionBench(context: BenchContext): Promise<Record<string, unknown>> {
  const { demoSeeds: seeds, demoPatients: patients, demoDays: days, demoSecondsPerDay: secondsPerDay } = context.options;
  const runs: Array<{ cohort: Parameters<typeof evaluateDetection>[0][number]['cohort']; alerts: RaisedAlert[] }> = [];
  const perSeed: Array<{ seed: number; alerts: number; seconds: number; report: DetectionReport }> = [];
  for (const seed of seeds) {
    const started = Date.now();
    context.log(`demo-detection: seed ${seed}, ${patients} patients, ${days} days at ${secondsPerDay} s a day`);
    const demo = runHomeward(['demo', '--report', '--json', '--seed', String(seed), '--patients', String(patients), '--days', String(days), '--seconds-per-day', String(secondsPerDay)], {
      DATABASE_URL: context.db.url,
      HOMEWARD_API_PORT: String(await freePort()),
    });
    // Bounded: start-up, the replay, the settling wait and the read-back, with room to spare.
    const budgetMs = 180_000 + days * secondsPerDay * 1000 * 2;
    const timer = setTimeout(() => demo.child.kill('SIGINT'), budgetMs);
    const code = await demo.exited.finally(() => clearTimeout(timer));
    if (code !== 0) throw new Error(`homeward demo --report (seed ${seed}) exited ${code}:\n${demo.stderr().slice(-3_000)}`);
    const last = demo.stdout().trim().split('\n').at(-1) ?? '';
    const json = JSON.parse(last) as DemoJson;
    const cohort = generateCohort({ seed: json.seed, size: json.patients, days: json.days });
    const alerts = json.alerts.map((a) => ({ ...a, firstMeasuredAt: new Date(a.firstMeasuredAt) }));
    runs.push({ cohort: { start: new Date(json.start), days: json.days, patients: cohort.patients }, alerts });
    perSeed.push({ seed, alerts: alerts.length, seconds: Math.round((Date.now() - started) / 1000), report: json.report });
  }
  const combined = evaluateDetection(runs);
  context.log(`demo-detection: ${seeds.length} seed(s) combined\n${renderDetectionReport(combined)}`);
  return { seeds, patients, days, secondsPerDay, perSeed, combined, target: 'every scenario detected; false clinical alerts < 0.3 per patient-day', met: detectedAll(combined) && combined.falseClinicalPerPatientDay < 0.3 };
}

function detectedAll(report: DetectionReport): boolean {
  return report.scenarios.every((s) => s.detected === s.events);
}
