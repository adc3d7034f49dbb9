import type { DeviceType } from '@homeward/domain';
import { NOW, PATIENT, reading } from '../testing/rules-test.builders';
import { PATIENT_SILENT_RULE } from './patient-silent.rule';
import { nextTimerChange, readingsAnswer, timerChecks } from './timer-checks.decision';

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

/** What a timer pass decides, without the words ("… hours ago" move on with the clock and change nothing). */
function decisions(i: Parameters<typeof timerChecks>[0]): string[] {
  const checked = timerChecks(i, []);
  return [...checked.silences, ...checked.technical].map((c) => `${c.rule} ${c.subject} ${c.severity} ${c.measuredAt.toISOString()}`).sort();
}

describe('nextTimerChange (when a replay must run the timer again)', () => {
  let changes = 0;
  // Randomised patients: schedules, latest readings, devices heard from at various times, a hub
  // with or without its last will. Between `now` and the moment nextTimerChange gives, a timer pass
  // decides the same at every minute; so a replay evaluating only at those moments (and at new
  // facts) raises what a timer running every minute would, and a periodic timer what it would at
  // its first tick after each.
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('no decision changes before the moment it gives (seed %i)', (seed) => {
    let x = seed * 7919;
    const next = () => ((x = (x * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const hoursAgo = (max: number) => new Date(NOW.getTime() - Math.floor(next() * max * 60) * 60_000);
    const hub = { id: 'hub-1', type: 'hub' as DeviceType, lastSeenAt: hoursAgo(2), batteryLevel: null, batteryAt: null, connection: next() < 0.3 ? { state: 'offline' as const, at: hoursAgo(3) } : null };
    const i = {
      patientId: PATIENT,
      expected: [
        { vital: 'body_weight' as const, everyHours: 24, graceHours: 2 + Math.floor(next() * 6), severity: 'medium' as const },
        { vital: 'spo2' as const, everyHours: 6 + Math.floor(next() * 12), graceHours: 1, severity: 'low' as const },
      ],
      latest: [reading('body_weight', 80, 10 + next() * 40), reading('spo2', 96, next() * 30)],
      devices: [{ ...scale, lastSeenAt: hoursAgo(40) }, { id: 'ox-1', type: 'pulse-oximeter' as DeviceType, lastSeenAt: hoursAgo(20), batteryLevel: 50, batteryAt: null, connection: null }, ...(next() < 0.7 ? [hub] : [])],
      malformed: [],
      admittedAt: new Date(NOW.getTime() - 20 * 24 * HOUR),
      now: NOW,
    };
    let at = NOW;
    for (let step = 0; step < 6; step++) {
      const due = nextTimerChange({ ...i, now: at });
      expect(due).not.toBeNull();
      const dueAt = (due as Date).getTime();
      expect(dueAt).toBeGreaterThan(at.getTime());
      const before = decisions({ ...i, now: at });
      for (let t = at.getTime() + 60_000; t < dueAt; t += 60_000) expect(decisions({ ...i, now: new Date(t) })).toEqual(before);
      if (JSON.stringify(decisions({ ...i, now: new Date(dueAt) })) !== JSON.stringify(before)) changes++;
      at = new Date(dueAt);
    }
  });

  // A superset: most moments it names change nothing (each schedule is counted from every possible
  // start, the latest reading of each vital and each device's contact); they cost an evaluation each.
  it('reaches the moments that matter: some of them change a decision', () => {
    expect(changes).toBeGreaterThan(0);
  });
});
