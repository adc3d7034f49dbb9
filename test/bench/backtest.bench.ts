import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ruleBacktestInThreads, type BacktestAdmission } from '@homeward/api';
import { PATHWAYS, type Reading, type VitalKey, VITAL_SIGNS, buildReading, unwrap } from '@homeward/domain';
import type { DeviceContactEvent } from '@homeward/storage';
import type { BenchContext } from './lib/bench-context';

export interface BacktestBenchResult {
  readonly patients: number;
  readonly days: number;
  readings: number;
  readonly replaySeconds: number;
  /** Worker threads the replay ran on (ruleBacktestInThreads, as `homeward backtest` runs it), and its CPU time over all threads. */
  readonly threads: number;
  readonly replayCpuSeconds: number;
  readonly findings: { readonly current: number; readonly proposed: number };
  readonly target: string;
  readonly met: boolean;
}

const DAY_MS = 86_400_000;
/** Measuring times of day and the vital's usual value and spread: four moments a day, every pathway's vitals. */
const SLOTS: ReadonlyArray<readonly [number, VitalKey, number, number]> = [
  [7, 'body_weight', 80, 1],
  [8, 'systolic_bp', 128, 18],
  [8, 'heart_rate', 76, 14],
  [8, 'spo2', 95, 2.5],
  [13, 'spo2', 95, 2.5],
  [13, 'heart_rate', 78, 14],
  [13, 'body_temperature', 36.9, 0.6],
  [20, 'spo2', 95, 2.5],
  [20, 'heart_rate', 76, 14],
];

/** A hub's contact spans: in touch all week, then an hour offline (its last will), from 10 days before the period. */
function hubSpans(from: Date, days: number): DeviceContactEvent[] {
  const spans: DeviceContactEvent[] = [];
  for (let week = -10 * DAY_MS; week < days * DAY_MS; week += 7 * DAY_MS) {
    const at = new Date(from.getTime() + week);
    const end = new Date(at.getTime() + 7 * DAY_MS - 3_600_000);
    spans.push({ at, until: null, kind: 'online', batteryLevel: null }, { at, until: end, kind: 'seen', batteryLevel: null }, { at: new Date(end.getTime() + 1), until: null, kind: 'offline', batteryLevel: null });
  }
  return spans;
}

/**
 * Issue 21's target: a backtest of 200 patients × 90 days in under 10 s. Times the replay itself
 * (ruleBacktestInThreads on every core: every reading moment through evaluatePatientRules under the stored plan and a
 * proposed one, the timer pass at every moment its answer can change, then the comparison) on readings built in memory; reading them from the database
 * is the readings query the trends benchmark measures, and is not counted here.
 */
export async function backtestBench(context: BenchContext): Promise<BacktestBenchResult> {
  const patients = context.options.quick ? 40 : 200;
  const days = 90;
  const from = new Date(Date.UTC(2026, 5, 1));
  const to = new Date(from.getTime() + days * DAY_MS);
  let seed = 20261203;
  const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const admissions: BacktestAdmission[] = [];
  let readings = 0;
  for (let p = 0; p < patients; p++) {
    const patientId = randomUUID();
    const pathway = PATHWAYS[p % PATHWAYS.length] ?? 'general';
    const list: Reading[] = [];
    for (let d = -10; d < days; d++) {
      for (const [hour, vital, usual, spread] of SLOTS) {
        const at = new Date(from.getTime() + d * DAY_MS + hour * 3_600_000 + Math.floor(next() * 1_800_000));
        const value = Math.round((usual + (next() + next() + next() - 1.5) * spread) * 10) / 10;
        list.push(unwrap(buildReading({ patientId, deviceId: null, vital, value, unit: VITAL_SIGNS[vital].unit, measuredAt: at, deviceTime: at, receivedAt: at, source: 'manual' })));
      }
    }
    readings += list.length;
    admissions.push({
      admission: { id: randomUUID(), patientId, pathway, carePlan: {}, admittedAt: new Date(from.getTime() - 10 * DAY_MS), dischargedAt: null, dischargeOutcome: null, previousDischargeAt: null, previousDischargeOutcome: null },
      readings: list,
      proposed: { patientId, pathway, carePlan: { news2: { windowHours: 24, alertFrom: 'low' } } },
      // The timer pass replayed too: a home hub in touch throughout but for an hour's outage each week (device_contacts spans).
      timer: { devices: [{ id: randomUUID(), type: 'hub', patientId, contacts: hubSpans(from, days) }], malformed: [] },
    });
  }
  context.log(`backtest: replaying ${patients} patients × ${days} days (${readings} readings) under two plans`);
  const threads = availableParallelism();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const report = await ruleBacktestInThreads(admissions, [], { from, to }, { threads });
  const replaySeconds = Math.round(Number(process.hrtime.bigint() - started) / 1e7) / 100;
  const used = process.cpuUsage(cpu);
  const replayCpuSeconds = Math.round((used.user + used.system) / 1e4) / 100;
  const target = '200 patients × 90 days < 10 s';
  return { patients, days, readings, replaySeconds, threads, replayCpuSeconds, findings: { current: report.current.findings, proposed: report.proposed.findings }, target, met: patients < 200 ? replaySeconds < (10 * patients) / 200 : replaySeconds < 10 };
}
