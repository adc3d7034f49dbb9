import { type ValidationOptions, ValidateBy, buildMessage } from 'class-validator';
import { EARLIEST_MEASUREMENT_TIME } from '@homeward/domain';

/** An ISO 8601 date-time that says its zone: `Z` or `±hh:mm` (a zone-less time means whose midnight?). */
const ZONED = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

export interface ZonedTimestampOptions {
  /** Earliest accepted instant; 2000-01-01 by default (Homeward holds nothing older; 1970 is an unset clock). */
  readonly notBefore?: string;
  /** How far past now a time may be; a year by default (a range end a little ahead is fine, 9999 is not). */
  readonly maxFutureMs?: number;
  /** The clock for "now" (tests move it). */
  readonly now?: () => Date;
}

/** The domain's one bound on believable times (2000-01-01). */
export const DEFAULT_EARLIEST_TIMESTAMP = EARLIEST_MEASUREMENT_TIME.toISOString();
export const DEFAULT_MAX_FUTURE_MS = 366 * 24 * 3_600_000;

/** Why `value` is not a plausible zoned timestamp, or undefined when it is. */
export function zonedTimestampProblem(value: unknown, options: ZonedTimestampOptions = {}): string | undefined {
  if (typeof value !== 'string' || !ZONED.test(value)) return 'must be an ISO 8601 date-time with a time zone (Z or ±hh:mm), such as 2026-11-10T09:30:00Z';
  const at = Date.parse(value);
  // The pattern lets 31 February through; Date.parse rolls it over, so check the day survived.
  if (!Number.isFinite(at) || new Date(Date.parse(`${value.slice(0, 10)}T00:00:00Z`)).toISOString().slice(0, 10) !== value.slice(0, 10)) return 'must be a real date and time';
  const earliest = Date.parse(options.notBefore ?? DEFAULT_EARLIEST_TIMESTAMP);
  const latest = (options.now?.() ?? new Date()).getTime() + (options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS);
  if (at < earliest) return `must not be before ${new Date(earliest).toISOString()}`;
  if (at > latest) return `must not be after ${new Date(latest).toISOString()}`;
  return undefined;
}

/**
 * Every time a person or a client sends over REST (issue 17): with a zone, and within a plausible
 * range, so 1970 (an unset clock), 1900 or 9999 are refused with the field's name rather than
 * stored or turned into an empty or endless query.
 */
export function IsZonedTimestamp(options: ZonedTimestampOptions = {}, validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isZonedTimestamp',
      constraints: [options],
      validator: {
        validate: (value: unknown) => zonedTimestampProblem(value, options) === undefined,
        defaultMessage: buildMessage((eachPrefix, args) => `${eachPrefix}$property ${zonedTimestampProblem(args?.value, options) ?? 'must be a zoned date-time'}`, validationOptions),
      },
    },
    validationOptions,
  );
}
