import type { BacktestCatch } from '@homeward/contracts';
import { backtestRange, catchCounts, catchVerdict, defaultBacktestDates, readingsFilter, readingsLink, sideBySide } from './backtest';

const NOW = Date.parse('2026-12-03T13:30:00Z');
const past = (over: Partial<BacktestCatch>): BacktestCatch => ({
  alertId: 'a1',
  patientId: 'p1',
  rule: 'vital-threshold',
  outcome: 'visit-arranged',
  liveFirstMeasuredAt: '2026-11-20T08:00:00.000Z',
  currentAt: '2026-11-20T08:00:00.000Z',
  proposedAt: '2026-11-20T08:00:00.000Z',
  shiftHours: 0,
  ...over,
});

describe('backtest page logic', () => {
  it('defaults to the last 30 days and asks for [first midnight, end of the last day) cut at now', () => {
    expect(defaultBacktestDates(NOW)).toEqual({ from: '2026-11-03', to: '2026-12-03' });
    expect(backtestRange('2026-11-03', '2026-12-03', NOW)).toEqual({ from: '2026-11-03T00:00:00.000Z', to: '2026-12-03T13:30:00.000Z' });
    expect(backtestRange('2026-11-01', '2026-11-30', NOW)).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
    expect(backtestRange('2026-11-05', '2026-11-04', NOW)).toBeNull();
    expect(backtestRange('', '2026-11-04', NOW)).toBeNull();
  });

  it('puts both plans side by side, a key only one plan has showing null for the other', () => {
    const rows = sideBySide([{ key: 'news2-band', count: 2, perPatientDay: 0.1 }], [{ key: 'vital-threshold', count: 5, perPatientDay: 0.25 }, { key: 'news2-band', count: 2, perPatientDay: 0.1 }]);
    expect(rows.map((r) => [r.key, r.current?.count ?? null, r.proposed?.count ?? null])).toEqual([
      ['news2-band', 2, 2],
      ['vital-threshold', null, 5],
    ]);
  });

  it('says whether the proposed plan catches a past actioned alert earlier, later, the same, only, or misses it', () => {
    expect(catchVerdict(past({ proposedAt: '2026-11-19T20:00:00.000Z', shiftHours: -12 }))).toEqual({ kind: 'earlier', text: 'Caught 12 h earlier' });
    expect(catchVerdict(past({ proposedAt: '2026-11-20T11:30:00.000Z', shiftHours: 3.5 }))).toEqual({ kind: 'later', text: 'Caught 3.5 h later' });
    expect(catchVerdict(past({}))).toEqual({ kind: 'same', text: 'Caught at the same time' });
    expect(catchVerdict(past({ proposedAt: null, shiftHours: null })).kind).toBe('missed');
    expect(catchVerdict(past({ currentAt: null, shiftHours: null })).kind).toBe('new');
    expect(catchVerdict(past({ currentAt: null, proposedAt: null, shiftHours: null })).kind).toBe('neither');
    expect(catchCounts([past({ proposedAt: null, shiftHours: null }), past({ shiftHours: -2 }), past({ shiftHours: -1 })])).toEqual({ earlier: 2, later: 0, same: 0, missed: 1, new: 0, neither: 0 });
  });

  it('links a finding to its readings, and reads the link back (refusing a malformed id list)', () => {
    const link = readingsLink('p1', { readingIds: ['12', '15'], at: '2026-11-20T08:00:00.000Z' });
    expect(link).toBe('/patients/p1?readings=12,15&at=2026-11-20T08%3A00%3A00.000Z');
    expect(readingsFilter(link.slice(link.indexOf('?')))).toEqual({ ids: ['12', '15'], at: '2026-11-20T08:00:00.000Z' });
    expect(readingsFilter('?readings=12;drop')).toBeNull();
    expect(readingsFilter('?range=day')).toBeNull();
    expect(readingsFilter('?readings=7&at=yesterday')).toEqual({ ids: ['7'], at: null });
  });
});
