import { type DetectionCohort, type RaisedAlert, type ScriptedEvent, eventWindow, evaluateDetection, median, renderDetectionReport } from '../src';

const START = new Date('2026-11-24T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (days: number) => new Date(START.getTime() + days * DAY);

/** A 10-day cohort: patient i carries events[i]; two more patients are quiet. */
function cohort(events: ReadonlyArray<ScriptedEvent | null>, days = 10): DetectionCohort {
  return { start: START, days, patients: [...events, null, null].map((e, index) => ({ index, events: e ? [e] : [] })) };
}

const alert = (patientIndex: number, rule: string, kind: RaisedAlert['kind'], severity: RaisedAlert['severity'], days: number): RaisedAlert => ({
  patientIndex,
  rule,
  kind,
  severity,
  firstMeasuredAt: at(days),
});

const decompensation: ScriptedEvent = { kind: 'heart-failure-decompensation', startDay: 5, days: 5 };
const infection: ScriptedEvent = { kind: 'chest-infection', startDay: 7, days: 3 };
const nonAdherence: ScriptedEvent = { kind: 'non-adherence', startDay: 7, days: 3 };
const outage: ScriptedEvent = { kind: 'hub-outage', startDay: 6, days: 2 };
const wrongClock: ScriptedEvent = { kind: 'wrong-clock', offsetMs: 5 * HOUR };
const malformed: ScriptedEvent = { kind: 'malformed-frames', startDay: 8, days: 2 };

describe('evaluateDetection', () => {
  // Each case: one event on patient 0, the alerts raised, and what the scenario's row must say.
  it.each<[string, ScriptedEvent, RaisedAlert[], { detected: number; atSeverity: number; delay: number | null; falseClinical: number; unexplainedSilence?: number; unexplainedTechnical?: number }]>([
    ['decompensation seen at medium 2 days in', decompensation, [alert(0, 'weight-gain', 'clinical', 'medium', 7)], { detected: 1, atSeverity: 1, delay: 48, falseClinical: 0 }],
    ['decompensation seen but only low-medium', decompensation, [alert(0, 'vital-threshold', 'clinical', 'low-medium', 6)], { detected: 1, atSeverity: 0, delay: 24, falseClinical: 0 }],
    ["decompensation: the earliest alert counts", decompensation, [alert(0, 'news2-band', 'clinical', 'high', 8), alert(0, 'weight-gain', 'clinical', 'medium', 6.5)], { detected: 1, atSeverity: 1, delay: 36, falseClinical: 0 }],
    ['a clinical alert before the event is a false one', decompensation, [alert(0, 'vital-threshold', 'clinical', 'medium', 4)], { detected: 0, atSeverity: 0, delay: null, falseClinical: 1 }],
    ['a silence alert does not detect a deterioration', infection, [alert(0, 'patient-silent', 'silence', 'medium', 8)], { detected: 0, atSeverity: 0, delay: null, falseClinical: 0, unexplainedSilence: 1 }],
    ['infection within a day after its end still counts', infection, [alert(0, 'news2-band', 'clinical', 'medium', 10.5)], { detected: 1, atSeverity: 1, delay: 84, falseClinical: 0 }],
    ['infection more than a day after its end does not', infection, [alert(0, 'news2-band', 'clinical', 'medium', 11.5)], { detected: 0, atSeverity: 0, delay: null, falseClinical: 1 }],
    ['non-adherence by patient-silent', nonAdherence, [alert(0, 'patient-silent', 'silence', 'medium', 7.75)], { detected: 1, atSeverity: 1, delay: 18, falseClinical: 0 }],
    ['non-adherence: overdue-reading is explained, not a detection', nonAdherence, [alert(0, 'overdue-reading', 'silence', 'low', 7.5)], { detected: 0, atSeverity: 0, delay: null, falseClinical: 0, unexplainedSilence: 0 }],
    ['hub outage by hub-offline, evidence hours before (last heard)', outage, [alert(0, 'hub-offline', 'silence', 'low', 5.8)], { detected: 1, atSeverity: 1, delay: 0, falseClinical: 0 }],
    ['hub outage: its late-delivery is explained', outage, [alert(0, 'hub-offline', 'silence', 'low', 6.1), alert(0, 'late-delivery', 'technical', 'low', 6.2)], { detected: 1, atSeverity: 1, delay: 2.4, falseClinical: 0, unexplainedTechnical: 0 }],
    ['wrong clock on day 0', wrongClock, [alert(0, 'device-clock-off', 'technical', 'low', 0.4)], { detected: 1, atSeverity: 1, delay: 9.6, falseClinical: 0 }],
    ['malformed frames missed', malformed, [], { detected: 0, atSeverity: 0, delay: null, falseClinical: 0 }],
    ['malformed frames seen', malformed, [alert(0, 'malformed-frames', 'technical', 'low', 8.25)], { detected: 1, atSeverity: 1, delay: 6, falseClinical: 0 }],
    ["another patient's alert detects nothing and is false", decompensation, [alert(1, 'weight-gain', 'clinical', 'medium', 7)], { detected: 0, atSeverity: 0, delay: null, falseClinical: 1 }],
  ])('%s', (_name, event, alerts, expected) => {
    const report = evaluateDetection([{ cohort: cohort([event]), alerts }]);
    const row = report.scenarios.find((s) => s.scenario === event.kind);
    expect(row).toMatchObject({ events: 1, detected: expected.detected, detectedAtSeverity: expected.atSeverity });
    if (expected.delay === null) expect(row?.medianDelayHours).toBeNull();
    else expect(row?.medianDelayHours).toBeCloseTo(expected.delay, 6);
    expect(report.unexplained.clinical).toBe(expected.falseClinical);
    if (expected.unexplainedSilence !== undefined) expect(report.unexplained.silence).toBe(expected.unexplainedSilence);
    if (expected.unexplainedTechnical !== undefined) expect(report.unexplained.technical).toBe(expected.unexplainedTechnical);
  });

  it('adds runs up: events, detections, median delay and false alerts per patient-day', () => {
    const events = [decompensation, infection, nonAdherence, outage, wrongClock, malformed];
    const run1 = { cohort: cohort(events), alerts: [alert(0, 'weight-gain', 'clinical', 'medium', 6), alert(1, 'news2-band', 'clinical', 'medium', 7.5), alert(7, 'vital-threshold', 'clinical', 'medium', 3)] };
    const run2 = { cohort: cohort(events), alerts: [alert(0, 'weight-gain', 'clinical', 'high', 8), alert(2, 'patient-silent', 'silence', 'medium', 8), alert(4, 'device-clock-off', 'technical', 'low', 0.1)] };
    const run3 = { cohort: cohort(events), alerts: [alert(0, 'spo2-baseline-drop', 'clinical', 'medium', 7), alert(6, 'vital-threshold', 'clinical', 'low-medium', 2), alert(6, 'low-battery', 'technical', 'low', 2)] };
    const report = evaluateDetection([run1, run2, run3]);
    const row = (kind: string) => report.scenarios.find((s) => s.scenario === kind);
    expect(row('heart-failure-decompensation')).toMatchObject({ events: 3, detected: 3, delaysHours: [24, 72, 48], medianDelayHours: 48, worstSeverity: 'high' });
    expect(row('chest-infection')).toMatchObject({ events: 3, detected: 1, medianDelayHours: 12 });
    expect(row('non-adherence')).toMatchObject({ events: 3, detected: 1 });
    expect(row('hub-outage')).toMatchObject({ events: 3, detected: 0, medianDelayHours: null, worstSeverity: null });
    expect(row('wrong-clock')).toMatchObject({ events: 3, detected: 1 });
    expect(report.patientDays).toBe(3 * 8 * 10);
    expect(report.unexplained).toEqual({ clinical: 2, silence: 0, technical: 1 });
    expect(report.falseClinicalPerPatientDay).toBeCloseTo(2 / 240, 9);
    expect(report.unexplainedRules).toEqual({ 'vital-threshold': 2, 'low-battery': 1 });
    const text = renderDetectionReport(report);
    expect(text).toMatch(/\| heart-failure-decompensation \| clinical, ≥ medium\s+\| 3\/3 /);
    expect(text).toContain('Deteriorations detected 4/6, silences 1/6, technical 1/6.');
    expect(text).toContain('False clinical alerts: 2 over 240 patient-days = 0.008 per patient-day (goal < 0.3: met).');
    expect(text).toContain('Unexplained alerts by rule: vital-threshold 2, low-battery 1.');
  });
});

describe('eventWindow', () => {
  it.each<[ScriptedEvent, number, number]>([
    [decompensation, 5, 10],
    [outage, 6, 8],
    [wrongClock, 0, 10],
  ])('%j spans days %d to %d', (event, from, to) => {
    expect(eventWindow(event, { start: START, days: 10 })).toEqual({ from: at(from).getTime(), to: at(to).getTime() });
  });
});

describe('median', () => {
  it.each<[number[], number | null]>([
    [[], null],
    [[5], 5],
    [[9, 1, 4], 4],
    [[4, 1, 9, 2], 3],
  ])('of %j is %p', (values, expected) => expect(median(values)).toBe(expected));
});
