import { validateSync } from 'class-validator';
import { IsZonedTimestamp, zonedTimestampProblem } from './zoned-timestamp';

const now = () => new Date('2026-11-10T12:00:00Z');

class Probe {
  @IsZonedTimestamp({ now, maxFutureMs: 24 * 3_600_000 })
  at!: unknown;
}

function messages(at: unknown): string[] {
  const probe = Object.assign(new Probe(), { at });
  return validateSync(probe).flatMap((e) => Object.values(e.constraints ?? {}));
}

describe('IsZonedTimestamp', () => {
  it.each(['2026-11-10T09:30:00Z', '2026-11-10T09:30Z', '2026-11-10T09:30:00.123+01:00', '2000-01-01T00:00:00Z', '2026-11-11T11:59:59Z'])('accepts %s', (at) => {
    expect(messages(at)).toEqual([]);
  });

  it.each([
    ['2026-11-10T00:00:00', 'time zone'],
    ['2026-11-10', 'time zone'],
    ['1970-01-01T00:00:00Z', 'before 2000-01-01'],
    ['1900-06-01T00:00:00Z', 'before 2000-01-01'],
    ['9999-12-31T23:59:59Z', 'after 2026-11-11T12:00:00.000Z'],
    ['2026-02-31T00:00:00Z', 'real date'],
    ['2026-11-10T24:00:00Z', 'time zone'],
    [1_700_000_000_000, 'time zone'],
    ['yesterday', 'time zone'],
  ])('refuses %s, naming the field', (at, reason) => {
    const [message] = messages(at);
    expect(message).toMatch(/^at /);
    expect(message).toContain(reason);
  });

  it('reads the range from its options', () => {
    expect(zonedTimestampProblem('2010-01-01T00:00:00Z', { notBefore: '2020-01-01T00:00:00Z', now })).toContain('before 2020');
    expect(zonedTimestampProblem('2026-11-10T12:00:00Z', { now })).toBeUndefined();
  });
});
