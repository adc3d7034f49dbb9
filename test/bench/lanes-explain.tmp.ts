import { PgDatabase, createScratchDatabase, prepare } from '@homeward/storage';

async function main() {
  const scratch = await createScratchDatabase('postgresql://postgres@127.0.0.1:5432/test');
  const storage = await prepare(new PgDatabase({ connectionString: scratch.url, statementTimeoutMs: 0 }), { mode: 'server' });
  try {
    // 1,000,000 late readings (a backfill), then 100 fresh ones.
    await storage.db.query(`INSERT INTO readings (patient_id, vital, value, unit, measured_at, received_at, source, idempotency_key)
      SELECT gen_random_uuid(), 'spo2', 96, '%', now() - interval '30 days' + g * interval '1 second', now(), 'fhir', 'late-' || g FROM generate_series(1, 1000000) g`);
    await storage.db.query(`INSERT INTO readings (patient_id, vital, value, unit, measured_at, received_at, source, idempotency_key)
      SELECT gen_random_uuid(), 'spo2', 88, '%', now() - interval '1 minute', now(), 'mqtt', 'fresh-' || g FROM generate_series(1, 100) g`);
    await storage.db.query('ANALYZE readings');
    for (const lane of ['fresh', 'late'] as const) {
      const t0 = performance.now();
      const page = await storage.readings.afterCursor({ txid: '0', id: '0' }, 500, undefined, lane);
      const ms = performance.now() - t0;
      console.log(`${lane} lane: first page ${page.readings.length} readings in ${ms.toFixed(1)} ms (cursor at start, 1,000,000 late rows in the table)`);
    }
    const plan = await storage.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM readings WHERE (txid, id) > ('0'::xid8, 0) AND txid < pg_snapshot_xmin(pg_current_snapshot()) AND received_at - measured_at <= INTERVAL '1 hour' ORDER BY txid, id LIMIT 500`);
    console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
  } finally {
    await storage.close();
    await scratch.drop();
  }
}
void main();
