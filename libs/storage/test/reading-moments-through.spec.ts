import { randomUUID } from 'node:crypto';
import { LANE_SQL, MOMENTS_THROUGH_SQL, type Storage, openScratchStorage } from '../src';

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** What momentsThroughMany means, written as the plain join it used to be: the reference for its answers. */
const BY_DEFINITION = `SELECT DISTINCT r.patient_id, r.measured_at
  FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS q(patient_id, from_at, to_at)
  JOIN readings r ON r.patient_id = q.patient_id AND r.measured_at >= q.from_at AND r.measured_at < q.to_at
  WHERE CASE WHEN ${LANE_SQL.late.replace(/received_at|measured_at/g, (c) => `r.${c}`)} THEN (r.txid, r.id) <= ($6::xid8, $7::bigint) ELSE (r.txid, r.id) <= ($4::xid8, $5::bigint) END
  ORDER BY r.patient_id, r.measured_at`;

const START = new Date('2026-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const PATIENTS = 200;
const READINGS_EACH = 100;

// ReadingRepository.momentsThroughMany: the moments a late reading re-opens, read for a page's
// patients at once. Each patient's range must be an index range scan, never a scan of the whole
// readings table (the rules engine asks once per step of every late page).
describe('readings already handled in many patients\' ranges (momentsThroughMany)', () => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  const patients = Array.from({ length: PATIENTS }, () => randomUUID());
  let ids: { min: bigint; max: bigint; txid: string };

  beforeAll(async () => {
    ({ storage, dispose } = await openScratchStorage());
    // Readings 3 h apart per patient; every third arrived three days late, the rest five minutes after.
    const { rows } = await storage.db.query<{ min: string; max: string; txid: string }>(
      `WITH p AS (SELECT patient_id, n FROM unnest($1::uuid[]) WITH ORDINALITY AS p(patient_id, n)),
            rows AS (SELECT p.patient_id, p.n, g, $2::timestamptz + g * interval '3 hours' AS at FROM p, generate_series(0, $3::int - 1) AS g),
            stored AS (
              INSERT INTO readings (patient_id, device_id, vital, value, unit, measured_at, device_time, received_at, source, status, idempotency_key)
              SELECT patient_id, NULL, 'heart_rate', 60 + g % 40, '/min', at, at, at + CASE WHEN g % 3 = 0 THEN interval '3 days' ELSE interval '5 minutes' END,
                     'manual', '{}', 'moments-spec-' || patient_id || '-' || g
              FROM rows
              RETURNING id, txid)
       SELECT min(id)::text AS min, max(id)::text AS max, max(txid)::text AS txid FROM stored`,
      [patients, START, READINGS_EACH],
    );
    const row = rows[0];
    if (!row) throw new Error('no readings stored');
    ids = { min: BigInt(row.min), max: BigInt(row.max), txid: row.txid };
  }, 120_000);
  afterAll(() => dispose?.());

  /** 100 patients' ranges (a late page's step), and cursors part-way through each lane. */
  function aStep(seed: number) {
    const chosen = patients.filter((_, i) => (i + seed) % 2 === 0).slice(0, 100);
    const ranges = chosen.map((patientId, i) => {
      const from = new Date(START.getTime() + ((i * 7 + seed) % 200) * HOUR);
      return { patientId, from, to: new Date(from.getTime() + (24 + ((i + seed) % 5) * 48) * HOUR) };
    });
    const span = ids.max - ids.min;
    const at = (share: bigint) => ({ txid: ids.txid, id: String(ids.min + (span * share) / 100n) });
    return { ranges, through: { fresh: at(BigInt(30 + seed)), late: at(BigInt(60 - seed)) } };
  }

  const paramsOf = ({ ranges, through }: ReturnType<typeof aStep>) => [
    ranges.map((r) => r.patientId),
    ranges.map((r) => r.from),
    ranges.map((r) => r.to),
    through.fresh.txid,
    through.fresh.id,
    through.late.txid,
    through.late.id,
  ];

  it.each([1, 2, 3])('answers as the plain join does (step %i): the handled moments of each range, in both lanes', async (seed) => {
    const step = aStep(seed);
    const expected = new Map<string, number[]>();
    for (const row of (await storage.db.query<{ patient_id: string; measured_at: Date }>(BY_DEFINITION, paramsOf(step))).rows) {
      expected.set(row.patient_id, [...(expected.get(row.patient_id) ?? []), new Date(row.measured_at).getTime()]);
    }
    const answer = await storage.readings.momentsThroughMany(step.ranges, step.through);
    expect(new Map([...answer].map(([patient, moments]) => [patient, moments.map((d) => d.getTime())]))).toEqual(expected);
    // Neither empty nor everything: some moments are past a cursor.
    const total = [...expected.values()].reduce((n, m) => n + m.length, 0);
    expect(total).toBeGreaterThan(0);
  });

  it.each([
    ['never analysed', false],
    ['analysed', true],
  ] as const)('reads each range from the index, never the whole table (%s)', async (_label, analysed) => {
    if (analysed) await storage.db.exec('ANALYZE readings');
    const { rows } = await storage.db.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${MOMENTS_THROUGH_SQL}`, paramsOf(aStep(1)));
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    expect(plan).toBeDefined();
    const scans = nodesOf(plan as PlanNode).filter((n) => n['Relation Name'] === 'readings');
    expect(scans.length).toBeGreaterThan(0);
    expect(scans.map((n) => n['Node Type'])).not.toContain('Seq Scan');
  });
});
