import { CHARACTERISTICS, CHARACTERISTIC_KEYS, GATT_UUID, characteristicKeyForUuid, formatUuid16, parseCharacteristicUuid } from './characteristic-uuid';

describe('parseCharacteristicUuid', () => {
  it.each(['2A35', '2a35', '0x2a35', '0X2A35', ' 2A35 ', '00002a35', '00002a35-0000-1000-8000-00805f9b34fb', '00002A35-0000-1000-8000-00805F9B34FB', '00002a3500001000800000805f9b34fb'])(
    'reads %p as 0x2A35',
    (text) => {
      expect(parseCharacteristicUuid(text)).toEqual({ ok: true, value: 0x2a35 });
    },
  );

  it.each([
    ['', 'not hexadecimal'],
    ['2A3G', 'not hexadecimal'],
    ['2A3', 'neither 4, 8 nor 32'],
    ['12342a35', 'outside the 16-bit range'],
    ['00002a35-0000-1000-8000-00805f9b34fc', 'Bluetooth Base UUID'],
    ['6e400003-b5a3-f393-e0a9-e50e24dcca9e', 'Bluetooth Base UUID'],
  ])('rejects %p', (text, why) => {
    const parsed = parseCharacteristicUuid(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe('gatt.invalid-uuid');
      expect(parsed.error.message).toContain(why);
      expect(parsed.error.details).toMatchObject({ field: 'uuid', offset: null });
    }
  });
});

describe('the characteristic catalogue', () => {
  it('has one entry per UUID, each findable by its UUID', () => {
    expect(CHARACTERISTIC_KEYS).toHaveLength(Object.keys(GATT_UUID).length);
    for (const key of CHARACTERISTIC_KEYS) expect(characteristicKeyForUuid(CHARACTERISTICS[key].uuid)).toBe(key);
  });

  it('formats 16-bit UUIDs the way the specs write them', () => {
    expect(formatUuid16(0x2a35)).toBe('0x2A35');
    expect(formatUuid16(0x180)).toBe('0x0180');
  });
});
