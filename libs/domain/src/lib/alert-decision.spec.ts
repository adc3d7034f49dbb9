import { ALERT_SEVERITY_BANDS, type AlertSeverityBand, alertSeverityRank } from './alert';
import { type AlertDecision, type AlertDecisionInput, type AlertFinding, TECHNICAL_REFRESH_MS, type UnresolvedAlertSnapshot, decideAlert, explanationAfter } from './alert-decision';

const at = (hhmm: string) => new Date(`2026-04-01T${hhmm}:00.000Z`);
const NOW = at('08:30');

/** An open, medium SpO2 alert from one reading at 08:00 (moderate band), due to escalate at 09:00. */
const openSpo2: UnresolvedAlertSnapshot = {
  state: 'open',
  severity: 'medium',
  readingIds: ['101'],
  latestMeasuredAt: at('08:00'),
  explanation: 'SpO2 93 % is at or below 94 %.',
  details: { value: 93, threshold: 94 },
  latestValue: 93,
  escalationDueAt: at('09:00'),
  nextReminderAt: at('08:45'),
  evidenceTakenAt: at('08:01'),
};
const acknowledgedSpo2: UnresolvedAlertSnapshot = { ...openSpo2, state: 'acknowledged', escalationDueAt: null };

/** The same reading as the alert's, as the engine would propose it again. */
const sameFinding: AlertFinding = {
  severity: 'medium',
  readingIds: ['101'],
  measuredAt: at('08:00'),
  evidenceReceivedAt: at('08:00'),
  explanation: 'SpO2 93 % is at or below 94 %.',
  details: { value: 93, threshold: 94 },
  latestValue: 93,
  escalationDueAt: at('09:30'),
  nextReminderAt: at('09:00'),
};
/** SpO2 90 % at 08:25: the red band (high), whose timers are 15 minutes. */
const redFinding: AlertFinding = {
  ...sameFinding,
  severity: 'high',
  readingIds: ['107'],
  measuredAt: at('08:25'),
  evidenceReceivedAt: at('08:26'),
  explanation: 'SpO2 90 % is at or below 91 %.',
  details: { value: 90, threshold: 91 },
  latestValue: 90,
  escalationDueAt: at('08:45'),
  nextReminderAt: at('08:45'),
};
const nextMediumFinding: AlertFinding = { ...sameFinding, readingIds: ['105'], measuredAt: at('08:20'), evidenceReceivedAt: at('08:21'), explanation: 'SpO2 92 %.', details: { value: 92 }, latestValue: 92 };

/** An open late-delivery alert (a device problem: technical, evidence capped), and the same problem in later readings. */
const lateDelivery = (overrides: Partial<UnresolvedAlertSnapshot>): UnresolvedAlertSnapshot => ({
  state: 'open',
  severity: 'low',
  readingIds: ['301'],
  latestMeasuredAt: at('02:00'),
  explanation: 'Technical: readings arrive late.',
  details: { technical: true, deviceId: 'd-1', worstDelayMinutes: 400, readings: 1 },
  latestValue: null,
  escalationDueAt: null,
  nextReminderAt: null,
  evidenceTakenAt: at('08:00'),
  ...overrides,
});
const lateDeliveryAgain: AlertFinding = {
  severity: 'low',
  readingIds: ['305'],
  measuredAt: at('02:10'),
  evidenceReceivedAt: at('08:29'),
  explanation: 'Technical: readings arrive late.',
  details: { technical: true, deviceId: 'd-1', worstDelayMinutes: 380, readings: 1 },
  latestValue: null,
  escalationDueAt: null,
  nextReminderAt: null,
};

const input = (overrides: Partial<AlertDecisionInput>): AlertDecisionInput => ({
  unresolved: null,
  recentlyResolved: null,
  suppressed: false,
  finding: sameFinding,
  now: NOW,
  ...overrides,
});

const scenarios: ReadonlyArray<[string, AlertDecisionInput, AlertDecision]> = [
  ['a first finding raises an alert', input({}), { kind: 'raise' }],
  ['a suppressed rule raises nothing', input({ suppressed: true, finding: redFinding }), { kind: 'ignore', reason: 'suppressed' }],
  ['a suppressed rule leaves its open alert as it is', input({ suppressed: true, unresolved: openSpo2, finding: redFinding }), { kind: 'ignore', reason: 'suppressed' }],
  [
    'evidence a nurse had when she resolved the episode does not reopen it',
    input({ recentlyResolved: { id: 'a-1', resolvedAt: at('08:00') } }),
    { kind: 'ignore', reason: 'already-resolved' },
  ],
  [
    'evidence that arrived after the episode was resolved raises a new alert',
    input({ recentlyResolved: { id: 'a-1', resolvedAt: at('08:10') }, finding: redFinding }),
    { kind: 'raise' },
  ],
  ['a redelivered reading changes nothing', input({ unresolved: openSpo2 }), { kind: 'ignore', reason: 'no-new-evidence' }],
  [
    'a redelivered reading whose details came back from jsonb in another key order changes nothing',
    input({ unresolved: { ...openSpo2, details: { threshold: 94, value: 93 } } }),
    { kind: 'ignore', reason: 'no-new-evidence' },
  ],
  [
    'a redelivered reading of an acknowledged alert leaves it acknowledged and unchanged',
    input({ unresolved: acknowledgedSpo2 }),
    { kind: 'ignore', reason: 'no-new-evidence' },
  ],
  [
    'a new reading of the same severity repeats the open alert and shows it as the latest',
    input({ unresolved: openSpo2, finding: nextMediumFinding }),
    { kind: 'update', countsAsNew: true, takeLatest: true, newReadingIds: ['105'], severity: 'medium', escalationDueAt: at('09:00'), nextReminderAt: at('08:45') },
  ],
  [
    'a late reading measured earlier counts but does not replace the latest value',
    input({ unresolved: { ...openSpo2, latestMeasuredAt: at('08:20') }, finding: { ...nextMediumFinding, readingIds: ['103'], measuredAt: at('08:10') } }),
    { kind: 'update', countsAsNew: true, takeLatest: false, newReadingIds: ['103'], severity: 'medium', escalationDueAt: at('09:00'), nextReminderAt: at('08:45') },
  ],
  [
    'the latest reading explained anew updates what the alert shows without counting it again',
    input({ unresolved: openSpo2, finding: { ...sameFinding, explanation: 'SpO2 93 % is at or below 94 % (scale 1).' } }),
    { kind: 'update', countsAsNew: false, takeLatest: true, newReadingIds: [], severity: 'medium', escalationDueAt: at('09:00'), nextReminderAt: at('08:45') },
  ],
  [
    'an older reading evaluated again changes nothing, whatever its explanation',
    input({ unresolved: { ...openSpo2, latestMeasuredAt: at('08:20') }, finding: { ...sameFinding, explanation: 'older words' } }),
    { kind: 'ignore', reason: 'no-new-evidence' },
  ],
  [
    'a milder new reading counts but keeps the highest severity the episode reached',
    input({ unresolved: { ...openSpo2, severity: 'high' }, finding: nextMediumFinding }),
    { kind: 'update', countsAsNew: true, takeLatest: true, newReadingIds: ['105'], severity: 'high', escalationDueAt: at('09:00'), nextReminderAt: at('08:45') },
  ],
  [
    'an open SpO2 alert that falls into the red is marked worsened and escalates on the shorter timer',
    input({ unresolved: openSpo2, finding: redFinding }),
    {
      kind: 'update',
      severityRaisedFrom: 'medium',
      worsenedAt: NOW,
      countsAsNew: true,
      takeLatest: true,
      newReadingIds: ['107'],
      severity: 'high',
      escalationDueAt: at('08:45'),
      nextReminderAt: at('08:45'),
    },
  ],
  [
    'an open alert already due to escalate sooner keeps its earlier timer when it worsens',
    input({ unresolved: { ...openSpo2, escalationDueAt: at('08:40') }, finding: redFinding }),
    {
      kind: 'update',
      severityRaisedFrom: 'medium',
      worsenedAt: NOW,
      countsAsNew: true,
      takeLatest: true,
      newReadingIds: ['107'],
      severity: 'high',
      escalationDueAt: at('08:40'),
      nextReminderAt: at('08:45'),
    },
  ],
  [
    'an acknowledged SpO2 alert re-opens when SpO2 falls into the red, on the red timer from now',
    input({ unresolved: acknowledgedSpo2, finding: redFinding }),
    {
      kind: 'reopen-worsened',
      from: 'acknowledged',
      severityRaisedFrom: 'medium',
      worsenedAt: NOW,
      countsAsNew: true,
      takeLatest: true,
      newReadingIds: ['107'],
      severity: 'high',
      escalationDueAt: at('08:45'),
      nextReminderAt: at('08:45'),
    },
  ],
  [
    'an escalated alert re-opens when the finding is worse still',
    input({ unresolved: { ...openSpo2, state: 'escalated', severity: 'low-medium', escalationDueAt: null, nextReminderAt: null }, finding: { ...redFinding, severity: 'medium' } }),
    {
      kind: 'reopen-worsened',
      from: 'escalated',
      severityRaisedFrom: 'low-medium',
      worsenedAt: NOW,
      countsAsNew: true,
      takeLatest: true,
      newReadingIds: ['107'],
      severity: 'medium',
      escalationDueAt: at('08:45'),
      nextReminderAt: at('08:45'),
    },
  ],
  [
    'an acknowledged alert re-opens when its own reading is re-assessed at a higher severity',
    input({ unresolved: acknowledgedSpo2, finding: { ...sameFinding, severity: 'high', escalationDueAt: at('08:45') } }),
    {
      kind: 'reopen-worsened',
      from: 'acknowledged',
      severityRaisedFrom: 'medium',
      worsenedAt: NOW,
      countsAsNew: false,
      takeLatest: true,
      newReadingIds: [],
      severity: 'high',
      escalationDueAt: at('08:45'),
      nextReminderAt: at('08:45'),
    },
  ],
  [
    'an acknowledged alert stays acknowledged for a new reading of the same severity (no timer restarts)',
    input({ unresolved: acknowledgedSpo2, finding: nextMediumFinding }),
    { kind: 'update', countsAsNew: true, takeLatest: true, newReadingIds: ['105'], severity: 'medium', escalationDueAt: null, nextReminderAt: at('08:45') },
  ],
  [
    'an overdue-reading alert (no readings) repeats for a later due time',
    input({
      unresolved: { ...openSpo2, severity: 'low', readingIds: [], details: {}, latestValue: null, explanation: 'Weight overdue.' },
      finding: { ...sameFinding, severity: 'low', readingIds: [], measuredAt: at('08:20'), details: {}, latestValue: null, explanation: 'Weight overdue.' },
    }),
    { kind: 'update', countsAsNew: true, takeLatest: true, newReadingIds: [], severity: 'low', escalationDueAt: at('09:00'), nextReminderAt: at('08:45') },
  ],
  [
    'an overdue-reading alert checked again for the same due time changes nothing',
    input({
      unresolved: { ...openSpo2, severity: 'low', readingIds: [], details: {}, latestValue: null, explanation: 'Weight overdue.' },
      finding: { ...sameFinding, severity: 'low', readingIds: [], details: {}, latestValue: null, explanation: 'Weight overdue.' },
    }),
    { kind: 'ignore', reason: 'no-new-evidence' },
  ],
  [
    'a device problem found again within five minutes of its alert last taking in evidence waits',
    input({ unresolved: lateDelivery({ evidenceTakenAt: new Date(NOW.getTime() - TECHNICAL_REFRESH_MS + 1) }), finding: lateDeliveryAgain }),
    { kind: 'ignore', reason: 'recently-refreshed' },
  ],
  [
    'an acknowledged device problem found again within the five minutes waits too',
    input({ unresolved: lateDelivery({ state: 'acknowledged', evidenceTakenAt: at('08:29') }), finding: lateDeliveryAgain }),
    { kind: 'ignore', reason: 'recently-refreshed' },
  ],
  [
    'a device problem found again five minutes to the millisecond after its last evidence is taken in',
    input({ unresolved: lateDelivery({ evidenceTakenAt: new Date(NOW.getTime() - TECHNICAL_REFRESH_MS) }), finding: lateDeliveryAgain }),
    { kind: 'update', countsAsNew: true, takeLatest: true, newReadingIds: ['305'], severity: 'low', escalationDueAt: null, nextReminderAt: null },
  ],
  [
    'a device problem whose alert took evidence in "after now" (a clock stepped back) is taken in, not held back until the clock catches up',
    input({ unresolved: lateDelivery({ evidenceTakenAt: new Date(NOW.getTime() + 1) }), finding: lateDeliveryAgain }),
    { kind: 'update', countsAsNew: true, takeLatest: true, newReadingIds: ['305'], severity: 'low', escalationDueAt: null, nextReminderAt: null },
  ],
  [
    'a technical finding worse than its alert is never held back',
    input({ unresolved: lateDelivery({ evidenceTakenAt: at('08:29') }), finding: { ...lateDeliveryAgain, severity: 'medium' } }),
    {
      kind: 'update',
      severityRaisedFrom: 'low',
      worsenedAt: NOW,
      countsAsNew: true,
      takeLatest: true,
      newReadingIds: ['305'],
      severity: 'medium',
      escalationDueAt: null,
      nextReminderAt: null,
    },
  ],
  [
    'readings the rules could not check (allEvidence) are always taken in, however recent the last',
    input({ unresolved: lateDelivery({ evidenceTakenAt: at('08:29') }), finding: { ...lateDeliveryAgain, details: { ...lateDeliveryAgain.details, allEvidence: true } } }),
    { kind: 'update', countsAsNew: true, takeLatest: true, newReadingIds: ['305'], severity: 'low', escalationDueAt: null, nextReminderAt: null },
  ],
  [
    'a technical finding about no device (the pipeline stalled: its backlog is news each time) is taken in a minute after the last',
    input({
      unresolved: lateDelivery({ readingIds: [], details: { technical: true, unevaluatedReadings: 120 }, evidenceTakenAt: at('08:29') }),
      finding: { ...lateDeliveryAgain, readingIds: [], measuredAt: at('02:00'), details: { technical: true, unevaluatedReadings: 480 } },
    }),
    { kind: 'update', countsAsNew: false, takeLatest: true, newReadingIds: [], severity: 'low', escalationDueAt: null, nextReminderAt: null },
  ],
  [
    'a clinical alert takes in a new reading a minute after the last',
    input({ unresolved: { ...openSpo2, evidenceTakenAt: at('08:29') }, finding: nextMediumFinding }),
    { kind: 'update', countsAsNew: true, takeLatest: true, newReadingIds: ['105'], severity: 'medium', escalationDueAt: at('09:00'), nextReminderAt: at('08:45') },
  ],
];

describe('decideAlert', () => {
  it.each(scenarios)('%s', (_name, given, expected) => {
    expect(decideAlert(given)).toEqual(expected);
  });

  it('never swallows a worse finding: every unresolved state and severity below it shows it again', () => {
    const seen: string[] = [];
    for (const state of ['open', 'acknowledged', 'escalated'] as const) {
      for (const from of ALERT_SEVERITY_BANDS) {
        for (const to of ALERT_SEVERITY_BANDS) {
          const decision = decideAlert(input({ unresolved: { ...openSpo2, state, severity: from }, finding: { ...redFinding, severity: to } }));
          const worse = alertSeverityRank(to) > alertSeverityRank(from);
          const shownAgain = (decision.kind === 'update' && decision.severityRaisedFrom === from) || (decision.kind === 'reopen-worsened' && decision.from === state);
          expect({ state, from, to, shownAgain }).toEqual({ state, from, to, shownAgain: worse });
          if (worse) expect(decision).toMatchObject({ severity: to, worsenedAt: NOW });
          if (!worse) expect(decision).toMatchObject({ kind: 'update', severity: maxBand(from, to) });
          seen.push(decision.kind);
        }
      }
    }
    // 3 states × 6 worse pairs: open ones update, the others re-open.
    expect(seen.filter((k) => k === 'reopen-worsened')).toHaveLength(12);
  });

  // Issue 19: the words beside the badge say what the badge says, also once NEWS2 falls back.
  it('keeps the words that set the severity first when a milder finding is taken in, and names the milder one as such', () => {
    const seven = { explanation: 'NEWS2 7 (high risk): pulse 112 /min (2 points). Emergency response threshold.' };
    const five = { explanation: 'NEWS2 5 (medium risk): pulse 112 /min (2 points). Urgent response threshold.', severity: 'medium' as const };
    const after = explanationAfter(seven, five, 'high');
    expect(after).toBe(`${seven.explanation} Latest finding, milder on its own (medium; the alert stays high until resolved): ${five.explanation}`);
    expect(after.split('. ')[0]).toMatch(/^NEWS2 7 \(high risk\)/); // the worklist shows the first sentence, beside the high badge
    // A later milder finding replaces the earlier one; the words that set the severity stay.
    const six = { explanation: 'NEWS2 6 (medium risk): ...', severity: 'medium' as const };
    expect(explanationAfter({ explanation: after }, six, 'high')).toBe(`${seven.explanation} Latest finding, milder on its own (medium; the alert stays high until resolved): NEWS2 6 (medium risk): ...`);
    // A finding at (or raising) the severity speaks for itself.
    expect(explanationAfter(seven, { ...five, severity: 'high' }, 'high')).toBe(five.explanation);
    // Taking in the same milder finding again changes nothing shown: no endless updates.
    const kept = { ...openSpo2, severity: 'high' as const, explanation: explanationAfter(openSpo2, nextMediumFinding, 'high'), readingIds: ['101', '105'], latestMeasuredAt: at('08:20'), details: nextMediumFinding.details, latestValue: 92 };
    expect(decideAlert(input({ unresolved: kept, finding: nextMediumFinding }))).toEqual({ kind: 'ignore', reason: 'no-new-evidence' });
  });

  it('never reopens a resolved episode: with no unresolved alert the answer is a new alert or nothing', () => {
    const decision = decideAlert(input({ recentlyResolved: { id: 'a-1', resolvedAt: at('08:30') }, finding: redFinding }));
    expect(decision).toEqual({ kind: 'ignore', reason: 'already-resolved' });
  });
});

function maxBand(a: AlertSeverityBand, b: AlertSeverityBand): AlertSeverityBand {
  return alertSeverityRank(a) >= alertSeverityRank(b) ? a : b;
}
