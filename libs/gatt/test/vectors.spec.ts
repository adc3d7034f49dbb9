import { CHARACTERISTIC_KEYS, decodeCharacteristic, encodeCharacteristic, type DecodedFrame } from '../src';
import { VECTORS } from './fixtures';
import type { GattVector } from './fixtures/vector';

function hex(bytes: Iterable<number>): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function decode(v: GattVector): DecodedFrame {
  const result = decodeCharacteristic(v.uuid, Uint8Array.from(v.bytes), v.context);
  if (!result.ok) throw new Error(`${v.name}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

describe('byte-annotated test vectors', () => {
  it('cover every characteristic', () => {
    const covered = new Set(VECTORS.map((v) => v.characteristic));
    expect([...covered].sort()).toEqual([...CHARACTERISTIC_KEYS].sort());
  });

  describe.each(VECTORS.map((v) => [`${v.characteristic}: ${v.name}`, v] as const))('%s', (_title, v) => {
    it('decodes to the expected measurement', () => {
      const frame = decode(v);
      expect(frame.characteristic).toBe(v.characteristic);
      expect(frame.measurement).toEqual(v.measurement);
    });

    it('gives the expected readings in canonical units, and the expected absences', () => {
      const frame = decode(v);
      const readings = frame.readings.map((r) => ({ ...r, deviceTime: r.deviceTime === null ? null : r.deviceTime.toISOString() }));
      expect(readings).toEqual(v.readings);
      expect(frame.absent.map(({ vital, reason }) => ({ vital, reason }))).toEqual(v.absent ?? []);
      for (const absence of frame.absent) expect(absence.detail.length).toBeGreaterThan(0);
    });

    it('round-trips through the simulator encoder', () => {
      const frame = decode(v);
      const bytes = encodeCharacteristic(frame.characteristic, frame.measurement);
      if (v.canonical) expect(hex(bytes)).toBe(hex(v.bytes));
      const again = decodeCharacteristic(v.uuid, bytes, v.context);
      expect(again).toEqual({ ok: true, value: frame });
    });
  });
});
