import { isISO8601, isIn, isNumber } from 'class-validator';
import type { ReadingItemDto, ReadingsPayloadDto } from '@homeward/contracts';
import { READING_STATUS_FLAGS, VITAL_KEYS } from '@homeward/domain';

/** The fields of a readings message the handler reads, whichever validation produced them. */
export type ReadingsBody = Pick<ReadingsPayloadDto, 'messageId' | 'sentAt' | 'readings' | 'frames'>;

const BODY_KEYS = new Set(['messageId', 'sentAt', 'readings']);
const ITEM_KEYS = new Set(['vital', 'value', 'unit', 'deviceTime', 'status']);
const VITALS = VITAL_KEYS as unknown as string[];
const FLAGS = READING_STATUS_FLAGS as unknown as string[];
const STRICT = { strict: true } as const;
const FINITE = { allowNaN: false, allowInfinity: false } as const;

/**
 * class-validator's verdict on ReadingsPayloadDto (validateDto) for the message every hub and
 * app sends, at a fraction of its cost (class-transformer and class-validator were a fifth of
 * the gateway's CPU per reading). It accepts only a plainly valid message: a JSON object with no
 * field but the DTO's, `readings` (not `frames`) of plain objects, each field of the DTO's type
 * and checked with class-validator's own predicates (isIn, isNumber, isISO8601 strict), string
 * lengths under the DTO's maxima. Anything else (frames, null fields, long strings, unknown
 * keys, any doubt) is undefined: the caller then runs validateDto, which gives the verdict and
 * the messages. So this never accepts what validateDto refuses (the spec checks it on generated
 * messages) and returns the same fields it would.
 */
export function plainlyValidReadingsPayload(plain: unknown): ReadingsBody | undefined {
  if (!isPlainObject(plain)) return undefined;
  for (const key in plain) if (!BODY_KEYS.has(key)) return undefined;
  const { messageId, sentAt, readings } = plain as Record<string, unknown>;
  // MaxLength counts a surrogate pair as one character: a .length within the limit is within it.
  if (messageId !== undefined && !(typeof messageId === 'string' && messageId.length <= 128)) return undefined;
  if (sentAt !== undefined && !isStrictIsoTime(sentAt)) return undefined;
  if (!Array.isArray(readings) || readings.length < 1 || readings.length > 500) return undefined;
  for (const item of readings as unknown[]) if (!plainlyValidItem(item)) return undefined;
  return plain as ReadingsBody;
}

function plainlyValidItem(item: unknown): item is ReadingItemDto {
  if (!isPlainObject(item)) return false;
  for (const key in item) if (!ITEM_KEYS.has(key)) return false;
  const { vital, value, unit, deviceTime, status } = item as Record<string, unknown>;
  if (!isIn(vital, VITALS) || !isNumber(value, FINITE)) return false;
  if (!(typeof unit === 'string' && unit.length <= 32)) return false;
  if (deviceTime !== undefined && !isStrictIsoTime(deviceTime)) return false;
  if (status === undefined) return true;
  return Array.isArray(status) && status.length <= 16 && status.every((flag: unknown) => isIn(flag, FLAGS));
}

/**
 * `YYYY-MM-DDThh:mm:ss[.f…]Z` (what toISOString and most firmware write), its parts in range, years
 * 1000 to 9999 (isISO8601 strict reads years below 1000 through Date in a way of its own).
 * Every string it matches on a real calendar day is one class-validator's isISO8601 regex accepts.
 */
const UTC_TIME = /^([1-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * isISO8601(value, { strict: true }), decided without its large regex for the one spelling
 * devices use: that spelling on a real (proleptic Gregorian) calendar day is accepted, as strict
 * mode does (it checks the day through Date, which uses the same calendar); anything else, ask
 * isISO8601 itself. The validator's regex and date check cost more than all the rest of a
 * reading's validation together.
 */
export function isStrictIsoTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = UTC_TIME.exec(value);
  if (!match) return isISO8601(value, STRICT);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}

/** What JSON.parse makes of `{…}`: an object whose prototype is Object.prototype. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
