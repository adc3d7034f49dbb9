import type { AlertDto, WorklistItem } from '@homeward/contracts';
import { applyAlertEvent, mergeFetchedWorklist, replaceWorklist } from './worklist';

function item(id: string, severity: AlertDto['severity'], openedAt: string, changes: Partial<AlertDto> = {}): WorklistItem {
  const alert = {
    id,
    patientId: 'p1',
    wardId: 'w1',
    rule: 'vital-threshold',
    subject: 'spo2:at-or-below',
    severity,
    state: 'open',
    ownerId: null,
    explanation: `alert ${id}`,
    details: {},
    latestValue: 88,
    firstMeasuredAt: openedAt,
    latestMeasuredAt: openedAt,
    occurrences: 1,
    readingIds: [],
    openedAt,
    updatedAt: openedAt,
    acknowledgedAt: null,
    escalatedAt: null,
    resolvedAt: null,
    outcome: null,
    escalationDueAt: null,
    nextReminderAt: null,
    reminders: 0,
    ...changes,
  } as AlertDto;
  return { alert, patient: { id: 'p1', name: 'Ada Lovelace', nhsNumber: '9434765919' }, waitingMinutes: 0 };
}

const ids = (items: readonly WorklistItem[]) => items.map((i) => i.alert.id);

describe('merging live stream events into the worklist', () => {
  const low = item('low', 'low', '2026-11-22T08:00:00Z');
  const mediumNew = item('medium-new', 'medium', '2026-11-22T08:20:00Z');
  const mediumOld = item('medium-old', 'medium', '2026-11-22T08:10:00Z');

  it('orders most severe first, then longest waiting', () => {
    expect(ids(replaceWorklist([low, mediumNew, mediumOld]))).toEqual(['medium-old', 'medium-new', 'low']);
  });

  it('adds a new alert in its place without a refetch', () => {
    const high = item('high', 'high', '2026-11-22T08:25:00Z');
    expect(ids(applyAlertEvent([mediumOld, low], high))).toEqual(['high', 'medium-old', 'low']);
  });

  it('replaces a changed alert (acknowledged, or escalated to a higher severity) and re-orders', () => {
    const raised = item('low', 'high', '2026-11-22T08:00:00Z', { updatedAt: '2026-11-22T08:30:00Z', occurrences: 2 });
    const merged = applyAlertEvent([mediumOld, low], raised);
    expect(ids(merged)).toEqual(['low', 'medium-old']);
    expect(merged[0]?.alert.occurrences).toBe(2);
    expect(merged).toHaveLength(2);
  });

  it('removes a resolved alert', () => {
    const resolved = item('medium-old', 'medium', '2026-11-22T08:10:00Z', { state: 'resolved', updatedAt: '2026-11-22T08:40:00Z' });
    expect(ids(applyAlertEvent([mediumOld, low], resolved))).toEqual(['low']);
    expect(ids(applyAlertEvent([low], resolved))).toEqual(['low']); // resolved before we saw it: nothing to add
  });

  it('ignores an event older than the copy shown (a late delivery after a reconnect)', () => {
    const acknowledged = item('low', 'low', '2026-11-22T08:00:00Z', { state: 'acknowledged', updatedAt: '2026-11-22T08:35:00Z' });
    const stale = item('low', 'low', '2026-11-22T08:00:00Z', { state: 'open', updatedAt: '2026-11-22T08:01:00Z' });
    expect(applyAlertEvent([acknowledged], stale)[0]?.alert.state).toBe('acknowledged');
  });

  it('does not change the array it was given', () => {
    const before = [mediumOld, low];
    applyAlertEvent(before, item('x', 'high', '2026-11-22T08:00:00Z'));
    expect(ids(before)).toEqual(['medium-old', 'low']);
  });

  it('keeps stream events that arrived while a refetch was in flight', () => {
    const fetchedBeforeTheEvent = [mediumOld]; // the GET was answered before `high` was raised
    const high = item('high', 'high', '2026-11-22T08:25:00Z');
    const resolvedOld = item('medium-old', 'medium', '2026-11-22T08:10:00Z', { state: 'resolved', updatedAt: '2026-11-22T08:41:00Z' });
    expect(ids(mergeFetchedWorklist(fetchedBeforeTheEvent, [high, resolvedOld]))).toEqual(['high']);
    expect(ids(mergeFetchedWorklist([low, mediumNew], []))).toEqual(['medium-new', 'low']);
  });
});
