import fc from 'fast-check';
import { DEFAULT_PAYLOAD_LIMITS, type PayloadErrorCode, findUnsafeValue, parseJsonPayload, readMessageId, sniffMessageId, textProblem } from './payload-parser';

const utf8 = (text: string) => new TextEncoder().encode(text);
const codeOf = (bytes: Uint8Array, limits = DEFAULT_PAYLOAD_LIMITS) => {
  const result = parseJsonPayload(bytes, limits);
  return result.ok ? 'ok' : result.error.code;
};

/** True when a JS string holds a surrogate without its partner. */
const hasLoneSurrogate = (text: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe('parseJsonPayload', () => {
  it('parses a readings body', () => {
    const body = { messageId: 'm-1', readings: [{ vital: 'spo2', value: 97, unit: '%', status: ['clock-unset'] }] };
    expect(parseJsonPayload(utf8(JSON.stringify(body)))).toEqual({ ok: true, value: body });
  });

  it.each<[string, Uint8Array, PayloadErrorCode]>([
    ['bytes that are not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'payload.not-utf8'],
    ['a UTF-8 encoded surrogate (CESU)', new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), 'payload.not-utf8'],
    ['a raw NUL inside a string', utf8('{"messageId":"a\u0000b"}'), 'payload.nul-character'],
    ['a raw NUL between tokens', utf8('{"a":1}\u0000'), 'payload.nul-character'],
    ['a NUL written as an escape', utf8('{"unit":"%\\u0000"}'), 'payload.nul-character'],
    ['a NUL escape in a key', utf8('{"\\u0000":1}'), 'payload.nul-character'],
    ['a lone high surrogate escape', utf8('{"unit":"\\ud800"}'), 'payload.lone-surrogate'],
    ['a high surrogate followed by a plain character', utf8('{"unit":"\\uD83Dx"}'), 'payload.lone-surrogate'],
    ['a high surrogate followed by another high one', utf8('{"unit":"\\ud83d\\ud83d"}'), 'payload.lone-surrogate'],
    ['a lone low surrogate escape', utf8('["\\udc00"]'), 'payload.lone-surrogate'],
    ['JSON 20,000 levels deep', utf8(`${'['.repeat(20_000)}${']'.repeat(20_000)}`), 'payload.too-deep'],
    ['objects 33 levels deep', utf8(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`), 'payload.too-deep'],
    ['truncated JSON', utf8('{"readings": ['), 'payload.bad-json'],
    ['a malformed escape', utf8('["\\u12"]'), 'payload.bad-json'],
  ])('refuses %s', (_label, bytes, code) => {
    expect(codeOf(bytes)).toBe(code);
  });

  it('accepts an escaped surrogate pair, brackets inside strings and exactly the depth limit', () => {
    expect(parseJsonPayload(utf8('["\\ud83d\\ude00", "[[[{{{", "\\\\u0000"]'))).toEqual({ ok: true, value: ['\u{1F600}', '[[[{{{', '\\u0000'] });
    expect(codeOf(utf8(`${'['.repeat(32)}${']'.repeat(32)}`))).toBe('ok');
    expect(codeOf(utf8(`${'['.repeat(5)}${']'.repeat(5)}`), { maxBytes: 100, maxDepth: 4 })).toBe('payload.too-deep');
  });

  it('decodes every message on its own: a truncated character at the end of one does not join the next', () => {
    // "€" is E2 82 AC: split over two messages, each half is refused, and a good message after them parses.
    expect(codeOf(new Uint8Array([0x22, 0xe2, 0x82]))).toBe('payload.not-utf8');
    expect(codeOf(new Uint8Array([0xac, 0x22]))).toBe('payload.not-utf8');
    expect(parseJsonPayload(utf8('"€"'))).toEqual({ ok: true, value: '€' });
  });

  it('refuses a message over the byte limit before decoding it, naming both sizes', () => {
    const result = parseJsonPayload(new Uint8Array(1025).fill(0xff), { maxBytes: 1024, maxDepth: 32 });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'payload.too-large', details: { bytes: 1025, limit: 1024 } }) });
  });

  it('scans a megabyte of deep nesting in one flat pass (no stack overflow)', () => {
    const deep = utf8('['.repeat(1_000_000));
    const started = performance.now();
    expect(codeOf(deep, { maxBytes: 2_000_000, maxDepth: 32 })).toBe('payload.too-deep');
    expect(codeOf(utf8(`${'{"a":['.repeat(200_000)}`), { maxBytes: 2_000_000, maxDepth: 1_000_000 })).toBe('payload.bad-json');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  // Properties: whatever arrives, the parser answers a value or one of its codes, never throws.
  it('never throws on arbitrary bytes, and answers only its own codes', () => {
    const codes = new Set(['ok', 'payload.too-large', 'payload.not-utf8', 'payload.nul-character', 'payload.lone-surrogate', 'payload.too-deep', 'payload.bad-json']);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(codes.has(codeOf(bytes, { maxBytes: 200, maxDepth: 4 }))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('round-trips any JSON value within the limits that holds no NUL or lone surrogate, and refuses those that do', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.string({ unit: 'binary', maxLength: 6 }), (value, odd) => {
        const plain = JSON.stringify(value);
        expect(parseJsonPayload(utf8(plain))).toEqual({ ok: true, value: JSON.parse(plain) });
        // The same value carrying a string of any code units (JSON.stringify escapes lone surrogates).
        const carried = JSON.stringify([value, { [odd]: odd }]);
        const code = codeOf(utf8(carried));
        if (odd.includes('\u0000') || hasLoneSurrogate(odd)) expect(['payload.nul-character', 'payload.lone-surrogate']).toContain(code);
        else expect(code).toBe('ok');
      }),
      { numRuns: 1500 },
    );
  });
});

describe('readMessageId', () => {
  it('reads a short printable messageId from any object, valid or not', () => {
    expect(readMessageId({ messageId: 'hub-42:7', readings: 'not an array' })).toBe('hub-42:7');
    expect(readMessageId({ messageId: 'x'.repeat(128) })).toBe('x'.repeat(128));
  });

  it.each([[null], [[]], ['m-1'], [{}], [{ messageId: 7 }], [{ messageId: '' }], [{ messageId: 'x'.repeat(129) }], [{ messageId: 'a\u0000' }], [{ messageId: 'caf\u00e9' }], [{ messageId: ' lead' }]])('answers null for %j', (value) => {
    expect(readMessageId(value)).toBeNull();
  });
});

describe('sniffMessageId', () => {
  it('finds the messageId in text that did not parse, and nothing unsafe', () => {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    expect(sniffMessageId(utf8('{"messageId": "hub-7:12", "readings": [ \u0000'))).toBe('hub-7:12');
    expect(sniffMessageId(new Uint8Array([...utf8('{"messageId":"m-1",'), 0xff, 0xfe]))).toBe('m-1');
    expect(sniffMessageId(utf8('{"messageId":"a\\"b"}'))).toBeNull();
    expect(sniffMessageId(utf8('{"messageId":"caf\u00e9"}'))).toBeNull();
    expect(sniffMessageId(utf8('{"readings":['))).toBeNull();
  });
});

describe('findUnsafeValue (values another parser decoded: HTTP bodies and queries)', () => {
  it('finds NUL and lone surrogates in values and keys, with their path', () => {
    expect(findUnsafeValue({ readings: [{ unit: 'ok' }, { unit: 'a\u0000' }] }, 32, 'body')).toEqual({ problem: 'nul-character', path: 'body.readings[1].unit' });
    expect(findUnsafeValue({ note: 'x\ud800' }, 32)).toEqual({ problem: 'lone-surrogate', path: 'note' });
    expect(findUnsafeValue({ 'bad key\udc00': 1 }, 32, 'body')).toEqual({ problem: 'lone-surrogate', path: 'body["bad key\\udc00"]' });
    expect(findUnsafeValue(['\u0000'], 32, 'query')).toEqual({ problem: 'nul-character', path: 'query[0]' });
  });

  it('accepts paired surrogates (emoji) and ordinary values', () => {
    expect(findUnsafeValue({ note: 'Feeling better 😀', n: 3, ok: true, none: null, list: ['a', { b: 'c' }] }, 32)).toBeUndefined();
    expect(textProblem('😀')).toBeUndefined();
  });

  it('stops at the depth limit without recursing, however deep the value', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeValue(deep, 32, 'body')).toMatchObject({ problem: 'too-deep' });
    expect(findUnsafeValue([[['fine']]], 32)).toBeUndefined();
  });
});
