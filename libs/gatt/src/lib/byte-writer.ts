import { encodeFloat, encodeSfloat, type MderFloat } from './ieee-11073-float';
import { encodeDateTimeBytes, type DateTime } from './date-time';

/**
 * Builds a characteristic value, little-endian like the reader. Encoders serve the device
 * simulators and round-trip tests: a value that cannot be represented is a programming error
 * there, so it throws a RangeError rather than inventing bytes.
 */
export class ByteWriter {
  private readonly out: number[] = [];

  uint8(value: number, field: string): this {
    this.check(value, 0, 0xff, field);
    this.out.push(value);
    return this;
  }

  uint16(value: number, field: string): this {
    this.check(value, 0, 0xffff, field);
    this.out.push(value & 0xff, (value >>> 8) & 0xff);
    return this;
  }

  int16(value: number, field: string): this {
    this.check(value, -0x8000, 0x7fff, field);
    return this.uint16(value < 0 ? value + 0x10000 : value, field);
  }

  uint24(value: number, field: string): this {
    this.check(value, 0, 0xffffff, field);
    this.out.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff);
    return this;
  }

  uint32(value: number, field: string): this {
    this.check(value, 0, 0xffffffff, field);
    this.out.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
    return this;
  }

  sfloat(value: MderFloat, field: string): this {
    return this.uint16(encodeSfloat(value, field), field);
  }

  float(value: MderFloat, field: string): this {
    return this.uint32(encodeFloat(value, field), field);
  }

  dateTime(value: DateTime, field: string): this {
    this.out.push(...encodeDateTimeBytes(value, field));
    return this;
  }

  /** Overwrites a byte already written (the flags octet, once the optional fields are known). */
  setUint8(index: number, value: number, field: string): this {
    this.check(value, 0, 0xff, field);
    this.out[index] = value;
    return this;
  }

  /** Overwrites a 16-bit value already written. */
  setUint16(index: number, value: number, field: string): this {
    this.check(value, 0, 0xffff, field);
    this.out[index] = value & 0xff;
    this.out[index + 1] = (value >>> 8) & 0xff;
    return this;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  private check(value: number, min: number, max: number, field: string): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${field}: ${value} does not fit the field (integer ${min}–${max}).`);
    }
  }
}

/** Converts a decimal value at a fixed resolution to its raw integer (e.g. kg at 0.005 → raw). */
export function toRaw(value: number, divisor: number): number {
  return Math.round(value * divisor);
}
