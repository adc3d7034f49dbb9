import type { Alert, AlertSeverityBand, AlertState } from '@homeward/domain';
import type { WorklistEntry } from '@homeward/storage';
import { patientWorklist } from './patient-worklist';

const NOW = new Date('2026-12-03T10:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
let n = 0;

function entry(patient: string, severity: AlertSeverityBand, options: { rule?: string; subject?: string; state?: AlertState; openedMinutesAgo?: number; ownerId?: string; pathway?: 'copd' | 'heart-failure'; worsened?: boolean; value?: number; details?: Record<string, unknown> } = {}): WorklistEntry {
  n += 1;
  const alert: Alert = {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    patientId: `p-${patient}`,
    wardId: 'w',
    rule: options.rule ?? 'vital-threshold',
    subject: options.subject ?? 'spo2:at-or-below',
    severity,
    state: options.state ?? 'open',
    ownerId: options.ownerId ?? null,
    explanation: `${patient} ${severity}`,
    details: options.details ?? { vital: 'spo2' },
    latestValue: options.value ?? 90,
    firstMeasuredAt: minutesAgo((options.openedMinutesAgo ?? 10) + 1),
    latestMeasuredAt: minutesAgo((options.openedMinutesAgo ?? 10) + 1),
    occurrences: 1,
    readingIds: [],
    openedAt: minutesAgo(options.openedMinutesAgo ?? 10),
    updatedAt: minutesAgo(options.openedMinutesAgo ?? 10),
    evidenceTakenAt: minutesAgo(options.openedMinutesAgo ?? 10),
    acknowledgedAt: null,
    escalatedAt: options.state === 'escalated' ? NOW : null,
    resolvedAt: null,
    outcome: null,
    escalationDueAt: null,
    nextReminderAt: null,
    reminders: 0,
    worsenedAt: options.worsened ? NOW : null,
    worsenedFrom: options.worsened ? 'medium' : null,
  };
  const names: Record<string, [string, string]> = { ann: ['Ann Archer', '9434765919'], bob: ['Bob Baker', '9434765870'], cat: ['Cat Cole', '9434765862'] };
  const [name, nhsNumber] = names[patient] ?? [patient, '0000000000'];
  return { alert, patient: { name, nhsNumber, pathway: options.pathway ?? 'heart-failure' }, ownerName: options.ownerId ? 'Nurse Nell' : null };
}

describe('patientWorklist: the worklist by patient', () => {
  const ward = [
    entry('ann', 'medium', { openedMinutesAgo: 50 }),
    entry('ann', 'high', { openedMinutesAgo: 5, rule: 'news2-band', subject: 'news2', value: 7, details: { score: 7 } }),
    entry('ann', 'low', { rule: 'hub-offline', subject: 'hub', details: {} }),
    entry('bob', 'medium', { openedMinutesAgo: 90, state: 'escalated', pathway: 'copd' }),
    entry('cat', 'low', { openedMinutesAgo: 200, ownerId: 'me', worsened: true, rule: 'weight-gain', subject: 'body_weight:gain', details: { latestKg: 81 }, value: 81 }),
  ];

  it('one row per patient at the highest severity, the alerts behind it most severe first, waiting since the oldest', () => {
    const page = patientWorklist(ward, {}, 'me', NOW);
    expect(page.rows.map((r) => [r.patient.name, r.severity, r.alerts.length])).toEqual([
      ['Ann Archer', 'high', 3],
      ['Bob Baker', 'medium', 1],
      ['Cat Cole', 'low', 1],
    ]);
    const ann = page.rows[0];
    expect(ann?.alerts.map((a) => a.severity)).toEqual(['high', 'medium', 'low']);
    expect(ann?.alerts[0]).toMatchObject({ vital: 'news2_score', value: 7, unit: '{score}', measuredAt: minutesAgo(6).toISOString() });
    expect(ann?.alerts[1]).toMatchObject({ vital: 'spo2', value: 90, unit: '%' });
    expect(ann?.waitingMinutes).toBe(50);
    expect(page).toMatchObject({ total: 3, alertTotal: 5, page: 1, pages: 1, counts: { high: 1, medium: 1, 'low-medium': 0, low: 1 } });
  });

  it('labels escalated and worsened rows, and names the assignee', () => {
    const rows = patientWorklist(ward, {}, 'me', NOW).rows;
    expect(rows.find((r) => r.patient.name === 'Bob Baker')).toMatchObject({ escalated: true, worsened: false });
    expect(rows.find((r) => r.patient.name === 'Cat Cole')).toMatchObject({ escalated: false, worsened: true, assignees: [{ id: 'me', displayName: 'Nurse Nell' }] });
    expect(rows.find((r) => r.patient.name === 'Cat Cole')?.alerts[0]).toMatchObject({ vital: 'body_weight', unit: 'kg', value: 81 });
  });

  it('filters by kind, pathway, mine and escalated before grouping: the row takes the highest severity that passes', () => {
    expect(patientWorklist(ward, { kind: 'silence' }, 'me', NOW).rows.map((r) => [r.patient.name, r.severity])).toEqual([['Ann Archer', 'low']]);
    expect(patientWorklist(ward, { kind: 'clinical' }, 'me', NOW).alertTotal).toBe(4);
    expect(patientWorklist(ward, { pathway: 'copd' }, 'me', NOW).rows.map((r) => r.patient.name)).toEqual(['Bob Baker']);
    expect(patientWorklist(ward, { mine: true }, 'me', NOW).rows.map((r) => r.patient.name)).toEqual(['Cat Cole']);
    expect(patientWorklist(ward, { escalated: true }, 'me', NOW).rows.map((r) => r.patient.name)).toEqual(['Bob Baker']);
  });

  it('a severity filter keeps rows by their highest severity; the counts ignore it so every chip keeps its number', () => {
    const page = patientWorklist(ward, { severity: ['medium', 'low'] }, 'me', NOW);
    expect(page.rows.map((r) => r.patient.name)).toEqual(['Bob Baker', 'Cat Cole']);
    expect(page.counts).toEqual({ high: 1, medium: 1, 'low-medium': 0, low: 1 });
    expect(page.total).toBe(2);
  });

  it('searches by any part of the name or by NHS number, with or without spaces', () => {
    expect(patientWorklist(ward, { q: 'bak' }, 'me', NOW).rows.map((r) => r.patient.name)).toEqual(['Bob Baker']);
    expect(patientWorklist(ward, { q: 'ann arch' }, 'me', NOW).rows.map((r) => r.patient.name)).toEqual(['Ann Archer']);
    expect(patientWorklist(ward, { q: '943 476 5862' }, 'me', NOW).rows.map((r) => r.patient.name)).toEqual(['Cat Cole']);
    expect(patientWorklist(ward, { q: 'nobody' }, 'me', NOW).total).toBe(0);
  });

  it('sorts by waiting, last measured or name', () => {
    expect(patientWorklist(ward, { sort: 'waiting' }, 'me', NOW).rows.map((r) => r.patient.name)).toEqual(['Cat Cole', 'Bob Baker', 'Ann Archer']);
    expect(patientWorklist(ward, { sort: 'measured' }, 'me', NOW).rows.map((r) => r.patient.name)).toEqual(['Ann Archer', 'Bob Baker', 'Cat Cole']);
    expect(patientWorklist(ward, { sort: 'name' }, 'me', NOW).rows.map((r) => r.patient.name)).toEqual(['Ann Archer', 'Bob Baker', 'Cat Cole']);
  });

  it('pages without losing anyone: 600 alerts of 200 patients come back whole across pages, with the total', () => {
    const big: WorklistEntry[] = [];
    const bands: AlertSeverityBand[] = ['low', 'low-medium', 'medium', 'high'];
    for (let p = 0; p < 200; p++) for (let a = 0; a < 3; a++) big.push(entry(`patient ${String(p).padStart(3, '0')}`, bands[(p + a) % 4] as AlertSeverityBand, { openedMinutesAgo: p + a }));
    const seen = new Set<string>();
    let alerts = 0;
    for (let page = 1; page <= 8; page++) {
      const answer = patientWorklist(big, { page, pageSize: 25 }, 'me', NOW);
      expect(answer).toMatchObject({ total: 200, alertTotal: 600, pages: 8, page });
      answer.rows.forEach((r) => seen.add(r.patient.id));
      alerts += answer.rows.reduce((s, r) => s + r.alerts.length, 0);
    }
    expect(seen.size).toBe(200);
    expect(alerts).toBe(600);
    expect(patientWorklist(big, { page: 99, pageSize: 25 }, 'me', NOW).page).toBe(8); // past the end: the last page
  });
});
