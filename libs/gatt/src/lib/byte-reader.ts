import { FrameError, gattError } from './errors';
import { decodeFloat, decodeSfloat, type MderFloat } from './ieee-11073-float';
import { DATE_TIME_LENGTH, parseDateTime, type DateTime } from './date-time';

/**
 * Reads a GATT characteristic value left to right. Every multi-octet field is little-endian:
 * the GATT Specification Supplement transmits the least significant octet first.
 * A read past the end throws a FrameError naming the field and its offset; the decoder's
 * guard turns it into a coded error. Works on any Uint8Array (Node Buffers included) without
 * touching the underlying ArrayBuffer, so byteOffset never matters.
 */
export class ByteReader {
  private position = 0;

  constructor(
    private readonly bytes: Uint8Array,
    /** The characteristic's name, for messages. */
    readonly characteristic: string,
  ) {}

  get offset(): number {
    return this.position;
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  get length(): number {
    return this.bytes.length;
  }

  uint8(field: string, promisedBy?: string): number {
    this.need(1, field, promisedBy);
    return this.byte(this.position++);
  }

  uint16(field: string, promisedBy?: string): number {
    this.need(2, field, promisedBy);
    const value = this.byte(this.position) | (this.byte(this.position + 1) << 8);
    this.position += 2;
    return value;
  }

  int16(field: string, promisedBy?: string): number {
    const value = this.uint16(field, promisedBy);
    return value >= 0x8000 ? value - 0x10000 : value;
  }

  uint24(field: string, promisedBy?: string): number {
    this.need(3, field, promisedBy);
    const p = this.position;
    const value = this.byte(p) | (this.byte(p + 1) << 8) | (this.byte(p + 2) << 16);
    this.position += 3;
    return value;
  }

  uint32(field: string, promisedBy?: string): number {
    this.need(4, field, promisedBy);
    const p = this.position;
    // >>> 0 keeps the top bit from turning the value negative.
    const value = (this.byte(p) | (this.byte(p + 1) << 8) | (this.byte(p + 2) << 16) | (this.byte(p + 3) << 24)) >>> 0;
    this.position += 4;
    return value;
  }

  /** IEEE 11073-20601 SFLOAT-Type (16 bits). */
  sfloat(field: string, promisedBy?: string): MderFloat {
    return decodeSfloat(this.uint16(field, promisedBy));
  }

  /** IEEE 11073-20601 FLOAT-Type (32 bits). */
  float(field: string, promisedBy?: string): MderFloat {
    return decodeFloat(this.uint32(field, promisedBy));
  }

  /** Date Time (GSS, characteristic 0x2A08 layout), validated. */
  dateTime(field: string, promisedBy?: string): DateTime {
    this.need(DATE_TIME_LENGTH, field, promisedBy);
    const start = this.position;
    const parsed = parseDateTime(this.bytes.subarray(start, start + DATE_TIME_LENGTH));
    if (!parsed.ok) {
      const offset = start + parsed.error.relativeOffset;
      throw new FrameError(
        gattError('gatt.invalid-date-time', `${this.characteristic}: ${field}.${parsed.error.part} ${parsed.error.problem} (offset ${offset}).`, {
          field: `${field}.${parsed.error.part}`,
          offset,
          value: parsed.error.value,
        }),
      );
    }
    this.position += DATE_TIME_LENGTH;
    return parsed.value;
  }

  /** Fails unless every byte has been consumed. */
  end(): void {
    if (this.remaining > 0) {
      throw new FrameError(
        gattError(
          'gatt.trailing-bytes',
          `${this.characteristic}: ${this.remaining} unexpected byte(s) at offset ${this.position}, past the end of frame its flags and ` +
            'fields define; a frame longer than its declared fields cannot be trusted to mean what we read.',
          { field: 'end of frame', offset: this.position, length: this.bytes.length },
        ),
      );
    }
  }

  /** A value error about the field just read, which started at `offset`. */
  invalid(field: string, offset: number, problem: string, value: unknown): FrameError {
    return new FrameError(gattError('gatt.invalid-value', `${this.characteristic}: ${field} ${problem} (offset ${offset}).`, { field, offset, value }));
  }

  private need(count: number, field: string, promisedBy: string | undefined): void {
    if (this.position + count <= this.bytes.length) return;
    const why = promisedBy === undefined ? '' : ` (promised by ${promisedBy})`;
    throw new FrameError(
      gattError(
        'gatt.truncated',
        `${this.characteristic}: ${field}${why} needs ${count} byte(s) at offset ${this.position}, but the frame is ${this.bytes.length} byte(s) long.`,
        { field, offset: this.position, length: this.bytes.length, needed: count },
      ),
    );
  }

  private byte(index: number): number {
    // `need` has checked the bounds; the fallback only satisfies noUncheckedIndexedAccess.
    return this.bytes[index] ?? 0;
  }
}
