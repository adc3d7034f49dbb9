import { PATHWAYS, type Pathway, type Reading, type VitalKey } from '@homeward/domain';
import {
  type AlertCandidate,
  type CarePlan,
  type DeviceContact,
  type SilenceInput,
  deviceUnusedResolved,
  deviceUnusedRule,
  evaluatePatientRules,
  highestSeverity,
  hubOfflineResolved,
  hubOfflineRule,
  isDeviceOffline,
  mapCarePlan,
  news2BandRule,
  patientSilenceResolved,
  patientSilentRule,
  pathwaySchedule,
  readingMissingResolved,
  readingMissingRule,
} from '../src';
import { NOW, PATIENT, SCALE_2_DECISION, carePlan, consciousness, reading } from '../src/lib/testing/rules-test.builders';

/**
 * Clinical alerting v2, scenario by scenario: each row is a situation a virtual-ward nurse would
 * name, run through the pure rules with the clock (`now`) moved by the test.
 */

const HOUR = 3_600_000;
const MINUTE = 60_000;
const planFor = (pathway: Pathway, news2: Partial<CarePlan['news2']> = {}): CarePlan => carePlan({ pathway }, news2);

/** Every candidate of every patient rule for one set of readings measured an hour ago. */
function judge(pathway: Pathway, values: Partial<Record<VitalKey, number>>, plan = planFor(pathway)): AlertCandidate[] {
  const readings = Object.entries(values).map(([vital, value]) => reading(vital as VitalKey, value!, 1));
  return evaluatePatientRules(readings, plan, NOW);
}
const summary = (alerts: readonly AlertCandidate[]) => alerts.map((a) => `${a.rule} ${a.subject} ${a.severity}`).sort();
const severityOf = (alerts: readonly AlertCandidate[]) => highestSeverity(alerts.map((a) => a.severity));

describe('severity from physiology, the same on every pathway', () => {
  it.each(PATHWAYS)('SpO2 85 %% on %s is red: NEWS2 and the limit both high', (pathway) => {
    expect(summary(judge(pathway, { spo2: 85 }))).toEqual(['news2-band news2 high', 'vital-threshold spo2:at-or-below high']);
  });

  it('SpO2 85 % on heart failure is red (the issue: it was low-to-medium), while 92 % on the chest pathway is below the urgency bands', () => {
    expect(severityOf(judge('heart-failure', { spo2: 85 }))).toBe('high');
    expect(severityOf(judge('acute-respiratory-infection', { spo2: 92 }))).toBe('low-medium');
  });

  it.each([
    ['respiration_rate', 8, 9],
    ['respiration_rate', 25, 24],
    ['spo2', 91, 92],
    ['systolic_bp', 90, 91],
    ['systolic_bp', 220, 219],
    ['heart_rate', 40, 41],
    ['heart_rate', 131, 130],
    ['body_temperature', 35.0, 35.1],
  ] as const)('%s %p scores 3 and is high on every pathway; %p is not high on any', (vital, red, amber) => {
    for (const pathway of PATHWAYS) {
      expect([pathway, severityOf(judge(pathway, { [vital]: red }))]).toEqual([pathway, 'high']);
      expect([pathway, severityOf(judge(pathway, { [vital]: amber }))]).not.toEqual([pathway, 'high']);
    }
  });

  it('new confusion (ACVPU C) alone is high', () => {
    expect(news2BandRule([], planFor('frailty'), NOW, [consciousness('C', 1)])[0]).toMatchObject({ severity: 'high', details: { homeTrigger: 'single-parameter-3' } });
  });

  // Aggregates built from parameters scoring 1 or 2 only, so no red trigger hides the band edge.
  it.each([
    [{ heart_rate: 95 }, 1, null],
    [{ respiration_rate: 22, heart_rate: 95, body_temperature: 38.2 }, 4, null],
    [{ respiration_rate: 22, spo2: 95, heart_rate: 95, body_temperature: 38.2 }, 5, 'medium'],
    [{ respiration_rate: 22, spo2: 93, heart_rate: 95, body_temperature: 38.2 }, 6, 'medium'],
    [{ respiration_rate: 22, spo2: 93, heart_rate: 112, body_temperature: 38.2 }, 7, 'high'],
    [{ respiration_rate: 22, spo2: 93, heart_rate: 112, body_temperature: 39.2, systolic_bp: 100 }, 10, 'high'],
  ] as const)('NEWS2 band edge: %p (aggregate %p) → %s on every pathway', (values, score, severity) => {
    for (const pathway of PATHWAYS) {
      const readings = Object.entries(values).map(([vital, value]) => reading(vital as VitalKey, value, 1));
      const alerts = news2BandRule(readings, planFor(pathway), NOW, [consciousness('A', 1)]);
      expect([pathway, alerts[0]?.severity ?? null]).toEqual([pathway, severity]);
      if (alerts[0]) expect(alerts[0].details['score']).toBe(score);
    }
  });

  it('aggregate 1–4 raises no worklist alert; a plan may ask for it at low', () => {
    const readings = [reading('respiration_rate', 22, 1)];
    expect(news2BandRule(readings, planFor('general'), NOW)).toEqual([]);
    expect(news2BandRule(readings, planFor('general', { alertFrom: 'low' }), NOW)[0]).toMatchObject({ severity: 'low', details: { homeTrigger: 'aggregate-1-4' } });
  });

  it('a partial NEWS2 is labelled partial and still alerts on what it has', () => {
    const [alert] = news2BandRule([reading('spo2', 93, 1), reading('respiration_rate', 22, 1), reading('body_temperature', 38.4, 1)], planFor('copd'), NOW);
    expect(alert).toMatchObject({ severity: 'medium', details: { partial: true, score: 5 } });
    expect(alert!.explanation).toMatch(/^Partial NEWS2 of at least 5/);
  });

  it('SpO2 scale 2 is respected where a clinician set it: 88 % on COPD scale 2 is not red, 83 % is', () => {
    const scale2 = planFor('copd', { spo2Scale: SCALE_2_DECISION });
    expect(severityOf(judge('copd', { spo2: 88 }, scale2))).toBeNull();
    expect(severityOf(judge('copd', { spo2: 87 }, scale2))).toBe('low');
    expect(severityOf(judge('copd', { spo2: 83 }, scale2))).toBe('high');
    expect(severityOf(judge('copd', { spo2: 88 }))).toBe('high'); // scale 1 without the decision
    // Scale 2 written without who/when/why: limits and floor stay on scale 1, and NEWS2 says it cannot be scored.
    const undocumented = planFor('copd', { spo2Scale: { ...SCALE_2_DECISION, reason: '' } });
    expect(summary(judge('copd', { spo2: 88 }, undocumented))).toEqual(['news2-band news2:unavailable low', 'vital-threshold spo2:at-or-below high']);
  });
});

describe('pathway defaults: every vital measured, temperature and pulse everywhere', () => {
  it.each(PATHWAYS)('temperature 38.1 on %s raises fever (low); 38.0 raises nothing', (pathway) => {
    expect(summary(judge(pathway, { body_temperature: 38.1 }))).toEqual(['vital-threshold body_temperature:at-or-above low']);
    expect(judge(pathway, { body_temperature: 38.0 })).toEqual([]);
  });

  it('temperature 38.1 on frailty raises fever, and says what to do', () => {
    const [fever] = judge('frailty', { body_temperature: 38.1 });
    expect(fever!.explanation).toMatch(/^Temperature 38.1 °C is at or above 38.1 °C, the alert limit for the frailty pathway\. Fever: /);
  });

  it.each(PATHWAYS)('temperature 39.1 on %s is high fever (low-medium), 39.0 fever (low); 35.0 is hypothermia (high), 35.1 nothing', (pathway) => {
    expect(summary(judge(pathway, { body_temperature: 39.1 }))).toEqual(['vital-threshold body_temperature:at-or-above low-medium']);
    expect(summary(judge(pathway, { body_temperature: 39.0 }))).toEqual(['vital-threshold body_temperature:at-or-above low']);
    expect(judge(pathway, { body_temperature: 35.1 })).toEqual([]);
    expect(judge(pathway, { body_temperature: 35.0 }).map((a) => a.severity)).toEqual(['high', 'high']);
  });

  it.each(PATHWAYS)('pulse on %s: 111 is low-medium, 110 nothing, 131 high', (pathway) => {
    expect(summary(judge(pathway, { heart_rate: 111 }))).toEqual(['vital-threshold heart_rate:at-or-above low-medium']);
    expect(judge(pathway, { heart_rate: 110 })).toEqual([]);
    expect(severityOf(judge(pathway, { heart_rate: 131 }))).toBe('high');
  });

  it.each([
    ['heart-failure', { systolic_bp: 100 }, ['vital-threshold systolic_bp:at-or-below low-medium']],
    ['heart-failure', { systolic_bp: 180 }, ['vital-threshold systolic_bp:at-or-above low']],
    ['heart-failure', { diastolic_bp: 120 }, ['vital-threshold diastolic_bp:at-or-above low']],
    ['heart-failure', { spo2: 93 }, []],
    ['copd', { spo2: 93 }, ['vital-threshold spo2:at-or-below low']],
    ['copd', { systolic_bp: 100 }, []],
    ['acute-respiratory-infection', { spo2: 94 }, ['vital-threshold spo2:at-or-below low']],
    ['acute-respiratory-infection', { spo2: 95 }, []],
    ['acute-respiratory-infection', { respiration_rate: 21 }, ['vital-threshold respiration_rate:at-or-above low-medium']],
    ['frailty', { systolic_bp: 100 }, ['vital-threshold systolic_bp:at-or-below low-medium']],
    ['frailty', { spo2: 93 }, ['vital-threshold spo2:at-or-below low']],
    ['general', { spo2: 94 }, []],
  ] as const)('%s: %p → %p', (pathway, values, expected) => {
    expect(summary(judge(pathway, values))).toEqual(expected);
  });

  it.each([
    ['heart-failure', ['body_weight 24h+4h medium', 'systolic_bp 24h+4h medium', 'heart_rate 24h+4h medium']],
    // Readings due several times a day are taken while awake: missing once 16 h have passed (the night is up to 14 h).
    ['copd', ['spo2 12h+4h medium', 'heart_rate 12h+4h medium', 'body_temperature 24h+4h medium']],
    ['acute-respiratory-infection', ['spo2 8h+8h medium', 'heart_rate 8h+8h medium', 'body_temperature 8h+8h medium']],
    ['frailty', ['systolic_bp 24h+4h low', 'heart_rate 24h+4h low', 'spo2 24h+4h low', 'body_temperature 24h+4h low']],
    ['general', ['systolic_bp 24h+4h low', 'heart_rate 24h+4h low', 'spo2 24h+4h low', 'body_temperature 24h+4h low']],
  ] as const)('expected schedule on %s when the care plan lists none', (pathway, schedule) => {
    const mapped = mapCarePlan({ patientId: PATIENT, pathway, carePlan: {} });
    expect(mapped.expectedReadingsFrom).toBe('pathway');
    expect(mapped.expectedReadings.map((e) => `${e.vital} ${e.everyHours}h+${e.graceHours}h ${e.severity}`)).toEqual(schedule);
    expect(pathwaySchedule(pathway)).toBe(mapped.expectedReadings);
  });
});

describe('trend windows with tolerance', () => {
  const weights = (pairs: readonly (readonly [kg: number, hoursAgo: number])[]) => pairs.map(([kg, h]) => reading('body_weight', kg, h));
  it.each([
    ['2.7 kg gain over 73 h on heart failure alerts', [[80.0, 73], [82.7, 0]], 'medium'],
    ['2.7 kg gain over 84 h (12 h past the edge) alerts', [[80.0, 84], [82.7, 0]], 'medium'],
    ['2.7 kg gain over 85 h is outside the tolerance', [[80.0, 85], [82.7, 0]], null],
    ['2.0 kg gain over 73 h is not more than 2 kg', [[80.0, 73], [82.0, 0]], null],
  ] as const)('%s', (_, pairs, severity) => {
    const alerts = evaluatePatientRules(weights(pairs), planFor('heart-failure'), NOW).filter((a) => a.rule === 'weight-gain');
    expect(alerts.map((a) => a.severity)).toEqual(severity === null ? [] : [severity]);
  });
});

describe('three kinds of silence, judged against the clock', () => {
  const ADMITTED = new Date('2026-03-01T08:00:00.000Z');
  const at = (hours: number) => new Date(ADMITTED.getTime() + hours * HOUR);
  const measured = (vital: VitalKey, hours: number, deviceId = 'oximeter-1'): Reading =>
    reading(vital, vital === 'body_temperature' ? 36.8 : vital === 'spo2' ? 96 : 72, (NOW.getTime() - at(hours).getTime()) / HOUR, { deviceId });
  const hub = (lastSeenHours: number | null, connection?: DeviceContact['connection']): DeviceContact => ({
    id: 'hub-1',
    type: 'hub',
    lastSeenAt: lastSeenHours === null ? null : at(lastSeenHours),
    connection: connection ?? null,
  });
  const device = (type: DeviceContact['type'], lastSeenHours: number | null): DeviceContact => ({ id: `${type}-1`, type, lastSeenAt: lastSeenHours === null ? null : at(lastSeenHours) });
  const copd = (now: Date, overrides: Partial<SilenceInput> = {}): SilenceInput => ({
    patientId: PATIENT,
    expected: pathwaySchedule('copd'),
    latest: [measured('spo2', 10), measured('heart_rate', 10), measured('body_temperature', 10, 'thermometer-1')],
    devices: [hub(now.getTime() - ADMITTED.getTime() > 0 ? (now.getTime() - ADMITTED.getTime()) / HOUR - 0.1 : 0), device('pulse-oximeter', 10), device('thermometer', 10)],
    admittedAt: ADMITTED,
    now,
    ...overrides,
  });

  it('a night without readings is not silence on a twice-daily schedule (COPD: last at 18:00, nothing by 08:00)', () => {
    expect(patientSilentRule(copd(at(24)))).toEqual([]); // 14 h after the last: an ordinary night
  });

  it('patient silent once 16 h have passed on a twice-daily schedule (COPD: SpO2 and pulse every 12 h, 4 h grace), medium on a high-risk pathway', () => {
    expect(patientSilentRule(copd(new Date(at(26).getTime() - MINUTE)))).toEqual([]);
    const [silent] = patientSilentRule(copd(at(26)));
    expect(silent).toMatchObject({ rule: 'patient-silent', subject: 'patient-silent', severity: 'medium', measuredAt: at(26) });
    expect(silent!.explanation).toBe(
      'Patient silent: nothing measured since 2026-03-01 18:00 UTC (16 hours ago); expected SpO2 every 12 hours, pulse every 12 hours. ' +
        'The home hub is online (last heard from 2026-03-02 09:54 UTC (0.1 hours ago)), so no readings are stuck on the way. Phone the patient: check they are well and remind them to measure.',
    );
    expect(hubOfflineRule(copd(at(26)))).toEqual([]);
    expect(deviceUnusedRule(copd(at(26)))).toEqual([]);
  });

  it('a new patient\'s hub never heard from gets the same 30 minutes from admission before it counts as offline', () => {
    const fresh = (hours: number) => copd(at(hours), { devices: [hub(null)], latest: [] });
    expect(hubOfflineRule(fresh(0.4))).toEqual([]);
    expect(hubOfflineRule(fresh(0.6))).toMatchObject([{ rule: 'hub-offline', subject: 'hub-offline:hub-1' }]);
    expect(hubOfflineRule(fresh(0.6))[0]!.explanation).toMatch(/has never been heard from/);
  });

  it('patient silent on frailty is low, and time that passed while the server was down counts (no timers)', () => {
    const input = (now: Date): SilenceInput => ({ ...copd(now), expected: pathwaySchedule('frailty'), latest: [measured('spo2', 10)] });
    const [silent] = patientSilentRule(input(at(10 + 3 * 24 + 4)));
    expect(silent).toMatchObject({ severity: 'low', measuredAt: at(10 + 3 * 24 + 4), details: { missing: expect.arrayContaining([expect.objectContaining({ vital: 'spo2', missedIntervals: 3 })]) } });
  });

  it('patient silent resolves when readings resume', () => {
    const now = at(30);
    expect(patientSilenceResolved(copd(now))).toBe(false);
    expect(patientSilenceResolved(copd(now, { latest: [...copd(now).latest, measured('body_temperature', 29.5, 'thermometer-1')] }))).toBe(true);
  });

  // Nothing measured and no device contact, COPD (SpO2 and pulse every 12 h, 4 h grace): silence
  // counts from admission. An admission a little ahead of the engine's clock (another host's) once
  // made the latest activity Math.max() of nothing (-Infinity): an Invalid Date whose toISOString
  // threw, failing the whole timer pass for every ward.
  it.each([
    ['a minute before admission (the admitting host\'s clock ahead)', -MINUTE, null],
    ['a millisecond before admission', -1, null],
    ['at admission', 0, null],
    ['a minute short of 16 h after admission', 16 * HOUR - MINUTE, null],
    ['16 h after admission', 16 * HOUR, 'patient-silent'],
  ] as const)('never heard from, the engine judging %s', (_when, sinceAdmission, expected) => {
    const input = copd(new Date(ADMITTED.getTime() + sinceAdmission), { latest: [], devices: [device('pulse-oximeter', null)] });
    const silent = patientSilentRule(input);
    expect(silent.map((a) => a.rule)).toEqual(expected === null ? [] : [expected]);
    if (expected !== null) expect(silent[0]).toMatchObject({ measuredAt: new Date(ADMITTED.getTime() + 16 * HOUR) });
    expect(patientSilenceResolved(input)).toBe(expected === null);
    expect(deviceUnusedRule(input)).toEqual([]);
    expect(hubOfflineRule(input)).toEqual([]);
  });

  it('patient silent without a hub or app (manual entry only) still alerts', () => {
    expect(patientSilentRule(copd(at(30), { devices: [] }))[0]).toMatchObject({ rule: 'patient-silent' });
  });

  it('last will offline counts as offline, not as seen', () => {
    const now = at(20);
    // The offline status arrived a minute ago and moved last-seen with it: still offline.
    expect(isDeviceOffline(at(20 - 1 / 60), { state: 'offline', at: at(20 - 1 / 60) }, now, 30 * MINUTE)).toBe(true);
    expect(isDeviceOffline(at(20 - 1 / 60), 'offline', now, 30 * MINUTE)).toBe(true);
    // Heard from after its last will: back.
    expect(isDeviceOffline(at(20 - 1 / 120), { state: 'offline', at: at(20 - 1 / 60) }, now, 30 * MINUTE)).toBe(false);
    const [offline] = hubOfflineRule(copd(now, { devices: [hub(20 - 1 / 60, { state: 'offline', at: at(20 - 1 / 60) })] }));
    expect(offline).toMatchObject({ rule: 'hub-offline', subject: 'hub-offline:hub-1', severity: 'low', details: { technical: true, connectionState: 'offline' } });
    expect(offline!.explanation).toMatch(/^The home hub is offline: it dropped its connection \(offline status\) and was last heard from 2026-03-02 03:59 UTC/);
  });

  it.each([
    [30, false],
    [30.01, true],
  ])('hub or app not heard from for %p minutes: offline %p (configurable, default 30)', (minutes, offline) => {
    const now = at(20);
    expect(isDeviceOffline(new Date(now.getTime() - minutes * MINUTE), null, now, 30 * MINUTE)).toBe(offline);
    expect(hubOfflineRule(copd(now, { devices: [{ id: 'app-1', type: 'patient-app', lastSeenAt: new Date(now.getTime() - minutes * MINUTE) }] }))).toHaveLength(offline ? 1 : 0);
    expect(isDeviceOffline(new Date(now.getTime() - minutes * MINUTE), null, now, 60 * MINUTE)).toBe(false);
  });

  it('hub offline: its own alert, no patient-silent or device-unused (readings may be waiting); resolves when the hub is back', () => {
    const now = at(30);
    const down = copd(now, { devices: [hub(11), device('pulse-oximeter', 10), device('thermometer', 10)] });
    expect(hubOfflineRule(down).map((a) => a.subject)).toEqual(['hub-offline:hub-1']);
    expect(patientSilentRule(down)).toEqual([]);
    expect(deviceUnusedRule(down)).toEqual([]);
    expect(hubOfflineResolved('hub-offline:hub-1', down)).toBe(false);
    expect(hubOfflineResolved('hub-offline:hub-1', { ...down, devices: [hub(29.9)] })).toBe(true);
  });

  it('one device unused while others report: the oximeter on COPD while the thermometer is used; resolves when its readings resume', () => {
    const now = at(30);
    const input = copd(now, {
      latest: [measured('spo2', 10), measured('heart_rate', 10), measured('body_temperature', 28, 'thermometer-1')],
      devices: [hub(29.9), { id: 'oximeter-1', type: 'pulse-oximeter', lastSeenAt: at(10), batteryLevel: 5 }, device('thermometer', 28)],
    });
    const [unused, ...rest] = deviceUnusedRule(input);
    expect(rest).toEqual([]);
    expect(unused).toMatchObject({ rule: 'device-unused', subject: 'device-unused:oximeter-1', severity: 'medium', details: { vitals: ['spo2', 'heart_rate'] } });
    expect(unused!.explanation).toBe(
      'Pulse oximeter unused: no SpO2 or pulse since 2026-03-01 18:00 UTC (20 hours ago), last in contact 2026-03-01 18:00 UTC (20 hours ago), ' +
        'while the patient is measuring (temperature 2026-03-02 12:00 UTC (2 hours ago)). Its battery was at 5 % when last heard from. Ask whether the device works and whether they know to use it.',
    );
    expect(patientSilentRule(input)).toEqual([]);
    expect(deviceUnusedResolved('device-unused:oximeter-1', input)).toBe(false);
    const resumed = { ...input, latest: [...input.latest, measured('spo2', 29), measured('heart_rate', 29)] };
    expect(deviceUnusedResolved('device-unused:oximeter-1', resumed)).toBe(true);
    // The unused device explains its missing readings: no second alert for them.
    expect(readingMissingRule(input)).toEqual([]);
  });

  it('one expected reading missing while the same device sends the others: temperature on COPD skipped for two days is its own alert, resolved when it arrives', () => {
    const now = at(58); // temperature last at hour 10; SpO2 and pulse every morning and evening since
    const input = copd(now, {
      latest: [measured('spo2', 57), measured('heart_rate', 57), measured('body_temperature', 10, 'oximeter-1')],
      devices: [hub(57.9), device('pulse-oximeter', 57)],
    });
    expect(patientSilentRule(input)).toEqual([]);
    expect(deviceUnusedRule(input)).toEqual([]);
    const [missing, ...rest] = readingMissingRule(input);
    expect(rest).toEqual([]);
    expect(missing).toMatchObject({ rule: 'reading-missing', subject: 'reading-missing', severity: 'medium', details: { missing: [expect.objectContaining({ vital: 'body_temperature', missedIntervals: 1 })] } });
    expect(missing!.explanation).toMatch(/^Reading missing: no temperature \(temperature last 2026-03-01 18:00 UTC/);
    expect(readingMissingResolved(input)).toBe(false);
    expect(readingMissingResolved({ ...input, latest: [...input.latest, measured('body_temperature', 57.5, 'oximeter-1')] })).toBe(true);
  });

  it('no reading-missing alert when the patient measures nothing (that is patient-silent) or the hub is offline (that is hub-offline)', () => {
    const silent = copd(at(40), { latest: [measured('spo2', 10), measured('heart_rate', 10), measured('body_temperature', 10)] });
    expect(patientSilentRule(silent)).toHaveLength(1);
    expect(readingMissingRule(silent)).toEqual([]);
    const offline = copd(at(58), { latest: [measured('spo2', 57), measured('heart_rate', 57), measured('body_temperature', 10)], devices: [hub(40)] });
    expect(hubOfflineRule(offline)).toHaveLength(1);
    expect(readingMissingRule(offline)).toEqual([]);
  });
});
