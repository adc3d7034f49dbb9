import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Storage, prepare } from '@homeward/storage';
import { PgliteDatabase } from '@homeward/storage/pglite';
import { realDatabase } from '@homeward/testing';
import type { BenchContext } from './lib/bench-context';
import { round, summary } from './lib/stats';

export interface TrendEngineResult {
  readonly engine: string;
  readonly patientsAsked: number;
  readonly patientsLoaded: number;
  readonly rows: number;
  readonly loadSeconds: number;
  /** True when the load stopped at the time budget: the figures are for the size loaded. */
  readonly scaledDown: boolean;
  readonly queries: number;
  readonly latencyMs: { n: number; p50: number; p95: number; p99: number; max: number };
  readonly bucketsReturned: number;
  readonly met: boolean;
  /** On-disk size of what the year of readings occupies (tables, indexes, aggregates), for the capacity model. */
  readonly storage: StorageFootprint;
}

export interface StorageFootprint {
  /** readings (heap and indexes; for the hypertable, all its chunks) and reading_keys (duplicate detection). */
  readonly bytes: number;
  readonly bytesPerReading: number;
  /** TimescaleDB: continuous aggregates (hourly and daily). */
  readonly aggregateBytes: number | null;
  /** TimescaleDB: the same after compressing every chunk older than 30 days, as the compression policy does. */
  readonly compressed: { readonly bytes: number; readonly bytesPerReading: number; readonly seconds: number } | null;
}

export interface TrendsResult {
  readonly query: string;
  readonly plain: TrendEngineResult | null;
  readonly timescale: TrendEngineResult | null;
  readonly target: string;
  readonly errors: Record<string, string>;
}

const DAY_MS = 86_400_000;
/** Measuring times of day (hour, vital, usual value, spread): the first `readingsPerDay` are used. */
const SLOTS = [
  [7, 'body_weight', 78, 1.5, 'kg'],
  [8, 'heart_rate', 74, 12, '/min'],
  [8, 'spo2', 96, 2, '%'],
  [20, 'heart_rate', 76, 12, '/min'],
  [20, 'spo2', 96, 2, '%'],
  [8, 'systolic_bp', 132, 14, 'mm[Hg]'],
  [8, 'diastolic_bp', 80, 8, 'mm[Hg]'],
  [8, 'body_temperature', 36.7, 0.4, 'Cel'],
] as const;

const patientUuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * A year of readings for `patients` patients, generated inside the database (generate_series),
 * one block of patients per statement so the time budget can stop it between blocks.
 */
async function loadYear(storage: Storage, patients: number, readingsPerDay: number, end: Date, budgetSeconds: number, plain: boolean, log: (m: string) => void): Promise<{ loaded: number; rows: number; seconds: number; scaledDown: boolean }> {
  const slots = SLOTS.slice(0, Math.min(SLOTS.length, readingsPerDay));
  const values = slots.map(([hour, vital, base, spread, unit]) => `(${hour}, '${vital}', ${base}, ${spread}, '${unit}')`).join(', ');
  const start = new Date(end.getTime() - 365 * DAY_MS);
  const started = performance.now();
  // Plain PostgreSQL: build the indexes once after the load (the same definitions, read back
  // from the catalogue) rather than row by row; the hypertable keeps its own.
  const indexes = plain ? (await storage.db.query<{ indexdef: string; indexname: string }>(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'readings'`)).rows : [];
  for (const index of indexes) await storage.db.query(`DROP INDEX ${index.indexname}`);
  const block = plain ? 500 : 100;
  let loaded = 0;
  let scaledDown = false;
  while (loaded < patients) {
    if ((performance.now() - started) / 1000 > budgetSeconds) {
      scaledDown = true;
      break;
    }
    const to = Math.min(patients, loaded + block);
    await storage.db.query(
      `INSERT INTO readings (patient_id, vital, value, unit, measured_at, device_time, received_at, source, idempotency_key)
       SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(p), 12, '0'))::uuid, s.vital,
              round((s.base + (random() - 0.5) * s.spread)::numeric, 1)::float8, s.unit, t, t, t, 'mqtt',
              'bench-' || p || '-' || s.vital || '-' || (extract(epoch FROM t))::bigint
       FROM generate_series($1::int, $2::int - 1) p
       CROSS JOIN generate_series($3::timestamptz, $4::timestamptz - interval '1 day', interval '1 day') d
       CROSS JOIN (VALUES ${values}) s(hour, vital, base, spread, unit)
       CROSS JOIN LATERAL (SELECT d + make_interval(hours => s.hour, mins => p % 60) AS t) x`,
      [loaded, to, start.toISOString(), end.toISOString()],
    );
    loaded = to;
    if (loaded % (block * 4) === 0 || loaded === patients) log(`trends: ${loaded}/${patients} patients loaded (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  for (const index of indexes) await storage.db.query(index.indexdef);
  // Duplicate detection keeps one key per stored reading (what the ingest pipeline writes beside it).
  await storage.db.query(`INSERT INTO reading_keys (idempotency_key, measured_at) SELECT idempotency_key, measured_at FROM readings WHERE idempotency_key LIKE 'bench-%' ON CONFLICT DO NOTHING`);
  if (!plain) await storage.db.query(`CALL refresh_continuous_aggregate('readings_daily', NULL, NULL)`);
  await storage.db.query('ANALYZE readings');
  const rows = Number((await storage.db.query<{ n: string }>('SELECT count(*) AS n FROM readings')).rows[0]?.n ?? 0);
  return { loaded, rows, seconds: (performance.now() - started) / 1000, scaledDown };
}

async function measure(engine: string, storage: Storage, patientsAsked: number, context: BenchContext, plain: boolean): Promise<TrendEngineResult> {
  const { options, log } = context;
  const end = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  log(`trends (${engine}): loading a year for ${patientsAsked} patients × ${options.trendReadingsPerDay} readings a day (budget ${options.trendLoadBudgetSeconds} s)`);
  const load = await loadYear(storage, patientsAsked, options.trendReadingsPerDay, end, options.trendLoadBudgetSeconds, plain, log);
  const patient = patientUuid(Math.floor(load.loaded / 2));
  const range = { from: new Date(end.getTime() - 90 * DAY_MS), to: end, bucket: 'day' as const };
  let buckets = 0;
  for (let i = 0; i < 10; i++) buckets = (await storage.readings.trend(patient, 'heart_rate', range)).length;
  const samples: number[] = [];
  for (let i = 0; i < options.trendQueries; i++) {
    const t0 = performance.now();
    await storage.readings.trend(patient, 'heart_rate', range);
    samples.push(performance.now() - t0);
  }
  const s = summary(samples);
  const footprint = await storageFootprint(storage, load.rows, plain, log);
  log(`trends (${engine}): ${load.rows} rows; 90-day trend p50 ${round(s.p50, 2)} ms, p95 ${round(s.p95, 2)} ms`);
  return {
    engine,
    patientsAsked,
    patientsLoaded: load.loaded,
    rows: load.rows,
    loadSeconds: round(load.seconds),
    scaledDown: load.scaledDown || load.loaded < patientsAsked,
    queries: samples.length,
    latencyMs: { n: s.n, p50: round(s.p50, 2), p95: round(s.p95, 2), p99: round(s.p99, 2), max: round(s.max, 2) },
    bucketsReturned: buckets,
    met: s.p95 < 20,
    storage: footprint,
  };
}

async function sizeOf(storage: Storage, sql: string): Promise<number> {
  return Number((await storage.db.query<{ bytes: string }>(sql)).rows[0]?.bytes ?? 0);
}

async function storageFootprint(storage: Storage, rows: number, plain: boolean, log: (m: string) => void): Promise<StorageFootprint> {
  const keys = `pg_total_relation_size('reading_keys')`;
  const perReading = (bytes: number) => (rows > 0 ? round(bytes / rows, 1) : 0);
  if (plain) {
    await storage.db.query('VACUUM ANALYZE readings');
    const bytes = await sizeOf(storage, `SELECT pg_total_relation_size('readings') + ${keys} AS bytes`);
    log(`trends (plain): ${round(bytes / 2 ** 20)} MiB on disk, ${perReading(bytes)} bytes per reading`);
    return { bytes, bytesPerReading: perReading(bytes), aggregateBytes: null, compressed: null };
  }
  const hypertable = `SELECT hypertable_size('readings') + ${keys} AS bytes`;
  const aggregates = `SELECT (SELECT hypertable_size(format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)::regclass) FROM timescaledb_information.continuous_aggregates WHERE view_name = 'readings_hourly')
                           + (SELECT hypertable_size(format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)::regclass) FROM timescaledb_information.continuous_aggregates WHERE view_name = 'readings_daily') AS bytes`;
  const bytes = await sizeOf(storage, hypertable);
  const aggregateBytes = await sizeOf(storage, aggregates);
  const started = performance.now();
  await storage.db.query(`SELECT count(compress_chunk(c, if_not_compressed => true)) FROM show_chunks('readings', older_than => INTERVAL '30 days') c`);
  const compressedBytes = await sizeOf(storage, hypertable);
  const seconds = round((performance.now() - started) / 1000);
  log(`trends (timescale): ${round(bytes / 2 ** 20)} MiB, ${perReading(bytes)} bytes per reading; compressed ${perReading(compressedBytes)} in ${seconds} s; aggregates ${round(aggregateBytes / 2 ** 20)} MiB`);
  return { bytes, bytesPerReading: perReading(bytes), aggregateBytes, compressed: { bytes: compressedBytes, bytesPerReading: perReading(compressedBytes), seconds } };
}

/** p50/p95 of storage.readings.trend (90 days, daily buckets, one patient) on a year of data. */
export async function trendsBench(context: BenchContext): Promise<TrendsResult> {
  const errors: Record<string, string> = {};
  let plain: TrendEngineResult | null = null;
  let timescale: TrendEngineResult | null = null;
  const db = await realDatabase();
  try {
    plain = await measure(`plain PostgreSQL (${db.storage.info.serverVersion})`, db.storage, context.options.trendPatients, context, true);
  } catch (error) {
    errors['plain'] = error instanceof Error ? error.message : String(error);
    context.log(`trends (plain) failed: ${errors['plain']}`);
  } finally {
    await db.dispose();
  }
  const dir = mkdtempSync(join(tmpdir(), 'homeward-bench-pglite-'));
  try {
    const storage = await prepare(await PgliteDatabase.create({ dataDir: dir, timescale: true }), { mode: 'embedded', engine: 'timescale', retentionDays: 3650 });
    try {
      timescale = await measure(`TimescaleDB (PGlite ${storage.info.serverVersion}, in-process)`, storage, context.options.trendPatientsTimescale, context, false);
    } finally {
      await storage.close();
    }
  } catch (error) {
    errors['timescale'] = error instanceof Error ? error.message : String(error);
    context.log(`trends (timescale) failed: ${errors['timescale']}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    query: 'storage.readings.trend(patient, heart_rate, 90 days, daily buckets) — what GET /api/patients/:id/trends runs',
    plain,
    timescale,
    target: 'p95 < 20 ms',
    errors,
  };
}
