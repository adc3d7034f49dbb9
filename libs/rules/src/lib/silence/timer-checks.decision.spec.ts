import type { DeviceType } from '@homeward/domain';
import { NOW, PATIENT, reading } from '../testing/rules-test.builders';
import { PATIENT_SILENT_RULE } from './patient-silent.rule';
import { readingsAnswer, timerChecks } from './timer-checks.decision';

const HOUR = 3_600_000;
const expected = [{ vital: 'body_weight' as const, everyHours: 24, graceHours: 6, severity: 'medium' as const }];
const scale = { id: 'scale-1', type: 'weight-scale' as DeviceType, lastSeenAt: new Date(NOW.getTime() - 40 * HOUR), batteryLevel: 80, batteryAt: null, connection: null };
const input = (latestHoursAgo: number, battery = 80) => ({
  patientId: PATIENT,
  expected,
  latest: [reading('body_weight', 80, latestHoursAgo)],
  devices: [{ ...scale, batteryLevel: battery, batteryAt: new Date(NOW.getTime() - HOUR) }],
  malformed: [],
  admittedAt: new Date(NOW.getTime() - 20 * 24 * HOUR),
  now: NOW,
});

describe('timerChecks (the timer pass for one patient, as the live engine and a replay call it)', () => {
  it('finds the patient silent once an expected reading is a whole interval plus grace overdue, and answers nothing still found', () => {
    const open = [{ id: 'a1', rule: PATIENT_SILENT_RULE, subject: 'patient-silent' }];
    const checked = timerChecks(input(31), open);
    expect(checked.silences.map((c) => c.subject)).toContain('patient-silent');
    expect(checked.answered).toEqual([]);
  });

  it('answers the open silence once readings resume, and finds a low battery as a technical problem', () => {
    const open = [{ id: 'a1', rule: PATIENT_SILENT_RULE, subject: 'patient-silent' }];
    const checked = timerChecks(input(2, 10), open);
    expect(checked.silences).toEqual([]);
    expect(checked.technical.map((f) => f.rule)).toEqual(['low-battery']);
    expect(checked.answered).toEqual(open);
  });
});

describe('readingsAnswer', () => {
  const rules = { reading: new Set(['device-clock-off']), silence: new Set([PATIENT_SILENT_RULE]) };
  it('answers a silence not found any more, keeps one still found, and leaves silences alone when not judged', () => {
    const open = [{ rule: PATIENT_SILENT_RULE, subject: 'patient-silent' }];
    const fresh = [reading('body_weight', 80, 0)];
    expect(readingsAnswer(fresh, NOW, open, rules, [])).toEqual(open);
    expect(readingsAnswer(fresh, NOW, open, rules, timerChecks(input(31), []).silences)).toEqual([]);
    expect(readingsAnswer(fresh, NOW, open, rules, null)).toEqual([]);
  });
});
