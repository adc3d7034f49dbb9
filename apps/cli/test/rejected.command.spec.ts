import { randomUUID } from 'node:crypto';
import { type RealDatabase, realDatabase } from '@homeward/testing';
import { runCli } from '../src/cli';
import { payloadAsText } from '@homeward/contracts';
import { hexDump, parseSince, terminalSafe } from '../src/commands/rejected.command';

// `homeward rejected`, run in this process against a real PostgreSQL (the scratch database's URL
// as DATABASE_URL, as an operator would set it).
// A scratch database and its migrations take longer than Jest's default 5 s on a busy machine
// (this project has no slow-suite setup of its own).
jest.setTimeout(120_000);

describe('homeward rejected', () => {
  let db: RealDatabase;
  const deviceId = randomUUID();
  const ids: string[] = [];

  beforeAll(async () => {
    db = await realDatabase();
    const record = (code: string, payload: Uint8Array, at: string, details: Record<string, unknown> = {}) =>
      db.storage.rejected.record({ source: 'mqtt', deviceId, topic: `homeward/v1/devices/${deviceId}/readings`, error: { code, message: `refused: ${code}\u001b[31m`, details }, payload, receivedAt: new Date(at) });
    ids.push((await record('payload.bad-json', new TextEncoder().encode('{"readings": ['), '2026-12-01T10:00:00Z')).id);
    ids.push((await record('payload.not-utf8', new Uint8Array([0x7b, 0xff, 0x00, 0x1b, 0x41]), '2026-12-02T10:00:00Z', { offset: 1 })).id);
    ids.push((await record('reading.time-out-of-range', new TextEncoder().encode('{"sentAt":"9999-12-31T00:00:00Z"}'), '2026-12-03T10:00:00Z', { field: 'sentAt' })).id);
  });
  afterAll(() => db?.dispose());

  async function homeward(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli({ argv, env: { DATABASE_URL: db.url }, cwd: process.cwd(), out: (t) => out.push(t), err: (t) => err.push(t), stopRequested: new Promise(() => undefined) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('lists newest first with the device filter, escaping what could drive the terminal', async () => {
    const { code, out } = await homeward('rejected', '--device', deviceId);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^id\s+received\s+device\s+code\s+payload\s+reason$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([...ids].reverse());
    expect(out).toContain('refused: payload.bad-json\\u001b[31m');
    expect(out).not.toContain('\u001b');
  });

  it('filters by code prefix and since, pages with --limit and --before, and speaks JSON', async () => {
    const byCode = await homeward('rejected', '--device', deviceId, '--code', 'payload');
    expect(byCode.out.split('\n').slice(1).map((l) => l.split(/\s+/)[3])).toEqual(['payload.not-utf8', 'payload.bad-json']);
    const since = await homeward('rejected', '--device', deviceId, '--since', '2026-12-02T00:00:00Z', '--json');
    expect((JSON.parse(since.out) as Array<{ id: string; payloadBytes: number }>).map((r) => [r.id, r.payloadBytes])).toEqual([
      [ids[2], 33],
      [ids[1], 5],
    ]);
    const page = await homeward('rejected', '--device', deviceId, '--limit', '2');
    expect(page.out).toContain(`Older: homeward rejected --before ${ids[1]} --device ${deviceId}`);
    const older = await homeward('rejected', '--device', deviceId, '--limit', '2', '--before', ids[1]!);
    expect(older.out.split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual([ids[0]]);
    expect((await homeward('rejected', '--device', randomUUID())).out).toBe('No rejected messages match.');
  });

  it('shows one record: reason, details, topic, and the payload as text or as hex', async () => {
    const text = await homeward('rejected', 'show', ids[2]!);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`topic     homeward/v1/devices/${deviceId}/readings`);
    expect(text.out).toContain('code      reading.time-out-of-range');
    expect(text.out).toContain('"field": "sentAt"');
    expect(text.out).toContain('payload   33 bytes, UTF-8 text\n{"sentAt":"9999-12-31T00:00:00Z"}');
    const binary = await homeward('rejected', 'show', ids[1]!);
    expect(binary.out).toContain('payload   5 bytes, not printable UTF-8: hex\n00000000  7b ff 00 1b 41');
    expect(binary.out).not.toContain('\u001b');
    const json = await homeward('rejected', 'show', ids[1]!, '--json');
    expect(JSON.parse(json.out)).toMatchObject({ id: ids[1], reasonCode: 'payload.not-utf8', payload: { encoding: 'hex', hex: '7bff001b41' } });
  });

  it('refuses bad arguments with the usage (exit 2) and an unknown id (exit 1)', async () => {
    for (const argv of [['--device', 'nope'], ['--limit', '0'], ['--since', 'last week'], ['--code', 'DROP TABLE'], ['show'], ['show', 'x1'], ['--colour']]) {
      const result = await homeward('rejected', ...argv);
      expect([argv.join(' '), result.code]).toEqual([argv.join(' '), 2]);
      expect(result.err).toContain('Usage: homeward rejected');
    }
    const missing = await homeward('rejected', 'show', '999999999');
    expect([missing.code, missing.err]).toEqual([1, 'No rejected message 999999999.']);
  });
});

describe('rejected command helpers', () => {
  it('reads --since as a time or a duration back from an injected now', () => {
    const now = new Date('2026-12-03T12:00:00Z');
    expect(parseSince('90m', now)?.toISOString()).toBe('2026-12-03T10:30:00.000Z');
    expect(parseSince('7d', now)?.toISOString()).toBe('2026-11-26T12:00:00.000Z');
    expect(parseSince('2026-12-01', now)?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseSince('soon', now)).toBeNull();
  });

  it('prints text only when every character is printable, and dumps the rest', () => {
    expect(payloadAsText(new TextEncoder().encode('{"a":\n\t"é"}'))).toBe('{"a":\n\t"é"}');
    for (const bad of ['a\rb', 'a\u0000', 'x\u001b[2J', '\u202eevil', 'a\u0085']) expect(payloadAsText(new TextEncoder().encode(bad))).toBeUndefined();
    expect(payloadAsText(new Uint8Array([0xc3, 0x28]))).toBeUndefined();
    expect(hexDump(new Uint8Array(Array.from({ length: 18 }, (_, i) => 0x41 + i)))).toBe(
      '00000000  41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP\n00000010  51 52                                            QR',
    );
    expect(terminalSafe('a\u001bb\nc\u202e')).toBe('a\\u001bb\\nc\\u202e');
  });
});
