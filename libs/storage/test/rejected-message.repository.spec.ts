import { randomUUID } from 'node:crypto';
import { PgDatabase, type Storage, createScratchDatabase, prepare, startScratchEmbeddedPostgres, storableDetails, storableText } from '../src';

// Recording a refusal must never fail because of what was refused: text that PostgreSQL refuses
// (NUL, lone surrogates) in the reason, the details and the topic, against a real server.
describe('rejected messages on PostgreSQL', () => {
  let storage: Storage;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const server = process.env['DATABASE_URL'];
    if (server) {
      const scratch = await createScratchDatabase(server);
      storage = await prepare(new PgDatabase({ connectionString: scratch.url }), { mode: 'server' });
      dispose = async () => (await storage.close(), await scratch.drop());
    } else {
      const embedded = await startScratchEmbeddedPostgres();
      storage = await prepare(new PgDatabase({ connectionString: embedded.connectionString }), { mode: 'embedded' });
      dispose = async () => (await storage.close(), await embedded.cleanup());
    }
  });
  afterAll(() => dispose?.());

  it('records a NUL and a lone surrogate in reason, details and topic; the payload stays byte for byte', async () => {
    const deviceId = randomUUID();
    const payload = new Uint8Array([0x7b, 0x00, 0xed, 0xa0, 0x80, 0xff, 0x7d]);
    const saved = await storage.rejected.record({
      source: 'mqtt',
      deviceId,
      topic: `homeward/v1/devices/${deviceId}/readings\u0000`,
      error: {
        code: 'payload.invalid',
        message: 'unit "%\u0000" and \ud800 are not allowed',
        details: { unit: '%\u0000', ['key\u0000\udfff']: ['\ud83d', '\ud83d\ude00', 7n, Number.POSITIVE_INFINITY], nested: { at: new Date('2026-12-03T08:00:00Z') } },
      },
      payload,
    });
    expect(Array.from(saved.payload)).toEqual(Array.from(payload));
    expect(saved.reason).toBe('unit "%\uFFFD" and \uFFFD are not allowed');
    expect(saved.topic).toBe(`homeward/v1/devices/${deviceId}/readings\uFFFD`);
    expect(saved.details).toEqual({ unit: '%\uFFFD', ['key\uFFFD\uFFFD']: ['\uFFFD', '\ud83d\ude00', '7', 'Infinity'], nested: { at: '2026-12-03T08:00:00.000Z' } });
    expect(await storage.rejected.get(saved.id)).toEqual(saved);
  });

  it('keeps a device id that is not a uuid in details, and bounds huge, deep and cyclic details', async () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5_000; i++) deep = [deep];
    const saved = await storage.rejected.record({
      source: 'mqtt',
      deviceId: 'not-a-uuid\u0000',
      topic: null,
      error: { code: 'device.unknown', message: 'x'.repeat(100_000), details: { cyclic, deep, big: 'y'.repeat(200_000), many: Array.from({ length: 10_000 }, (_, i) => i) } },
      payload: new Uint8Array(0),
      receivedAt: new Date(Number.NaN),
    });
    expect(saved.deviceId).toBeNull();
    expect(saved.details['deviceIdGiven']).toBe('not-a-uuid\uFFFD');
    expect(saved.reason.length).toBeLessThanOrEqual(8_000);
    expect(JSON.stringify(saved.details).length).toBeLessThanOrEqual(70_000);
    expect(Math.abs(saved.receivedAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('lists newest first, filtered by device, code or code prefix and time, and pages with a cursor', async () => {
    const deviceId = randomUUID();
    const base = Date.parse('2026-12-01T10:00:00Z');
    const codes = ['payload.too-deep', 'payload.nul-character', 'reading.time-out-of-range', 'payload.too-deep', 'payload.bad-json'];
    const saved = [];
    for (const [i, code] of codes.entries()) {
      saved.push(await storage.rejected.record({ source: 'mqtt', deviceId, topic: 't', error: { code, message: code }, payload: new Uint8Array([i]), receivedAt: new Date(base + i * 60_000) }));
    }
    const ids = (list: ReadonlyArray<{ id: string }>) => list.map((r) => r.id);
    const newestFirst = [...saved].reverse();
    expect(ids(await storage.rejected.list({ deviceId }))).toEqual(ids(newestFirst));
    expect(ids(await storage.rejected.list({ deviceId, code: 'payload.too-deep' }))).toEqual([saved[3]!.id, saved[0]!.id]);
    expect((await storage.rejected.list({ deviceId, code: 'payload' })).map((r) => r.reasonCode)).toEqual(['payload.bad-json', 'payload.too-deep', 'payload.nul-character', 'payload.too-deep']);
    expect(ids(await storage.rejected.list({ deviceId, since: new Date(base + 3 * 60_000) }))).toEqual([saved[4]!.id, saved[3]!.id]);
    const first = await storage.rejected.list({ deviceId, limit: 2 });
    const second = await storage.rejected.list({ deviceId, limit: 2, before: first[1]!.id });
    const third = await storage.rejected.list({ deviceId, limit: 2, before: second[1]!.id });
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(ids(newestFirst));
    expect(await storage.rejected.get('12abc')).toBeUndefined();
    expect(await storage.rejected.get('999999999999')).toBeUndefined();
  });
});

describe('storable text and details (pure)', () => {
  it('replaces NUL and unpaired surrogates, keeps pairs, and never splits a pair when cutting', () => {
    expect(storableText('a\u0000b\ud800c\udc00\ud83d\ude00', 100)).toBe('a\uFFFDb\uFFFDc\uFFFD\ud83d\ude00');
    expect(storableText('a\ud83d\ude00b', 3)).toBe('a\uFFFD…');
  });

  it('drops values JSON cannot hold and keeps the rest', () => {
    expect(JSON.parse(storableDetails({ f: () => 1, u: undefined, s: Symbol('x'), n: Number.NaN, ok: [1, 'two', null, true] }))).toEqual({ n: 'NaN', ok: [1, 'two', null, true] });
  });
});
