import type { CodedError, Result } from '@homeward/domain';

/**
 * Every way a frame (or the text around it) can be refused. Codes are stable: the gateway maps them
 * to a rejected-message record, the CLI prints them.
 */
export type GattErrorCode =
  /** The UUID text is not a 16-bit, 32-bit or Bluetooth-base 128-bit UUID. */
  | 'gatt.invalid-uuid'
  /** A well-formed UUID that this library does not decode. */
  | 'gatt.unknown-characteristic'
  /** The frame ends before a mandatory field, or before a field its flags promise. */
  | 'gatt.truncated'
  /** Bytes left over after every field the flags declare: we cannot be sure we read the fields the device meant. */
  | 'gatt.trailing-bytes'
  /** A Date Time (0x2A08 layout) outside its ranges, e.g. month 13 or 31 February. */
  | 'gatt.invalid-date-time'
  /** A value outside the range the spec allows (e.g. battery level 101 %), or not allowed in this position. */
  | 'gatt.invalid-value'
  /** A value the spec reserves for future use where the frame cannot be interpreted without it (RACP op codes). */
  | 'gatt.reserved-value'
  /** The hex text given to the CLI is not hex. */
  | 'gatt.invalid-hex'
  /** A bug in a decoder, caught by the guard so it never escapes as an exception. */
  | 'gatt.internal-error';

export type GattErrorDetails = {
  /** The field, as the GATT Specification Supplement names it (e.g. "Time Stamp.Month"). */
  readonly field: string;
  /** Byte offset of the field in the frame; null when the error is not about a position. */
  readonly offset: number | null;
  readonly [key: string]: unknown;
};

export interface GattError extends CodedError<GattErrorCode> {
  readonly details: GattErrorDetails;
}

export type GattResult<T> = Result<T, GattError>;

export function gattError(code: GattErrorCode, message: string, details: GattErrorDetails): GattError {
  return { code, message, details };
}

export function gattFail(code: GattErrorCode, message: string, details: GattErrorDetails): { readonly ok: false; readonly error: GattError } {
  return { ok: false, error: gattError(code, message, details) };
}

/**
 * Thrown inside a decoder to abandon the frame at the first bad field. It never leaves this
 * library: `guardDecode` turns it into a failed Result, so callers only ever see data.
 */
export class FrameError extends Error {
  constructor(readonly error: GattError) {
    super(error.message);
    this.name = 'FrameError';
  }
}

/**
 * Runs a decoder so that nothing escapes as an exception: a FrameError becomes its coded error,
 * anything else (a bug) becomes 'gatt.internal-error'. All or nothing: a frame that fails at
 * any field yields no measurement at all, so never a partial reading.
 */
export function guardDecode<T>(characteristic: string, decode: () => T): GattResult<T> {
  try {
    return { ok: true, value: decode() };
  } catch (caught) {
    if (caught instanceof FrameError) return { ok: false, error: caught.error };
    const reason = caught instanceof Error ? caught.message : String(caught);
    return gattFail('gatt.internal-error', `${characteristic}: the decoder failed unexpectedly (${reason}).`, {
      field: characteristic,
      offset: null,
    });
  }
}
