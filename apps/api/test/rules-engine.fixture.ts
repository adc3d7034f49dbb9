import { randomUUID } from 'node:crypto';
import { type Alert, type NhsNumber, type Pathway, type Reading, type VitalKey, VITAL_SIGNS, buildReading, nhsCheckDigit, unwrap } from '@homeward/domain';
import { PgDatabase, type Storage, type StoredReading, createScratchDatabase, prepare, startScratchEmbeddedPostgres } from '@homeward/storage';
import { PgliteDatabase } from '@homeward/storage/pglite';
import { type Clock, type RulesEngineOptions, type RulesEngineService, startRulesEngine } from '../src';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** A clock the test moves; nothing in the engine waits for real time. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(time: Date): void {
    this.current = new Date(time.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface Backend {
  readonly label: string;
  open(): Promise<{ storage: Storage; close(): Promise<void> }>;
}

/**
 * Real PostgreSQL: a scratch database on DATABASE_URL's server when set, else an embedded server;
 * and PGlite with TimescaleDB in-process (the hypertable path, and the fast one).
 */
export const BACKENDS: readonly Backend[] = [
  {
    label: 'PGlite (TimescaleDB)',
    async open() {
      const storage = await prepare(await PgliteDatabase.create({ timescale: true }), { mode: 'embedded', engine: 'timescale' });
      return { storage, close: () => storage.close() };
    },
  },
  {
    label: process.env['DATABASE_URL'] ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PostgreSQL',
    async open() {
      const serverUrl = process.env['DATABASE_URL'];
      if (serverUrl) {
        const scratch = await createScratchDatabase(serverUrl);
        const storage = await prepare(new PgDatabase({ connectionString: scratch.url }), { mode: 'server' });
        return {
          storage,
          close: async () => {
            await storage.close();
            await scratch.drop();
          },
        };
      }
      const server = await startScratchEmbeddedPostgres();
      const storage = await prepare(new PgDatabase({ connectionString: server.connectionString }), { mode: 'embedded' });
      return {
        storage,
        close: async () => {
          await storage.close();
          await server.cleanup();
        },
      };
    },
  },
];

/** The PostgreSQL backend (DATABASE_URL's server or an embedded one), for specs that run on it alone. */
export const SERVER_BACKEND: Backend = BACKENDS.find((b) => !b.label.startsWith('PGlite')) ?? (BACKENDS[0] as Backend);

/** Waits, bounded (notifications cross a real connection), until `read` gives a value: `attempts` looks 20 ms apart. */
export async function eventually<T>(read: () => T | undefined, what: string, attempts = 100): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The api may not import @homeward/testing (module boundaries), so two small builders live here.
function aValidNhsNumber(): NhsNumber {
  for (;;) {
    const digits = `999${Array.from({ length: 6 }, () => Math.floor(Math.random() * 10)).join('')}`;
    const check = nhsCheckDigit(digits);
    if (check !== undefined) return `${digits}${check}` as NhsNumber;
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix} ${randomUUID().slice(0, 8)}`;
}

/** A patient admitted to a fresh ward with this care plan (per test, so tests share a database). */
export async function admitPatient(storage: Storage, pathway: Pathway, carePlan: Record<string, unknown>, admittedAt: Date) {
  const ward = await storage.registry.createWard(uniqueName('Ward'));
  const patient = await storage.registry.createPatient({
    nhsNumber: aValidNhsNumber(),
    givenName: 'Test',
    familyName: uniqueName('Patient'),
    dateOfBirth: '1946-05-14',
  });
  const admission = await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway, carePlan, admittedAt });
  return { ward, patient, admission };
}

export type Values = Partial<Record<VitalKey, number>>;

/** One measurement moment: what the patient measured then. Received 30 s later unless told. */
export function readingsAt(patientId: string, measuredAt: Date, values: Values, receivedAt?: Date): Reading[] {
  return Object.entries(values).flatMap(([vital, value]) => {
    if (value === undefined) return [];
    const manual = vital === 'respiration_rate';
    return [
      unwrap(
        buildReading({
          patientId,
          deviceId: manual ? null : randomUUID(),
          vital,
          value,
          unit: VITAL_SIGNS[vital as VitalKey].unit,
          measuredAt,
          deviceTime: measuredAt,
          receivedAt: receivedAt ?? new Date(measuredAt.getTime() + 30_000),
          source: manual ? 'manual' : 'mqtt',
        }),
      ),
    ];
  });
}

export interface Moment {
  readonly at: Date;
  readonly values: Values;
  /** When the readings reached Homeward (default 30 s after `at`, as readingsAt): a late delivery. */
  readonly receivedAt?: Date;
}

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length] as T;

/** Twice a day: a well heart-failure patient's ordinary variation (the rules' scripted history). */
export function steadyDays(start: Date, days: number, options: { weight?: boolean } = {}): Moment[] {
  return Array.from({ length: days * 2 }, (_, i) => ({
    at: new Date(start.getTime() + i * 12 * HOUR),
    values: {
      ...(options.weight === false ? {} : { body_weight: pick([80.1, 79.8, 80.3, 80.0, 79.9], i) }),
      spo2: pick([96, 97, 95, 96, 97, 96], i),
      heart_rate: pick([72, 76, 70, 78, 74], i),
      systolic_bp: pick([126, 131, 122, 128], i),
      body_temperature: pick([36.7, 36.9, 36.6, 37.0], i),
      respiration_rate: pick([14, 16, 15], i),
    },
  }));
}

/**
 * Feeds moments as the gateway would: each moment's readings committed in one batch, then the
 * gateway's notification; the clock set to just after they arrived and the engine drained. What
 * was stored, in order.
 */
export async function feed(
  storage: Storage,
  engine: RulesEngineService,
  clock: ManualClock,
  patientId: string,
  moments: readonly Moment[],
  options: { drain?: boolean } = {},
): Promise<StoredReading[]> {
  const stored: StoredReading[] = [];
  for (const moment of moments) {
    stored.push(...(await storage.readings.insertBatch(readingsAt(patientId, moment.at, moment.values, moment.receivedAt))).stored);
    await storage.readings.notifyNewReadings();
    clock.set(new Date((moment.receivedAt ?? moment.at).getTime() + MINUTE));
    if (options.drain !== false) await settle(storage, engine);
  }
  return stored;
}

/**
 * Drains until the consumer has passed every committed reading, in both lanes. On a shared server
 * the cursor may briefly be held back by another database's open transaction (transaction ids are
 * cluster-wide).
 */
export async function settle(storage: Storage, engine: RulesEngineService): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await engine.drain();
    const waiting = (await storage.partitions.unevaluated(engine.consumerName, undefined, END_OF_TIME)).reduce((n, p) => n + p.count, 0);
    if (waiting === 0) return;
    if (attempt === 200) throw new Error(`engine left ${waiting} readings after its cursors`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const END_OF_TIME = new Date('9999-12-31T00:00:00Z');

/**
 * An engine for one test, not started (the test drives it): its own consumer, moved to the current
 * end of the stream so it sees only this test's readings.
 */
export async function anEngine(storage: Storage, clock: ManualClock, options: RulesEngineOptions = {}) {
  const consumer = options.consumer ?? uniqueName('rules-engine-test');
  if (!options.consumer) await fastForward(storage, consumer);
  return startRulesEngine(storage, { enabled: false, clock, ...options, consumer });
}

/** Moves a consumer to the end of the stream, so a test sees only its own readings. */
export async function fastForward(storage: Storage, consumer: string): Promise<void> {
  let cursor = await storage.alerts.readCursor(consumer);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = await storage.readings.afterCursor(cursor, 10_000);
    if (page.readings.length === 0) {
      // xmin is server-wide: another test's open transaction (in any database) holds rows back.
      if (!page.heldBack || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    if (!(await storage.alerts.advanceCursor(consumer, cursor, page.cursor))) throw new Error('cursor moved under the test');
    cursor = page.cursor;
  }
}

/**
 * Waits (bounded) until `count` readings after the consumer's cursor may be passed: on a shared
 * server another suite's open transaction holds committed rows back, and an engine would see none.
 */
export async function untilVisible(storage: Storage, consumer: string, count: number): Promise<void> {
  const cursor = await storage.alerts.readCursor(consumer);
  const deadline = Date.now() + 30_000;
  while ((await storage.readings.afterCursor(cursor, count)).readings.length < count) {
    if (Date.now() > deadline) throw new Error(`${count} committed readings still held back after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** "rule subject severity" of each alert, oldest first: what a nurse's worklist would show. */
export async function alertsOf(storage: Storage, patientId: string): Promise<Alert[]> {
  const alerts = await storage.alerts.forPatient(patientId, { includeResolved: true });
  return alerts.sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime() || a.firstMeasuredAt.getTime() - b.firstMeasuredAt.getTime() || a.rule.localeCompare(b.rule) || a.subject.localeCompare(b.subject));
}

export function summary(alerts: readonly Alert[]): string[] {
  return alerts.map((a) => `${a.rule} ${a.subject} ${a.severity}`);
}

/** A small deterministic PRNG (mulberry32), so a failing randomised history can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A randomised history: a reading moment every 4–20 h, values wandering across every band edge. */
export function randomHistory(next: () => number, start: Date, moments: number): Moment[] {
  const pick = (low: number, high: number, step = 1) => low + Math.floor(next() * ((high - low) / step + 1)) * step;
  let t = start.getTime();
  return Array.from({ length: moments }, () => {
    t += pick(4, 20) * HOUR;
    return {
      at: new Date(t),
      values: {
        spo2: pick(86, 99),
        heart_rate: pick(38, 135),
        systolic_bp: pick(85, 225),
        body_temperature: pick(34.8, 39.6, 0.1),
        ...(next() < 0.5 ? { body_weight: pick(78, 84, 0.5) } : {}),
        ...(next() < 0.3 ? { respiration_rate: pick(7, 27) } : {}),
      },
    };
  });
}
