import { randomUUID } from 'node:crypto';
import { type Storage, type StoredReading, openScratchStorage } from '@homeward/storage';
import { IngestPipeline, type Submission } from './ingest.pipeline';

// The pipeline against real PostgreSQL: event time that redelivery never moves, and readings
// without a device time stored once when their message comes again.
let storage: Storage;
let dispose: () => Promise<void>;
let pipeline: IngestPipeline;

beforeAll(async () => {
  ({ storage, dispose } = await openScratchStorage());
  pipeline = new IngestPipeline(storage, { maxClockSkewMs: 5 * 60_000 });
});
afterAll(() => dispose?.());

const MIN = 60_000;
const at = (iso: string) => new Date(iso);
const sender = () => ({ patientId: randomUUID(), deviceId: randomUUID() });
const everything = (patientId: string): Promise<StoredReading[]> => storage.readings.inRange(patientId, { from: at('1990-01-01T00:00:00Z'), to: at('2100-01-01T00:00:00Z') });

/** One SpO2 measured at 10:00:00 on the device clock and sent at 10:00:05 on it. */
const message = (who: { patientId: string; deviceId: string }, over: Partial<Submission> = {}): Submission => ({
  source: 'mqtt',
  ...who,
  receivedAt: at('2026-11-20T10:00:06Z'),
  deviceClockAt: at('2026-11-20T10:00:05Z'),
  readings: [{ vital: 'spo2', value: 95, unit: '%', deviceTime: at('2026-11-20T10:00:00Z') }],
  ...over,
});

describe('event time', () => {
  it('a redelivery (DUP) 40 minutes after the first attempt keeps the device time, with no clock flag', async () => {
    const who = sender();
    const outcome = await pipeline.submit(message(who, { redelivered: true, receivedAt: at('2026-11-20T10:40:05Z') }));
    expect(outcome.stored).toHaveLength(1);
    const [row] = await everything(who.patientId);
    expect(row?.measuredAt).toEqual(at('2026-11-20T10:00:00Z'));
    expect(row?.receivedAt).toEqual(at('2026-11-20T10:40:05Z'));
    expect(row?.status).toEqual([]);
  });

  it('the same 40-minute gap on a first delivery is a slow clock: corrected and flagged', async () => {
    const who = sender();
    await pipeline.submit(message(who, { receivedAt: at('2026-11-20T10:40:05Z') }));
    const [row] = await everything(who.patientId);
    expect(row?.measuredAt).toEqual(at('2026-11-20T10:40:00Z'));
    expect([...(row?.status ?? [])].sort()).toEqual(['clock-corrected', 'clock-skewed']);
  });

  it('a first delivery 3 minutes late (reconnection, broker queue) is delay, not skew', async () => {
    const who = sender();
    await pipeline.submit(message(who, { receivedAt: at('2026-11-20T10:03:05Z') }));
    const [row] = await everything(who.patientId);
    expect(row?.measuredAt).toEqual(at('2026-11-20T10:00:00Z'));
    expect(row?.status).toEqual([]);
  });

  it('a redelivery after the first was committed is a duplicate, and the stored reading keeps its time', async () => {
    const who = sender();
    expect((await pipeline.submit(message(who))).stored).toHaveLength(1);
    const again = await pipeline.submit(message(who, { redelivered: true, receivedAt: at('2026-11-20T10:25:00Z') }));
    expect([again.stored.length, again.duplicates.length]).toEqual([0, 1]);
    expect((await everything(who.patientId)).map((r) => [r.measuredAt.toISOString(), r.status])).toEqual([['2026-11-20T10:00:00.000Z', []]]);
  });

  it('a BLE pair (the device clock read directly) still corrects a clock 3 minutes slow', async () => {
    const who = sender();
    await pipeline.submit(message(who, { source: 'ble', receivedAt: at('2026-11-20T10:03:05Z'), deviceClockAt: at('2026-11-20T10:00:05Z') }));
    const [row] = await everything(who.patientId);
    expect(row?.measuredAt).toEqual(at('2026-11-20T10:03:00Z'));
    expect(row?.status).toEqual(['clock-corrected']);
  });

  it('a sentAt of 9999 cannot fling a reading to 5948 BC: placed at receipt, flagged clock-unset and clock-skewed', async () => {
    const who = sender();
    await pipeline.submit(message(who, { deviceClockAt: at('9999-12-31T23:59:59Z') }));
    const [row] = await everything(who.patientId);
    expect(row?.measuredAt).toEqual(at('2026-11-20T10:00:06Z'));
    expect(row?.deviceTime).toEqual(at('2026-11-20T10:00:00Z')); // kept as sent, and in the key
    expect(row?.status).toEqual(['clock-unset', 'clock-skewed']);
  });

  it('a custom transit bound and correction bound are honoured', async () => {
    const strict = new IngestPipeline(storage, { maxClockSkewMs: 5 * MIN, maxTransitMs: 30_000, maxClockCorrectionMs: 60 * MIN });
    const slow = sender();
    await strict.submit(message(slow, { receivedAt: at('2026-11-20T10:03:05Z') }));
    expect((await everything(slow.patientId)).map((r) => [r.measuredAt.toISOString(), r.status])).toEqual([['2026-11-20T10:03:00.000Z', ['clock-corrected']]]);
    const wild = sender();
    await strict.submit(message(wild, { receivedAt: at('2026-11-20T12:00:05Z') }));
    expect((await everything(wild.patientId)).map((r) => [r.measuredAt.toISOString(), r.status])).toEqual([['2026-11-20T12:00:05.000Z', ['clock-unset', 'clock-skewed']]]);
  });
});

describe('readings without a device time', () => {
  const clockless = (who: { patientId: string; deviceId: string }, over: Partial<Submission> = {}) =>
    message(who, {
      deviceClockAt: null,
      readings: [
        { vital: 'spo2', value: 95, unit: '%', deviceTime: null },
        { vital: 'heart_rate', value: 72, unit: '/min', deviceTime: null },
        { vital: 'heart_rate', value: 72, unit: '/min', deviceTime: null }, // a second, equal reading of the same message is its own
      ],
      ...over,
    });

  it('with a messageId, a redelivery minutes later is stored once; every reading of the message is kept', async () => {
    const who = sender();
    const first = await pipeline.submit(clockless(who, { messageId: 'm-1' }));
    expect(first.stored).toHaveLength(3);
    const again = await pipeline.submit(clockless(who, { messageId: 'm-1', redelivered: true, receivedAt: at('2026-11-20T10:09:00Z') }));
    expect([again.stored.length, again.duplicates.length]).toEqual([0, 3]);
    const rows = await everything(who.patientId);
    expect(rows).toHaveLength(3);
    // Placed at the first receipt, flagged clock-unset.
    expect(rows.every((r) => r.measuredAt.getTime() === at('2026-11-20T10:00:06Z').getTime() && r.status.includes('clock-unset'))).toBe(true);
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual([
      `device:${who.deviceId}|heart_rate|message:m-1#1|72`,
      `device:${who.deviceId}|heart_rate|message:m-1#2|72`,
      `device:${who.deviceId}|spo2|message:m-1#0|95`,
    ]);
  });

  it('another message with the same values is a new reading', async () => {
    const who = sender();
    await pipeline.submit(clockless(who, { messageId: 'm-1' }));
    const next = await pipeline.submit(clockless(who, { messageId: 'm-2', receivedAt: at('2026-11-20T10:30:00Z') }));
    expect(next.stored).toHaveLength(3);
    expect(await everything(who.patientId)).toHaveLength(6);
  });

  it('without a messageId keeps the old behaviour: keyed on receipt, so a later redelivery is stored again', async () => {
    const who = sender();
    // Equal readings of one message share a key then: the two heart rates are stored as one.
    expect((await pipeline.submit(clockless(who))).stored).toHaveLength(2);
    const again = await pipeline.submit(clockless(who, { redelivered: true, receivedAt: at('2026-11-20T10:09:00Z') }));
    expect(again.stored).toHaveLength(2);
    expect(await everything(who.patientId)).toHaveLength(4);
  });
});

describe('derived vitals', () => {
  it.each(['mqtt', 'manual', 'fhir'] as const)('refuses a submitted NEWS2 score from %s as reading.derived, keeps the message, stores the rest', async (source) => {
    const who = sender();
    const outcome = await pipeline.submit(
      message(who, {
        source,
        readings: [
          { vital: 'news2_score', value: 3, unit: '{score}', deviceTime: at('2026-11-20T10:00:00Z') },
          { vital: 'spo2', value: 95, unit: '%', deviceTime: at('2026-11-20T10:00:00Z') },
        ],
        raw: { payload: new TextEncoder().encode('{"n":1}'), topic: `test/${source}` },
      }),
    );
    expect(outcome.rejected).toEqual([{ index: 0, error: expect.objectContaining({ code: 'reading.derived', details: { vital: 'news2_score' } }) }]);
    expect((await everything(who.patientId)).map((r) => r.vital)).toEqual(['spo2']);
    const [kept] = await storage.rejected.list({ deviceId: who.deviceId });
    expect(kept?.reasonCode).toBe('reading.derived');
  });
});

describe('content the database refuses', () => {
  it('refuses only the reading the database refuses (no endless redelivery), stores the rest, keeps the message; a store that is down still fails the message', async () => {
    // A check of the database's own (standing in for any data or constraint error, SQLSTATE 22/23).
    await storage.db.query('ALTER TABLE readings ADD CONSTRAINT test_refuses_hr_123 CHECK (vital <> \'heart_rate\' OR value <> 123) NOT VALID');
    try {
      const who = sender();
      const outcome = await pipeline.submit(
        message(who, {
          readings: [
            { vital: 'spo2', value: 95, unit: '%', deviceTime: at('2026-11-20T10:00:00Z') },
            { vital: 'heart_rate', value: 123, unit: '/min', deviceTime: at('2026-11-20T10:00:00Z') },
          ],
          raw: { payload: new TextEncoder().encode('{"n":2}'), topic: 'test/refused' },
        }),
      );
      expect(outcome.stored.map((r) => r.vital)).toEqual(['spo2']);
      expect(outcome.rejected).toEqual([{ index: 1, error: expect.objectContaining({ code: 'reading.refused-by-database', details: { sqlstate: '23514' } }) }]);
      expect(outcome.rejected[0]?.error.message).toContain('sending it again will not help');
      const [kept] = await storage.rejected.list({ deviceId: who.deviceId });
      expect(kept?.reasonCode).toBe('reading.refused-by-database');
      // Sent again (a device that did not read the answer): the same answer, nothing stored twice.
      const again = await pipeline.submit(message(who, { readings: [{ vital: 'heart_rate', value: 123, unit: '/min', deviceTime: at('2026-11-20T10:00:00Z') }] }));
      expect(again).toMatchObject({ stored: [], rejected: [{ index: 0, error: { code: 'reading.refused-by-database' } }] });
      expect((await everything(who.patientId)).map((r) => r.vital)).toEqual(['spo2']);
    } finally {
      await storage.db.query('ALTER TABLE readings DROP CONSTRAINT test_refuses_hr_123');
    }
    // Not content but the store: the message fails as a whole (the sender keeps it and retries).
    const down = new IngestPipeline(
      { ...storage, readings: Object.assign(Object.create(storage.readings) as typeof storage.readings, { insertBatch: () => Promise.reject(Object.assign(new Error('connection terminated'), { code: '57P01' })) }) },
      { maxClockSkewMs: 5 * 60_000 },
    );
    await expect(down.submit(message(sender()))).rejects.toThrow('connection terminated');
  });
});
