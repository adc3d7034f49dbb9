import { type Pathway, type Reading, type VitalKey, PATHWAYS, VITAL_SIGNS, buildReading, unwrap } from '@homeward/domain';
import { type BacktestAdmission, ruleBacktest, ruleBacktestInThreads } from '../src';

// Issue 21 item 4: the replay spread over real worker threads gives the same report, byte for byte,
// as the replay on one thread, whatever the number of threads and the order they finish in.
jest.setTimeout(180_000);

const DAY = 86_400_000;
const from = new Date('2026-06-01T00:00:00Z');
const to = new Date(from.getTime() + 20 * DAY);

/** Patients with readings wandering across band edges, under varied stored and proposed plans. */
function ward(patients: number): BacktestAdmission[] {
  let seed = 4242;
  const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const slots: [number, VitalKey, number, number][] = [[7, 'body_weight', 80, 3], [8, 'spo2', 93, 8], [8, 'heart_rate', 85, 50], [13, 'systolic_bp', 130, 60], [13, 'body_temperature', 37.3, 2.5], [20, 'respiration_rate', 18, 12]];
  const plans = [{}, { news2: { windowHours: 24, alertFrom: 'low' } }, { weightGain: { kg: 1.5, days: 2 } }, { spo2Baseline: { minDropPoints: 2 } }];
  return Array.from({ length: patients }, (_, p) => {
    const patientId = `00000000-0000-4000-8000-${String(p).padStart(12, '0')}`;
    const pathway = PATHWAYS[p % PATHWAYS.length] as Pathway;
    const readings: Reading[] = [];
    for (let d = -8; d < 20; d++) {
      for (const [hour, vital, usual, spread] of slots) {
        const at = new Date(from.getTime() + d * DAY + hour * 3_600_000 + Math.floor(next() * 7_200_000));
        const value = Math.round((usual + (next() - 0.5) * spread) * 10) / 10;
        readings.push(unwrap(buildReading({ patientId, deviceId: null, vital, value, unit: VITAL_SIGNS[vital].unit, measuredAt: at, deviceTime: at, receivedAt: at, source: 'manual' })));
      }
    }
    return {
      admission: { id: `admission-${p}`, patientId, pathway, carePlan: plans[p % plans.length] ?? {}, admittedAt: new Date(from.getTime() - 8 * DAY), dischargedAt: p % 5 === 0 ? new Date(from.getTime() + 12 * DAY) : null, dischargeOutcome: null, previousDischargeAt: null, previousDischargeOutcome: null },
      readings,
      proposed: p % 3 === 0 ? undefined : { patientId, pathway, carePlan: plans[(p + 1) % plans.length] ?? {} },
    };
  });
}

describe('ruleBacktestInThreads', () => {
  const admissions = ward(24);
  const actioned = admissions.slice(0, 12).map((a, i) => ({ id: `alert-${i}`, patientId: a.admission.patientId, rule: 'news2-band', severity: 'high', firstMeasuredAt: new Date(from.getTime() + (i + 2) * DAY), outcome: i % 2 === 0 ? 'contacted-patient' : 'no-action-needed' }));
  const single = ruleBacktest(admissions, actioned, { from, to });

  it.each([2, 3])('on %i worker threads gives the one-thread report, and counts every admission replayed', async (threads) => {
    const progress: number[] = [];
    const report = await ruleBacktestInThreads(admissions, actioned, { from, to }, { threads, onProgress: (done, total) => progress.push(done / total) });
    expect(single.current.findings + single.proposed.findings).toBeGreaterThan(100);
    expect(JSON.stringify(report)).toBe(JSON.stringify(single));
    expect(progress).toEqual(admissions.map((_, i) => (i + 1) / admissions.length));
  });

  it('says which admission a worker could not replay, and stops', async () => {
    const broken = [...admissions];
    // A reading without a measurement time cannot be replayed (the storage never returns one).
    broken[9] = { ...admissions[9]!, readings: [{ ...admissions[9]!.readings[0]!, measuredAt: 'yesterday' }] as unknown as Reading[] };
    const outcome = ruleBacktestInThreads(broken, [], { from, to }, { threads: 2 });
    await expect(outcome).rejects.toThrow(/admission-9/);
  });
});
