import { formatDuration, formatEscalationClock, formatNhsNumber, formatValue, formatWaiting, formatWorsened } from './format';

describe('formatting for the worklist', () => {
  it('says how long an alert has waited, in the coarsest unit that still moves', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42_900)).toBe('42 s');
    expect(formatDuration(7 * 60_000 + 59_000)).toBe('7 min');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 05 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000)).toBe('3 d 4 h');
    expect(formatDuration(-5_000)).toBe('0 s'); // a clock a little ahead of ours is not negative time
  });

  it('counts waiting time from when the alert opened', () => {
    const now = Date.parse('2026-11-22T08:30:00Z');
    expect(formatWaiting('2026-11-22T08:17:30Z', now)).toBe('12 min');
    expect(formatWaiting('2026-11-21T06:00:00Z', now)).toBe('1 d 2 h');
  });

  it('says in words that an alert worsened, from which severity and how long ago; nothing when it has not', () => {
    const now = Date.parse('2026-11-22T08:30:00Z');
    expect(formatWorsened({ worsenedAt: '2026-11-22T08:26:00Z', worsenedFrom: 'low-medium' }, now)).toBe('Worsened from low–medium, 4 min ago');
    expect(formatWorsened({ worsenedAt: null, worsenedFrom: null }, now)).toBeNull();
  });

  it('shows the escalation clock counting down, then overdue, and nothing without a timer', () => {
    const now = Date.parse('2026-11-22T08:30:00Z');
    expect(formatEscalationClock('2026-11-22T08:42:00Z', now)).toEqual({ text: 'escalates in 12 min', overdue: false });
    expect(formatEscalationClock('2026-11-22T08:27:00Z', now)).toEqual({ text: 'escalation overdue by 3 min', overdue: true });
    expect(formatEscalationClock(null, now)).toBeNull();
  });

  it('writes NHS numbers 3-3-4 and values with the units people read', () => {
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
    expect(formatNhsNumber('12345')).toBe('12345');
    expect(formatValue(88, '%')).toBe('88 %');
    expect(formatValue(120, 'mm[Hg]')).toBe('120 mmHg');
    expect(formatValue(37.25, 'Cel')).toBe('37.3 °C');
  });
});
