import type { Alert } from '@homeward/domain';
import type { WardHandoverRow, WorklistEntry } from '@homeward/storage';
import { wardOverview } from './ward-overview';

const NOW = new Date('2026-12-03T10:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

const entry = (rule: string, severity: Alert['severity'], state: Alert['state'] = 'open'): WorklistEntry => ({
  alert: { id: `${rule}-${severity}-${state}`, patientId: 'p1', rule, subject: 's', severity, state, ownerId: null, explanation: 'SpO2 90 %. More.', details: {}, latestValue: 90, latestMeasuredAt: hoursAgo(1), openedAt: hoursAgo(1), escalatedAt: state === 'escalated' ? hoursAgo(0.5) : null, escalationDueAt: null, worsenedAt: null, worsenedFrom: null },
  patient: { name: 'Ann Archer', nhsNumber: '9434765919', pathway: 'copd' },
  ownerName: null,
});

const person = (id: string, overrides: Partial<WardHandoverRow>): WardHandoverRow => ({ patientId: id, name: `Patient ${id}`, nhsNumber: '9434765919', pathway: 'copd', carePlan: {}, admittedAt: hoursAgo(24 * 30), dischargedAt: null, dischargeReason: null, lastMeasuredAt: hoursAgo(2), ...overrides });

const review = (reviewBy: string) => ({ thresholdOverrides: [{ vital: 'spo2', thresholds: [], decidedBy: 'c', decidedAt: '2026-11-01T00:00:00Z', reason: 'usual 89 %', reviewBy }] });

describe('wardOverview: the ward at a glance for handover', () => {
  it('counts open alerts by kind and severity and lists the escalated ones', () => {
    const overview = wardOverview([entry('vital-threshold', 'high'), entry('news2-band', 'high', 'escalated'), entry('overdue-reading', 'medium'), entry('low-battery', 'low')], [], NOW);
    expect(overview.openAlerts.clinical).toEqual({ high: 2, medium: 0, 'low-medium': 0, low: 0 });
    expect(overview.openAlerts.silence.medium).toBe(1);
    expect(overview.openAlerts.technical.low).toBe(1);
    expect(overview.escalated).toEqual([{ alertId: 'news2-band-high-escalated', patientId: 'p1', patientName: 'Ann Archer', severity: 'high', explanation: 'SpO2 90 %. More.', escalatedAt: hoursAgo(0.5).toISOString() }]);
  });

  it('lists patients without a reading for 24 hours (the edge included), reviews due within 2 days or overdue, and the last 7 days of admissions and discharges', () => {
    const people = [
      person('quiet', { lastMeasuredAt: hoursAgo(24.01) }),
      person('edge', { lastMeasuredAt: hoursAgo(24) }),
      person('never', { lastMeasuredAt: null, admittedAt: hoursAgo(3) }),
      person('due', { carePlan: review('2026-12-05T00:00:00Z') }),
      person('later', { carePlan: review('2026-12-20T00:00:00Z') }),
      person('overdue', { carePlan: review('2026-12-01T00:00:00Z') }),
      person('gone', { dischargedAt: hoursAgo(48), dischargeReason: 'Recovered', lastMeasuredAt: null }),
    ];
    const overview = wardOverview([], people, NOW);
    expect(overview.noRecentReadings.map((p) => p.patientId)).toEqual(['quiet', 'never']);
    expect(overview.dueForReview).toEqual([
      { patientId: 'due', patientName: 'Patient due', reviewBy: '2026-12-05', overdue: false },
      { patientId: 'overdue', patientName: 'Patient overdue', reviewBy: '2026-12-01', overdue: true },
    ]);
    expect(overview.admissions.map((a) => a.patientId)).toEqual(['never']);
    expect(overview.discharges).toEqual([{ patientId: 'gone', patientName: 'Patient gone', at: hoursAgo(48).toISOString(), reason: 'Recovered' }]);
  });
});
