import { parseHex, runDecodeCommand } from './decode-command';

describe('runDecodeCommand (homeward decode <uuid> <hex>)', () => {
  it('prints the characteristic, its measurement and its readings with LOINC codes and device time', () => {
    // Blood Pressure Measurement, mmHg, time stamp and pulse rate present.
    const result = runDecodeCommand('2A35', '06 7800 5000 5D00 E807030F081E00 4800');
    expect(result.exitCode).toBe(0);
    expect(result.output).toEqual({
      characteristic: 'blood-pressure-measurement',
      measurement: {
        unit: 'mmHg',
        systolic: 120,
        diastolic: 80,
        meanArterialPressure: 93,
        timestamp: { year: 2024, month: 3, day: 15, hours: 8, minutes: 30, seconds: 0 },
        pulseRate: 72,
        userId: null,
        status: null,
      },
      readings: [
        { vital: 'systolic_bp', loinc: '8480-6', value: 120, unit: 'mm[Hg]', measuredAt: '2024-03-15T08:30:00.000Z', status: [] },
        { vital: 'diastolic_bp', loinc: '8462-4', value: 80, unit: 'mm[Hg]', measuredAt: '2024-03-15T08:30:00.000Z', status: [] },
        { vital: 'mean_arterial_pressure', loinc: '8478-0', value: 93, unit: 'mm[Hg]', measuredAt: '2024-03-15T08:30:00.000Z', status: [] },
        { vital: 'heart_rate', loinc: '8867-4', value: 72, unit: '/min', measuredAt: '2024-03-15T08:30:00.000Z', status: [] },
      ],
    });
  });

  it('gives measuredAt null when the frame has no time, and accepts the 128-bit UUID', () => {
    const result = runDecodeCommand('00002a37-0000-1000-8000-00805f9b34fb', '0048');
    expect(result).toEqual({
      exitCode: 0,
      output: {
        characteristic: 'heart-rate-measurement',
        measurement: { heartRate: 72, valueFormat: 'uint8', sensorContact: 'not-supported', energyExpended: null, rrIntervals: null },
        readings: [{ vital: 'heart_rate', loinc: '8867-4', value: 72, unit: '/min', measuredAt: null, status: [] }],
      },
    });
  });

  it('prints only the three documented keys, and is JSON all the way down', () => {
    const result = runDecodeCommand('0x2a5e', '00 6200 4800');
    expect(Object.keys(result.output)).toEqual(['characteristic', 'measurement', 'readings']);
    expect(JSON.parse(JSON.stringify(result.output))).toEqual(result.output);
  });

  it.each([
    ['a truncated frame', '2A35', '02 7800 5000 5D00', 'gatt.truncated', 7],
    ['trailing bytes', '2A19', '64 00', 'gatt.trailing-bytes', 1],
    ['an invalid date', '2A35', '02 7800 5000 5D00 E8070D0F081E00', 'gatt.invalid-date-time', 9],
    ['an unknown characteristic', '2A00', '00', 'gatt.unknown-characteristic', null],
    ['a malformed UUID', 'heart', '00', 'gatt.invalid-uuid', null],
    ['a non-hex digit', '2A19', '6G', 'gatt.invalid-hex', 0],
    ['an odd number of digits', '2A19', '640', 'gatt.invalid-hex', 1],
  ])('exits 1 with { error: { code, message, offset } } for %s', (_name, uuid, hex, code, offset) => {
    const result = runDecodeCommand(uuid, hex);
    expect(result.exitCode).toBe(1);
    expect(result.output).toEqual({ error: { code, message: expect.any(String), offset } });
  });
});

describe('parseHex', () => {
  it('accepts spaces, newlines, tabs and a leading 0x', () => {
    expect(parseHex(' 0x1e 78\n00\t5d ')).toEqual({ ok: true, value: Uint8Array.from([0x1e, 0x78, 0x00, 0x5d]) });
    expect(parseHex('')).toEqual({ ok: true, value: new Uint8Array(0) });
  });
});
