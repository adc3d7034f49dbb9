import { type CodedError, type Result, fail, ok } from '@homeward/domain';

export interface PayloadLimits {
  /** Bytes; a larger message is refused before it is decoded. */
  readonly maxBytes: number;
  /** Nesting of arrays and objects; the readings payload needs 3 (body → readings → status). */
  readonly maxDepth: number;
}

export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = { maxBytes: 256 * 1024, maxDepth: 32 };

export type PayloadErrorCode =
  | 'payload.too-large'
  | 'payload.not-utf8'
  | 'payload.nul-character'
  | 'payload.lone-surrogate'
  | 'payload.too-deep'
  | 'payload.bad-json';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** One decoder for every message: decode() without `stream` keeps no state between calls. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The one way a device payload becomes a JavaScript value, shared by every entry (embedded
 * broker, external broker, hub forwarder replays). Everything that would make the value unsafe
 * to validate or to store is refused with a code before or instead of `JSON.parse`:
 * - size, before decoding;
 * - UTF-8, with a fatal decoder (so no raw lone surrogate can reach the text: UTF-8 cannot
 *   encode one);
 * - NUL characters and lone surrogates, raw or written as `\u` escapes, because PostgreSQL
 *   text and jsonb refuse both, and a reading's fields never need them;
 * - nesting depth, counted by a flat scan (no recursion), so 20,000 levels cost one pass and
 *   cannot overflow the validator's stack later.
 */
export function parseJsonPayload(bytes: Uint8Array, limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS): Result<unknown, CodedError<PayloadErrorCode>> {
  if (bytes.byteLength > limits.maxBytes) {
    return fail('payload.too-large', `The message is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes}. Send fewer readings per message.`, {
      bytes: bytes.byteLength,
      limit: limits.maxBytes,
    });
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return fail('payload.not-utf8', 'The message is not UTF-8 text; send JSON.');
  }
  const problem = scan(text, limits.maxDepth);
  if (problem) return { ok: false, error: problem };
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (error) {
    return fail('payload.bad-json', `The message is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * One pass over the text: depth of [ and { outside strings, NUL anywhere, and `\u` escapes
 * inside strings that decode to NUL or to a surrogate without its partner.
 */
function scan(text: string, maxDepth: number): CodedError<PayloadErrorCode> | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return nul(i);
    if (!inString) {
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        if (depth > maxDepth) {
          return { code: 'payload.too-deep', message: `The message nests arrays and objects more than ${maxDepth} levels deep.`, details: { limit: maxDepth, offset: i } };
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
      continue;
    }
    if (c === QUOTE) {
      inString = false;
      continue;
    }
    if (c !== BACKSLASH) continue;
    // An escape: skip the escaped character; for \uXXXX look at the code unit it stands for.
    const next = text.charCodeAt(i + 1);
    if (next !== 0x75 /* u */) {
      i++;
      continue;
    }
    const unit = hex4(text, i + 2);
    if (unit === undefined) {
      i++; // malformed escape: JSON.parse refuses it with its own message
      continue;
    }
    if (unit === 0) return nul(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) return loneSurrogate(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      // A high surrogate must be followed at once by an escaped low one.
      const low = text.charCodeAt(i + 6) === BACKSLASH && text.charCodeAt(i + 7) === 0x75 ? hex4(text, i + 8) : undefined;
      if (low === undefined || low < 0xdc00 || low > 0xdfff) return loneSurrogate(i);
      i += 11;
      continue;
    }
    i += 5;
  }
  return undefined;
}

function hex4(text: string, at: number): number | undefined {
  if (at + 4 > text.length) return undefined;
  const digits = text.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? Number.parseInt(digits, 16) : undefined;
}

function nul(offset: number): CodedError<'payload.nul-character'> {
  return { code: 'payload.nul-character', message: 'The message contains a NUL character (U+0000), which no field may hold.', details: { offset } };
}

function loneSurrogate(offset: number): CodedError<'payload.lone-surrogate'> {
  return { code: 'payload.lone-surrogate', message: 'The message contains an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF), which is not a character.', details: { offset } };
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What makes one already-decoded string unsafe to validate or store (PostgreSQL refuses both). */
export function textProblem(text: string): 'nul-character' | 'lone-surrogate' | undefined {
  if (text.includes('\u0000')) return 'nul-character';
  return LONE_SURROGATE.test(text) ? 'lone-surrogate' : undefined;
}

export interface UnsafeValue {
  readonly problem: 'nul-character' | 'lone-surrogate' | 'too-deep';
  /** Where it is, as `readings[0].unit` (under `root` when given); odd keys are written as JSON strings. */
  readonly path: string;
}

/**
 * The same refusals as `parseJsonPayload`'s scan, for a value some other parser has already
 * decoded (an HTTP body or query): the first string or key holding a NUL or a lone surrogate, or
 * nesting deeper than `maxDepth`, with its path. Walks with its own stack, so depth cannot
 * overflow it.
 */
export function findUnsafeValue(value: unknown, maxDepth: number, root = ''): UnsafeValue | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value: current, path, depth } = item;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return { problem, path };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return { problem: 'too-deep', path };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      const problem = textProblem(key);
      const segment = /^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
      if (problem) return { problem, path: segment };
      stack.push({ value: (current as Record<string, unknown>)[key], path: segment, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Letters, digits and punctuation (printable ASCII), up to the DTO's 128: safe to echo in an ack. */
const SAFE_MESSAGE_ID = /^[\x21-\x7e][\x20-\x7e]{0,127}$/;

/**
 * The sender's `messageId` from a parsed body that may have failed validation, so a refusal can
 * still name the message it answers; null when there is none or it is not a short safe string.
 */
export function readMessageId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id: unknown = (value as Record<string, unknown>)['messageId'];
  return typeof id === 'string' && SAFE_MESSAGE_ID.test(id) ? id : null;
}

/** `"messageId": "<printable ASCII without quote or backslash>"`, wherever it stands in the text. */
const MESSAGE_ID_IN_TEXT = /"messageId"\s*:\s*"([\x21\x23-\x5b\x5d-\x7e][\x20\x21\x23-\x5b\x5d-\x7e]{0,127})"/;

/**
 * The `messageId` of a message that could not be parsed (a NUL, a lone surrogate, too deep, cut
 * short), read from its text, so the refusal still names the message it answers. Best effort,
 * only for acks: a quote-free printable id found anywhere in the first 4 KB.
 */
export function sniffMessageId(bytes: Uint8Array): string | null {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  return MESSAGE_ID_IN_TEXT.exec(text)?.[1] ?? null;
}
