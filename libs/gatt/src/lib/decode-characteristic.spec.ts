import { decodeCharacteristic } from './decode-characteristic';

describe('decodeCharacteristic', () => {
  it('accepts the UUID as a number', () => {
    const result = decodeCharacteristic(0x2a19, Uint8Array.from([0x32]));
    expect(result).toEqual({ ok: true, value: { characteristic: 'battery-level', measurement: { level: 50 }, readings: [], absent: [] } });
  });

  it('reads a Uint8Array that is a view into a larger buffer (as a Node Buffer slice is)', () => {
    const buffer = Uint8Array.from([0xaa, 0xbb, 0x00, 0x48, 0xcc]);
    const view = buffer.subarray(2, 4);
    const result = decodeCharacteristic('2A37', view);
    expect(result.ok && result.value.measurement).toMatchObject({ heartRate: 72 });
  });

  it('refuses a characteristic it does not decode, naming it', () => {
    const result = decodeCharacteristic('2a9b', Uint8Array.from([0]));
    expect(result).toEqual({
      ok: false,
      error: { code: 'gatt.unknown-characteristic', message: 'Characteristic 0x2A9B is not one Homeward decodes.', details: { field: 'uuid', offset: null, uuid: '0x2A9B' } },
    });
  });

  it('gives no readings at all from a frame that fails after its readings would have been read', () => {
    // A complete blood pressure with a bad time stamp: nothing, not "the pressures without the time".
    const result = decodeCharacteristic('2A35', Uint8Array.from([0x02, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0xe8, 0x07, 0x0d, 0x01, 0x00, 0x00, 0x00]));
    expect(result.ok).toBe(false);
    expect('value' in result).toBe(false);
  });
});

describe('decodeCharacteristic called from untyped JavaScript', () => {
  it('returns a coded error instead of throwing on nonsense arguments', () => {
    const call = decodeCharacteristic as unknown as (...args: unknown[]) => ReturnType<typeof decodeCharacteristic>;
    for (const args of [[undefined, new Uint8Array(1)], ['2A35', undefined], ['2A35', 'not bytes'], [{}, null]]) {
      const result = call(...args);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toMatch(/^gatt\./);
    }
  });
});
