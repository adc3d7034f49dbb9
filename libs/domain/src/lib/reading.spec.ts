import { buildReading, checkPlausible, readingIdempotencyKey, type ReadingInput } from './reading';

const base: ReadingInput = {
  patientId: 'p-1',
  deviceId: 'd-1',
  vital: 'spo2',
  value: 96,
  unit: '%',
  measuredAt: new Date('2026-03-01T09:00:05Z'),
  deviceTime: new Date('2026-03-01T09:00:00Z'),
  receivedAt: new Date('2026-03-01T09:00:07Z'),
  source: 'mqtt',
};

describe('buildReading', () => {
  it('builds a reading in canonical units with its idempotency key', () => {
    const result = buildReading({ ...base, vital: 'systolic_bp', value: 16, unit: 'kPa', status: ['irregular-pulse', 'irregular-pulse'] });
    expect(result).toEqual({
      ok: true,
      value: {
        ...base,
        vital: 'systolic_bp',
        value: 120,
        unit: 'mm[Hg]',
        status: ['irregular-pulse'],
        idempotencyKey: 'device:d-1|systolic_bp|2026-03-01T09:00:00.000Z|120',
      },
    });
  });

  it.each([
    ['spo2', 101, '%'],
    ['spo2', 39.9, '%'],
    ['body_weight', 0, 'kg'],
    ['body_weight', 1.99, 'kg'],
    ['systolic_bp', 400, 'mm[Hg]'],
    ['systolic_bp', 301, 'mm[Hg]'],
    ['body_temperature', 114, '[degF]'], // 45.6 °C
    ['heart_rate', 19, '/min'],
    ['news2_score', 21, '{score}'],
  ] as const)('rejects an implausible %s of %p %s', (vital, value, unit) => {
    const result = buildReading({ ...base, vital, value, unit });
    expect(result).toMatchObject({ ok: false, error: { code: 'reading.implausible' } });
    expect(!result.ok && result.error.message).toMatch(/outside the plausible range/);
  });

  it.each([
    ['spo2', 100],
    ['spo2', 40],
    ['systolic_bp', 300],
    ['systolic_bp', 40],
    ['body_weight', 2],
    ['body_weight', 650],
    ['news2_score', 0],
    ['news2_score', 20],
  ] as const)('accepts %s at the plausibility edge %p', (vital, value) => {
    expect(checkPlausible(vital, value)).toBeNull();
  });

  it('rejects an unknown vital, a non-finite value and an invalid time, each with its own code', () => {
    expect(buildReading({ ...base, vital: 'mood' })).toMatchObject({ ok: false, error: { code: 'reading.unknown-vital' } });
    expect(buildReading({ ...base, value: Number.NaN })).toMatchObject({ ok: false, error: { code: 'reading.not-a-number' } });
    expect(buildReading({ ...base, value: Number.POSITIVE_INFINITY })).toMatchObject({ ok: false, error: { code: 'reading.not-a-number' } });
    expect(buildReading({ ...base, measuredAt: new Date('nonsense') })).toMatchObject({
      ok: false,
      error: { code: 'reading.invalid-time', details: { field: 'measuredAt' } },
    });
    expect(buildReading({ ...base, unit: 'mmHg' })).toMatchObject({ ok: false, error: { code: 'unit.unsupported' } });
  });
});

describe('readingIdempotencyKey (PHD IG duplicate detection)', () => {
  const reading = { patientId: 'p-1', deviceId: 'd-1', vital: 'spo2' as const, deviceTime: base.deviceTime, measuredAt: base.measuredAt, value: 96 };

  it('is the same for a redelivery whose clock correction came out differently', () => {
    expect(readingIdempotencyKey({ ...reading, measuredAt: new Date('2026-03-01T09:00:09Z') })).toBe(readingIdempotencyKey(reading));
  });

  it('differs by device, vital, device time or value', () => {
    const key = readingIdempotencyKey(reading);
    expect(readingIdempotencyKey({ ...reading, deviceId: 'd-2' })).not.toBe(key);
    expect(readingIdempotencyKey({ ...reading, vital: 'heart_rate' })).not.toBe(key);
    expect(readingIdempotencyKey({ ...reading, deviceTime: new Date('2026-03-01T09:00:01Z') })).not.toBe(key);
    expect(readingIdempotencyKey({ ...reading, value: 95 })).not.toBe(key);
  });

  it('keys a reading typed in by hand on the patient and its measurement time', () => {
    expect(readingIdempotencyKey({ ...reading, deviceId: null, deviceTime: null })).toBe('patient:p-1|spo2|2026-03-01T09:00:05.000Z|96');
  });

  describe('a reading without a device time', () => {
    const clockless = { ...reading, deviceTime: null };
    const redelivered = { ...clockless, measuredAt: new Date('2026-03-01T09:40:00Z') }; // placed at a later receipt

    it('is keyed on its message identity, so a redelivery received later has the same key', () => {
      const key = readingIdempotencyKey(clockless, { messageId: 'm-17', index: 1 });
      expect(key).toBe('device:d-1|spo2|message:m-17#1|96');
      expect(readingIdempotencyKey(redelivered, { messageId: 'm-17', index: 1 })).toBe(key);
    });

    it('differs by message and by position in the message', () => {
      const key = readingIdempotencyKey(clockless, { messageId: 'm-17', index: 1 });
      expect(readingIdempotencyKey(clockless, { messageId: 'm-18', index: 1 })).not.toBe(key);
      expect(readingIdempotencyKey(clockless, { messageId: 'm-17', index: 2 })).not.toBe(key);
    });

    it('encodes the message id, so a "|" in it keeps the key in four parts', () => {
      expect(readingIdempotencyKey(clockless, { messageId: 'a|b c', index: 0 }).split('|')).toEqual(['device:d-1', 'spo2', 'message:a%7Cb%20c#0', '96']);
    });

    it('without a message identity keeps today\'s key on its measurement (receipt) time: a later redelivery is a new reading', () => {
      expect(readingIdempotencyKey(clockless)).toBe('device:d-1|spo2|2026-03-01T09:00:05.000Z|96');
      expect(readingIdempotencyKey(redelivered)).not.toBe(readingIdempotencyKey(clockless));
    });

    it('is ignored when the reading has a device time (the PHD IG key stays)', () => {
      expect(readingIdempotencyKey(reading, { messageId: 'm-17', index: 1 })).toBe(readingIdempotencyKey(reading));
    });

    it('reaches the key through buildReading', () => {
      const built = buildReading({ ...base, deviceTime: null, message: { messageId: 'hub-q-1', index: 0 } });
      expect(built.ok && built.value.idempotencyKey).toBe('device:d-1|spo2|message:hub-q-1#0|96');
    });
  });
});
