import { randomUUID } from 'node:crypto';
import { ruleBacktest, type BacktestAdmission } from '../../apps/api/src/app/analytics/rule-backtest';
import { PATHWAYS, type Reading, type VitalKey, VITAL_SIGNS, buildReading, unwrap } from '@homeward/domain';
const DAY_MS = 86_400_000;
const SLOTS: ReadonlyArray<readonly [number, VitalKey, number, number]> = [
  [7, 'body_weight', 80, 1],[8, 'systolic_bp', 128, 18],[8, 'heart_rate', 76, 14],[8, 'spo2', 95, 2.5],[13, 'spo2', 95, 2.5],[13, 'heart_rate', 78, 14],[13, 'body_temperature', 36.9, 0.6],[20, 'spo2', 95, 2.5],[20, 'heart_rate', 76, 14],
];
const patients = Number(process.argv[2] ?? 20);
const days = 90;
const from = new Date(Date.UTC(2026, 5, 1));
const to = new Date(from.getTime() + days * DAY_MS);
let seed = 20261203;
const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
const admissions: BacktestAdmission[] = [];
for (let p = 0; p < patients; p++) {
  const patientId = randomUUID();
  const pathway = PATHWAYS[p % PATHWAYS.length] ?? 'general';
  const list: Reading[] = [];
  for (let d = -10; d < days; d++) for (const [hour, vital, usual, spread] of SLOTS) {
    const at = new Date(from.getTime() + d * DAY_MS + hour * 3_600_000 + Math.floor(next() * 1_800_000));
    const value = Math.round((usual + (next() + next() + next() - 1.5) * spread) * 10) / 10;
    list.push(unwrap(buildReading({ patientId, deviceId: null, vital, value, unit: VITAL_SIGNS[vital].unit, measuredAt: at, deviceTime: at, receivedAt: at, source: 'manual' })));
  }
  admissions.push({ admission: { id: randomUUID(), patientId, pathway, carePlan: {}, admittedAt: new Date(from.getTime() - 10 * DAY_MS), dischargedAt: null, dischargeOutcome: null, previousDischargeAt: null, previousDischargeOutcome: null }, readings: list, proposed: { patientId, pathway, carePlan: { news2: { windowHours: 24, alertFrom: 'low' } } } });
}
const c0 = process.cpuUsage(); const t0 = Date.now();
let n = 0;
const rep = ruleBacktest(admissions, [], { from, to }); n = rep.findings.current.length + rep.findings.proposed.length; const t1 = Date.now(); const json = JSON.stringify(rep); console.log('json', json.length, (Date.now()-t1)/1000);
const c = process.cpuUsage(c0);
console.log(`patients ${patients} wall ${(Date.now() - t0) / 1000}s cpu ${(c.user + c.system) / 1e6}s findings ${n}`);
