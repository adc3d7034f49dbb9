/**
 * A status or feature bitfield as a table of (bit, name) rows, each row citing its spec bit where
 * it is declared. Decoding lists the names of the set bits in table order; bits not in the table
 * (reserved for future use) are ignored, because real devices set them.
 */
export type BitTable<N extends string> = readonly (readonly [bit: number, name: N])[];

export function readBits<N extends string>(raw: number, table: BitTable<N>): N[] {
  return table.filter(([bit]) => isSet(raw, bit)).map(([, name]) => name);
}

export function writeBits<N extends string>(names: readonly N[], table: BitTable<N>): number {
  let raw = 0;
  for (const [bit, name] of table) if (names.includes(name)) raw += 2 ** bit;
  return raw;
}

export function isSet(raw: number, bit: number): boolean {
  return Math.floor(raw / 2 ** bit) % 2 === 1;
}

/** The value of `width` bits starting at `bit`. */
export function bitsAt(raw: number, bit: number, width: number): number {
  return Math.floor(raw / 2 ** bit) % 2 ** width;
}

export function flag(condition: boolean, bit: number): number {
  return condition ? 2 ** bit : 0;
}
