import fc from 'fast-check';
import { VITAL_KEYS } from '@homeward/domain';
import type { Storage } from '@homeward/storage';

/** What the fuzz drives: the gateway's device message handler, seen structurally (no app import). */
export interface FuzzableMessageHandler {
  handle(message: { deviceId: string; kind: 'readings' | 'status'; topic: string; payload: Uint8Array; receivedAt: Date }): Promise<{
    readonly ack?: { readonly status: string; readonly rejected: ReadonlyArray<{ readonly code: string }> };
    readonly recorded?: string;
    readonly dropped?: string;
  }>;
}

export interface FuzzCase {
  readonly kind: 'readings' | 'status';
  /** Which device sends it: the registered one, or one nobody registered. */
  readonly sender: 'known' | 'unknown';
  readonly payload: Uint8Array;
  /** For reports: which generator made it. */
  readonly family: string;
}

export interface FuzzReport {
  readonly cases: number;
  readonly seconds: number;
  readonly perCaseMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly acks: Readonly<Record<string, number>>;
  readonly codes: Readonly<Record<string, number>>;
  readonly families: Readonly<Record<string, number>>;
  readonly statusOutcomes: Readonly<Record<string, number>>;
  /** Broken invariants (a throw, a missing ack, a refusal not recorded); empty when all held. */
  readonly problems: readonly string[];
}

const VALID_ITEMS: ReadonlyArray<readonly [string, number, number, string]> = [
  ['spo2', 80, 100, '%'],
  ['heart_rate', 40, 150, '/min'],
  ['body_temperature', 35, 41, 'Cel'],
  ['body_weight', 40, 150, 'kg'],
  ['systolic_bp', 80, 200, 'mmHg'],
  ['respiration_rate', 8, 30, '/min'],
];
const CHARACTERISTICS = ['2A35', '2A5F', '2A5E', '2A9D', '2A1C', '2A18', '2A37', '2A19', 'ZZZZ', ''];
const RAW_NUMBERS = ['1e999', '-1e400', '1e-400', '123456789012345678901234567890', '-0', '0.0000000000000000000001'];
const POISON = ['\\u0000', '\\ud800', '\\udfff', '\\ud83d\\ude00', '\\ud83dx', '\u0000', '\\', '"', '\\u12'];

/** A number written into the JSON text as is (1e999 becomes Infinity, a long integer loses digits). */
const raw = (text: string) => ({ __raw: text });
const serialise = (value: unknown) => JSON.stringify(value).replace(/\{"__raw":"([^"]*)"\}/g, '$1');

/** Times around the bounds (2000-01-01, receipt + 7 days), absurd ones, and not-times. */
function timeArb(now: Date): fc.Arbitrary<unknown> {
  const t = now.getTime();
  return fc.oneof(
    fc.integer({ min: t - 30 * 86_400_000, max: t }).map((ms) => new Date(ms).toISOString()),
    fc.constantFrom('1999-12-31T23:59:59Z', '2000-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '2026-02-30T00:00:00Z', 'yesterday', ''),
    fc.integer({ min: t, max: t + 10 * 86_400_000 }).map((ms) => new Date(ms).toISOString()),
    fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.anything({ maxDepth: 1 }),
  );
}

function valueArb(): fc.Arbitrary<unknown> {
  return fc.oneof(fc.double(), fc.integer(), fc.constantFrom(...RAW_NUMBERS).map(raw), fc.string({ maxLength: 4 }), fc.constant(null), fc.boolean());
}

function itemArb(now: Date): fc.Arbitrary<Record<string, unknown>> {
  const plausible = fc.constantFrom(...VALID_ITEMS).chain(([vital, min, max, unit]) =>
    fc.record({ vital: fc.constant(vital), value: fc.integer({ min, max }), unit: fc.constant(unit), deviceTime: timeArb(now).filter((x) => typeof x === 'string') }),
  );
  const wild = fc.record(
    {
      vital: fc.oneof(fc.constantFrom(...VITAL_KEYS), fc.string({ maxLength: 12 }), fc.integer()),
      value: valueArb(),
      unit: fc.oneof(fc.constantFrom('%', '/min', 'Cel', '[degF]', 'kg', '[lb_av]', 'mmHg', 'kPa', 'mmol/L', 'mg/dL'), fc.string({ maxLength: 40, unit: 'binary' }), fc.integer()),
      deviceTime: timeArb(now),
      status: fc.oneof(fc.array(fc.constantFrom('clock-unset', 'entered-by-carer', 'bogus'), { maxLength: 20 }), fc.anything({ maxDepth: 1 })),
      extra: fc.anything({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  );
  return fc.oneof({ weight: 2, arbitrary: plausible }, { weight: 1, arbitrary: wild });
}

function readingsBodyArb(now: Date): fc.Arbitrary<string> {
  const messageId = fc.oneof(fc.uuid(), fc.string({ maxLength: 140 }), fc.string({ maxLength: 8, unit: 'binary' }), fc.integer());
  const frame = fc.record(
    {
      characteristic: fc.oneof(fc.constantFrom(...CHARACTERISTICS), fc.string({ maxLength: 70 })),
      hex: fc.oneof(fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex')), fc.string({ maxLength: 20 })),
      deviceTime: timeArb(now),
    },
    { requiredKeys: ['characteristic', 'hex'] },
  );
  const body = fc.record(
    {
      messageId,
      sentAt: timeArb(now),
      readings: fc.oneof({ weight: 4, arbitrary: fc.array(itemArb(now), { minLength: 0, maxLength: 8 }) }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) }),
      frames: fc.array(frame, { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  return body.map(serialise);
}

/** Mostly what a real hub sends: plausible readings, now and then a wild one, a sane sentAt. */
function hubBodyArb(now: Date): fc.Arbitrary<string> {
  const t = now.getTime();
  const plausible = fc.constantFrom(...VALID_ITEMS).chain(([vital, min, max, unit]) =>
    fc.record({ vital: fc.constant(vital), value: fc.integer({ min, max }), unit: fc.constant(unit), deviceTime: fc.integer({ min: t - 3 * 86_400_000, max: t }).map((ms) => new Date(ms).toISOString()) }),
  );
  return fc
    .record({
      messageId: fc.uuid(),
      sentAt: fc.option(fc.integer({ min: t - 60_000, max: t + 60_000 }).map((ms) => new Date(ms).toISOString()), { nil: undefined }),
      readings: fc.tuple(fc.array(plausible, { minLength: 1, maxLength: 6 }), fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: itemArb(now) })).map(([items, odd]) => (odd ? [...items, odd] : items)),
    })
    .map((body) => serialise(body.sentAt === undefined ? { messageId: body.messageId, readings: body.readings } : body));
}

/** A valid-looking body with one poison sequence written into one of its strings. */
function poisonedArb(now: Date): fc.Arbitrary<string> {
  return fc.tuple(readingsBodyArb(now), fc.constantFrom(...POISON), fc.nat()).map(([text, poison, at]) => {
    const quotes = [...text.matchAll(/"/g)].map((m) => m.index ?? 0);
    const position = quotes.length === 0 ? 0 : (quotes[at % quotes.length] ?? 0) + 1;
    return `${text.slice(0, position)}${poison}${text.slice(position)}`;
  });
}

function deepArb(): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('[', '{"a":', '{"readings":['), fc.boolean()).map(([depth, open, closed]) => {
    const close = open === '[' ? ']' : open === '{"a":' ? '}' : ']}';
    return `${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}`;
  });
}

function statusArb(): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.record({ state: fc.oneof(fc.constantFrom('online', 'offline'), fc.string()), battery: valueArb(), at: fc.string({ maxLength: 30 }) }, { requiredKeys: [] }).map(serialise),
    fc.integer({ min: 3_000, max: 40_000 }).map((n) => JSON.stringify({ state: 'online', pad: 'x'.repeat(n) })),
    fc.uint8Array({ maxLength: 200 }),
    deepArb(),
  );
}

/** The mix of cases: arbitrary bytes and JSON, readings bodies valid and wild, poison, depth, status. */
export function deviceMessageCaseArb(now: Date): fc.Arbitrary<FuzzCase> {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const sender = fc.constantFrom<'known' | 'unknown'>('known', 'known', 'known', 'known', 'known', 'known', 'known', 'known', 'known', 'unknown');
  const readings = (family: string, arb: fc.Arbitrary<string | Uint8Array>) =>
    fc.tuple(arb, sender).map(([payload, from]): FuzzCase => ({ kind: 'readings', sender: from, family, payload: typeof payload === 'string' ? utf8(payload) : payload }));
  return fc.oneof(
    { weight: 2, arbitrary: readings('bytes', fc.uint8Array({ maxLength: 600 })) },
    { weight: 2, arbitrary: readings('json', fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v))) },
    { weight: 4, arbitrary: readings('readings-body', readingsBodyArb(now)) },
    { weight: 4, arbitrary: readings('hub-body', hubBodyArb(now)) },
    { weight: 2, arbitrary: readings('poisoned', poisonedArb(now)) },
    { weight: 1, arbitrary: readings('deep', deepArb()) },
    { weight: 1, arbitrary: fc.tuple(statusArb(), sender).map(([payload, from]): FuzzCase => ({ kind: 'status', sender: from, family: 'status', payload: typeof payload === 'string' ? utf8(payload) : payload })) },
  );
}

/**
 * Sends `cases` generated messages through the handler (each at its own receipt time, one and a
 * half seconds apart, so the clock moves without sleeping) and checks the invariants: the handler
 * never throws while the store is up; every readings message gets an ack whose status is
 * accepted, partially-accepted or rejected, with refusals exactly when it is not accepted; every
 * refusal (and every recorded status refusal) is in rejected_messages; nothing else is.
 */
export async function fuzzDeviceMessages(options: {
  readonly handler: FuzzableMessageHandler;
  readonly storage: Storage;
  /** A registered device assigned to a patient. */
  readonly deviceId: string;
  readonly cases: number;
  readonly seed: number;
  readonly start: Date;
  readonly onProgress?: (done: number) => void;
}): Promise<FuzzReport> {
  const unknownId = '00000000-0000-4000-8000-0000000f0220';
  const expectRecord = new Map<number, boolean>();
  const acks: Record<string, number> = {};
  const codes: Record<string, number> = {};
  const families: Record<string, number> = {};
  const statusOutcomes: Record<string, number> = {};
  const problems: string[] = [];
  const durations: number[] = [];
  const started = performance.now();
  const chunk = 500;
  for (let done = 0; done < options.cases; done += chunk) {
    // Generated in chunks, so 100,000 cases never sit in memory at once; each chunk's seed is derived.
    const batch = fc.sample(deviceMessageCaseArb(new Date(options.start.getTime() + done * 1_500)), { numRuns: Math.min(chunk, options.cases - done), seed: options.seed + done });
    for (const [i, c] of batch.entries()) {
      const index = done + i;
      const receivedAt = new Date(options.start.getTime() + index * 1_500);
      const deviceId = c.sender === 'known' ? options.deviceId : unknownId;
      families[c.family] = (families[c.family] ?? 0) + 1;
      const describe = () => `case ${index} (seed ${options.seed}, ${c.family}, ${c.kind}, ${c.sender}): ${Buffer.from(c.payload.subarray(0, 200)).toString('hex')}`;
      const t0 = performance.now();
      let handled: Awaited<ReturnType<FuzzableMessageHandler['handle']>>;
      try {
        handled = await options.handler.handle({ deviceId, kind: c.kind, topic: `homeward/v1/devices/${deviceId}/${c.kind}`, payload: c.payload, receivedAt });
      } catch (error) {
        problems.push(`${describe()} threw ${String(error)}`);
        continue;
      } finally {
        durations.push(performance.now() - t0);
      }
      if (c.kind === 'status') {
        const outcome = handled.recorded ? 'recorded' : handled.dropped ? `dropped-${handled.dropped}` : 'applied';
        statusOutcomes[outcome] = (statusOutcomes[outcome] ?? 0) + 1;
        if (handled.ack) problems.push(`${describe()} answered a status message with an ack`);
        expectRecord.set(receivedAt.getTime(), handled.recorded !== undefined);
        continue;
      }
      const ack = handled.ack;
      if (!ack || !['accepted', 'partially-accepted', 'rejected'].includes(ack.status)) {
        problems.push(`${describe()} got no proper ack: ${JSON.stringify(handled)}`);
        continue;
      }
      try {
        JSON.stringify(ack);
      } catch (error) {
        problems.push(`${describe()} ack cannot be sent: ${String(error)}`);
      }
      acks[ack.status] = (acks[ack.status] ?? 0) + 1;
      for (const r of ack.rejected) codes[r.code] = (codes[r.code] ?? 0) + 1;
      if ((ack.status === 'accepted') !== (ack.rejected.length === 0)) problems.push(`${describe()} ack status ${ack.status} with ${ack.rejected.length} refusal(s)`);
      expectRecord.set(receivedAt.getTime(), ack.status !== 'accepted');
      options.onProgress?.(index + 1);
    }
  }
  const seconds = (performance.now() - started) / 1000;

  // Every refusal is kept, and nothing accepted is: one row per refused message, at its receipt time.
  const { rows } = await options.storage.db.query<{ at: Date; n: string }>(
    `SELECT received_at AS at, count(*)::text AS n FROM rejected_messages WHERE device_id = ANY ($1::uuid[]) AND received_at BETWEEN $2 AND $3 GROUP BY received_at`,
    [[options.deviceId, unknownId], options.start, new Date(options.start.getTime() + options.cases * 1_500)],
  );
  const kept = new Map(rows.map((r) => [r.at.getTime(), Number(r.n)]));
  for (const [at, expected] of expectRecord) {
    const n = kept.get(at) ?? 0;
    if (expected && n !== 1) problems.push(`the refusal received at ${new Date(at).toISOString()} has ${n} rejected_messages rows, not 1`);
    if (!expected && n !== 0) problems.push(`the message received at ${new Date(at).toISOString()} was not refused but has ${n} rejected_messages row(s)`);
  }
  const sorted = [...durations].sort((a, b) => a - b);
  const quantile = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 100) / 100;
  return { cases: options.cases, seconds: Math.round(seconds * 100) / 100, perCaseMs: { p50: quantile(0.5), p99: quantile(0.99), max: quantile(1) }, acks, codes, families, statusOutcomes, problems };
}
