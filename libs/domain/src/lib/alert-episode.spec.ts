import { type AlertFinding, TECHNICAL_REFRESH_MS } from './alert-decision';
import { AlertEpisodeLedger, type EpisodeFinding, type RecordedAlertAction, TECHNICAL_EVIDENCE_IDS_KEPT } from './alert-episode';

const at = (hhmm: string) => new Date(`2026-04-01T${hhmm}:00.000Z`);
const episode = { patientId: 'p1', rule: 'vital-threshold', subject: 'spo2:at-or-below' };
const finding = (id: string, hhmm: string, severity: AlertFinding['severity'], value: number): EpisodeFinding => ({
  ...episode,
  severity,
  readingIds: [id],
  measuredAt: at(hhmm),
  evidenceReceivedAt: at(hhmm),
  explanation: `SpO2 ${value} %`,
  details: { value },
  latestValue: value,
  escalationDueAt: null,
  nextReminderAt: null,
});
const action = (kind: RecordedAlertAction['action'], hhmm: string, outcome: string | null = null): RecordedAlertAction => ({ ...episode, action: kind, at: at(hhmm), outcome, alertId: 'live-1' });

describe('AlertEpisodeLedger (the engine’s decisions, in memory, with recorded actions between moments)', () => {
  it('updates an open alert, re-opens an acknowledged one on a worse finding, and after a resolution raises a new alert', () => {
    const ledger = new AlertEpisodeLedger();
    expect(ledger.raise(finding('1', '08:00', 'medium', 93), at('08:01')).kind).toBe('raised');
    expect(ledger.raise(finding('2', '09:00', 'medium', 92), at('09:01')).kind).toBe('repeated');
    expect(ledger.act(action('acknowledge', '09:10')).kind).toBe('action-applied');
    expect(ledger.raise(finding('3', '10:00', 'high', 89), at('10:01')).kind).toBe('worsened');
    expect(ledger.act(action('resolve', '10:30', 'contacted-patient')).kind).toBe('action-applied');
    // The evidence the nurse had in front of them does not reopen it; later evidence is a new alert.
    expect(ledger.raise(finding('3', '10:00', 'high', 89), at('10:40')).kind).toBe('already-resolved');
    expect(ledger.raise(finding('4', '11:00', 'medium', 93), at('11:01')).kind).toBe('raised');
    const [first, second] = ledger.alerts();
    expect(first).toMatchObject({
      state: 'resolved',
      severity: 'high',
      occurrences: 3,
      readingIds: ['1', '2', '3'],
      openedAt: at('08:01'),
      acknowledgedAt: at('09:10'),
      resolvedAt: at('10:30'),
      outcome: 'contacted-patient',
      worsenedFrom: 'medium',
      severityHistory: [{ at: at('08:01'), severity: 'medium' }, { at: at('10:01'), severity: 'high' }],
      actedOnAs: ['live-1'],
    });
    expect(second).toMatchObject({ state: 'open', severity: 'medium', readingIds: ['4'], openedAt: at('11:01') });
  });

  it('keeps every reading behind a clinical alert, and only the latest TECHNICAL_EVIDENCE_IDS_KEPT behind a technical one', () => {
    const page = (first: number, technical: boolean): EpisodeFinding => ({
      ...finding(String(first), '08:00', 'low', 1),
      subject: technical ? 'late-delivery:hub' : 'spo2:at-or-below',
      readingIds: Array.from({ length: 150 }, (_, i) => String(first + i)),
      details: technical ? { technical: true, deviceId: 'd-1' } : { value: 1 },
    });
    for (const technical of [false, true]) {
      const ledger = new AlertEpisodeLedger();
      for (let p = 0; p < 4; p += 1) ledger.raise({ ...page(1 + p * 150, technical), measuredAt: at(`0${8 + p}:00`) }, at(`0${8 + p}:01`));
      const [alert] = ledger.alerts();
      expect(alert?.occurrences).toBe(4);
      const ids = alert?.readingIds ?? [];
      expect(ids.length).toBe(technical ? TECHNICAL_EVIDENCE_IDS_KEPT : 600);
      expect(ids[ids.length - 1]).toBe('600');
      expect(ids[0]).toBe(technical ? String(600 - TECHNICAL_EVIDENCE_IDS_KEPT + 1) : '1');
    }
  });

  it('takes more of a device problem in at most every TECHNICAL_REFRESH_MS, counted from its last evidence, as AlertRepository does', () => {
    const ledger = new AlertEpisodeLedger();
    // Measured at hhmm the day before, received now: late.
    const late = (id: string, hhmm: string): EpisodeFinding => ({ ...finding(id, hhmm, 'low', 1), measuredAt: new Date(at(hhmm).getTime() - 86_400_000), subject: 'late-delivery:hub', details: { technical: true, deviceId: 'hub', readings: Number(id) } });
    expect(ledger.raise(late('1', '08:00'), at('08:00')).kind).toBe('raised');
    expect(ledger.raise(late('2', '08:01'), at('08:01')).kind).toBe('unchanged');
    expect(ledger.raise(late('3', '08:04'), new Date(at('08:00').getTime() + TECHNICAL_REFRESH_MS - 1)).kind).toBe('unchanged');
    expect(ledger.raise(late('4', '08:05'), at('08:05')).kind).toBe('repeated');
    expect(ledger.raise(late('5', '08:09'), at('08:09')).kind).toBe('unchanged');
    // A clinical alert takes every finding in.
    expect(ledger.raise(finding('6', '08:09', 'medium', 93), at('08:09')).kind).toBe('raised');
    expect(ledger.raise(finding('7', '08:10', 'medium', 92), at('08:10')).kind).toBe('repeated');
    const [device, clinical] = ledger.alerts();
    expect(device).toMatchObject({ occurrences: 2, readingIds: ['1', '4'], details: { technical: true, deviceId: 'hub', readings: 4 }, evidenceTakenAt: at('08:05') });
    expect(clinical).toMatchObject({ occurrences: 2, evidenceTakenAt: at('08:10') });
  });

  it('raises nothing while a suppression is in force, and again once it is lifted', () => {
    const ledger = new AlertEpisodeLedger([{ patientId: 'p1', rule: 'vital-threshold', subject: null, startsAt: at('07:00'), expiresAt: at('12:00'), liftedAt: at('09:30') }]);
    expect(ledger.raise(finding('1', '08:00', 'high', 89), at('08:01')).kind).toBe('suppressed');
    expect(ledger.raise(finding('2', '10:00', 'high', 89), at('10:01')).kind).toBe('raised');
  });

  it('counts an action with no unresolved alert of its episode, or one the state machine refuses, as unmatched', () => {
    const ledger = new AlertEpisodeLedger();
    expect(ledger.act(action('resolve', '08:00', 'false-alarm')).kind).toBe('action-unmatched');
    ledger.raise(finding('1', '08:00', 'medium', 93), at('08:01'));
    ledger.act(action('acknowledge', '08:10'));
    expect(ledger.act(action('acknowledge', '08:20')).kind).toBe('action-unmatched');
    expect(ledger.alerts()[0]?.acknowledgedAt).toEqual(at('08:10'));
  });
});

describe('AlertEpisodeLedger: the engine resolving what cleared, and alerts carried into a replay', () => {
  it('resolves a cleared episode with outcome reading-received; the same evidence then does not reopen it, later evidence raises anew', () => {
    const ledger = new AlertEpisodeLedger();
    ledger.raise(finding('1', '08:00', 'medium', 93), at('08:01'));
    expect(ledger.resolveCleared(episode, at('09:00'))).toMatchObject({ state: 'resolved', resolvedAt: at('09:00'), outcome: 'reading-received' });
    expect(ledger.unresolvedAlerts()).toEqual([]);
    expect(ledger.resolveCleared(episode, at('09:30'))).toBeUndefined();
    expect(ledger.raise(finding('1', '08:00', 'medium', 93), at('09:40')).kind).toBe('already-resolved');
    expect(ledger.raise(finding('2', '10:00', 'medium', 92), at('10:01')).kind).toBe('raised');
  });

  it('updates a carried-in alert instead of raising one, and refuses to carry a resolved one', () => {
    const ledger = new AlertEpisodeLedger();
    ledger.raise(finding('1', '08:00', 'medium', 93), at('08:01'));
    const [carried] = ledger.alerts();
    const fresh = new AlertEpisodeLedger();
    fresh.carry({ ...(carried as NonNullable<typeof carried>), state: 'acknowledged', acknowledgedAt: at('08:30') });
    expect(fresh.raise(finding('2', '09:00', 'medium', 92), at('09:01')).kind).toBe('repeated');
    expect(fresh.alerts()).toHaveLength(1);
    expect(fresh.alerts()[0]).toMatchObject({ state: 'acknowledged', occurrences: 2, readingIds: ['1', '2'], openedAt: at('08:01') });
    expect(() => fresh.carry({ ...(carried as NonNullable<typeof carried>), state: 'resolved' })).toThrow(RangeError);
  });
});
