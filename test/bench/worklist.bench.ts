import { loadavg } from 'node:os';
import { signedInAccount } from '../e2e/api-fixture';
import { seedBusyWard } from '../browser/worklist-seed';
import type { BenchContext } from './lib/bench-context';
import { round, summary } from './lib/stats';

export interface WorklistBenchResult {
  readonly patients: number;
  readonly alerts: number;
  readonly queries: number;
  /** GET /api/worklist/patients over HTTP from a `homeward start` process, bearer token, first page of 25. */
  readonly firstPageMs: { n: number; p50: number; p95: number; p99: number; max: number };
  /** The same with filters and a search, and a 200-row page (the heaviest answer a nurse can ask for). */
  readonly filteredMs: { n: number; p50: number; p95: number; p99: number; max: number };
  readonly bytesFirstPage: number;
  /** GET /api/me on the same process, interleaved: what any signed-in request costs here and now. */
  readonly meMs: { n: number; p50: number; p95: number; p99: number; max: number };
  readonly target: string;
  readonly met: boolean;
}

const PATIENTS = 200;
const ALERTS_PER_PATIENT = 3;

/** Issue 19's ward: 200 patients, 600 unresolved alerts; the worklist API must answer in < 100 ms p95. */
export async function worklistBench(context: BenchContext): Promise<WorklistBenchResult> {
  const { db, log, options } = context;
  const ward = await db.storage.registry.createWard(`Bench worklist ward ${Date.now()}`);
  log(`worklist: seeding ${PATIENTS} patients × ${ALERTS_PER_PATIENT} alerts`);
  await seedBusyWard(db.storage, ward.id, PATIENTS, ALERTS_PER_PATIENT);
  const homeward = await context.homeward();
  try {
    const nurse = await signedInAccount(homeward.apiUrl, db.url, ['--role', 'nurse', '--ward', ward.id]);
    const get = async (query: string) => {
      const t0 = performance.now();
      const response = await fetch(`${homeward.apiUrl}/api/worklist/patients?${query}`, { headers: { authorization: `Bearer ${nurse.token}` } });
      const body = await response.text();
      const ms = performance.now() - t0;
      if (response.status !== 200) throw new Error(`worklist answered ${response.status}: ${body.slice(0, 200)}`);
      return { ms, bytes: body.length, body };
    };
    const first = await get('pageSize=25');
    const { total, alertTotal } = JSON.parse(first.body) as { total: number; alertTotal: number };
    if (total !== PATIENTS || alertTotal !== PATIENTS * ALERTS_PER_PATIENT) throw new Error(`worklist showed ${total} patients and ${alertTotal} alerts, not ${PATIENTS} and ${PATIENTS * ALERTS_PER_PATIENT}`);
    for (let i = 0; i < 20; i++) await get('pageSize=25'); // warm-up
    const queries = options.quick ? 60 : 300;
    const plain: number[] = [];
    const filtered: number[] = [];
    const me: number[] = [];
    for (let i = 0; i < queries; i++) {
      const t0 = performance.now();
      await (await fetch(`${homeward.apiUrl}/api/me`, { headers: { authorization: `Bearer ${nurse.token}` } })).text();
      me.push(performance.now() - t0);
      plain.push((await get(`pageSize=25&page=${1 + (i % 8)}`)).ms);
      filtered.push((await get(`pageSize=200&severity=high,medium&kind=clinical&sort=${i % 2 ? 'waiting' : 'name'}&q=${i % 3 ? 'a' : ''}`)).ms);
    }
    const a = summary(plain);
    const b = summary(filtered);
    const c = summary(me);
    const shape = (s: ReturnType<typeof summary>) => ({ n: s.n, p50: round(s.p50, 2), p95: round(s.p95, 2), p99: round(s.p99, 2), max: round(s.max, 2) });
    log(`worklist: first page p50 ${round(a.p50, 2)} ms, p95 ${round(a.p95, 2)} ms; filtered 200-row page p95 ${round(b.p95, 2)} ms; beside it GET /api/me (the signed-in HTTP floor) p95 ${round(c.p95, 2)} ms; load average ${loadavg()[0]?.toFixed(1)}`);
    return {
      patients: PATIENTS,
      alerts: alertTotal,
      queries,
      firstPageMs: shape(a),
      filteredMs: shape(b),
      bytesFirstPage: first.bytes,
      meMs: shape(c),
      target: 'p95 < 100 ms',
      met: a.p95 < 100 && b.p95 < 100,
    };
  } finally {
    await homeward.stop();
  }
}
