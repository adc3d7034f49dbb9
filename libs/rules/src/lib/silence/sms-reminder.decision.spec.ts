import { type Reading, buildReading, unwrap } from '@homeward/domain';
import type { ExpectedReading } from '../model/care-plan.model';
import { carePlanReminderHours, smsRemindersDue, withinHours } from './sms-reminder.decision';

const HOUR = 3_600_000;
const ADMITTED = new Date('2026-06-01T07:00:00Z'); // 08:00 in London (BST)
const WEIGHT: ExpectedReading = { vital: 'body_weight', everyHours: 24, graceHours: 2, severity: 'low' };
const BP: ExpectedReading[] = (['systolic_bp', 'heart_rate'] as const).map((vital) => ({ vital, everyHours: 24, graceHours: 2, severity: 'low' }));

const reading = (vital: string, value: number, unit: string, measuredAt: Date): Reading =>
  unwrap(buildReading({ patientId: 'p1', deviceId: null, vital, value, unit, measuredAt, deviceTime: null, receivedAt: measuredAt, source: 'sms' }));

const due = (now: Date, latest: Reading[] = [], expected: ExpectedReading[] = [WEIGHT, ...BP]) =>
  smsRemindersDue({ patientId: 'p1', expected, latest, admittedAt: ADMITTED, now, hours: { from: 9, to: 20 }, timeZone: 'Europe/London' });

describe('smsRemindersDue', () => {
  it('reminds of nothing before the reading is overdue (interval plus grace)', () => {
    expect(due(new Date(ADMITTED.getTime() + 26 * HOUR - 1))).toEqual([]);
  });

  it('reminds once overdue, grouping blood pressure with the pulse a cuff gives', () => {
    const reminders = due(new Date(ADMITTED.getTime() + 26 * HOUR));
    expect(reminders.map((r) => [r.reading, r.example, r.vitals, r.key])).toEqual([
      ['your blood pressure and pulse', 'BP 142/88 PULSE 72', ['systolic_bp', 'heart_rate'], 'sms-reminder:p1:systolic_bp:2026-06-01T07:00:00.000Z'],
      ['your weight', 'WEIGHT 81.2', ['body_weight'], 'sms-reminder:p1:body_weight:2026-06-01T07:00:00.000Z'],
    ]);
  });

  it('pairs the pulse with the oximeter when no blood pressure is due (COPD)', () => {
    const copd: ExpectedReading[] = (['spo2', 'heart_rate'] as const).map((vital) => ({ vital, everyHours: 12, graceHours: 2, severity: 'low' }));
    expect(due(new Date(ADMITTED.getTime() + 26 * HOUR), [], copd).map((r) => [r.reading, r.example, r.vitals])).toEqual([['your oxygen level and pulse', 'SATS 94 PULSE 72', ['spo2', 'heart_rate']]]);
  });

  it('keeps the same key for later missed intervals of one silence, and a new one after a reading', () => {
    const first = due(new Date(ADMITTED.getTime() + 26 * HOUR), [], [WEIGHT]);
    const dayLater = due(new Date(ADMITTED.getTime() + 50 * HOUR), [], [WEIGHT]);
    expect(dayLater.map((r) => r.key)).toEqual(first.map((r) => r.key));
    const weighed = new Date(ADMITTED.getTime() + 27 * HOUR);
    const afterReading = due(new Date(weighed.getTime() + 26 * HOUR), [reading('body_weight', 80, 'kg', weighed)], [WEIGHT]);
    expect(afterReading.map((r) => r.key)).toEqual([`sms-reminder:p1:body_weight:${weighed.toISOString()}`]);
  });

  it('sends nothing outside the allowed hours, in the patient\'s time zone', () => {
    // 26 h after admission is 10:00 London; 34 h is 18:00; 36 h is 20:00 (the end, exclusive); 49 h is 09:00.
    expect(due(new Date(ADMITTED.getTime() + 34 * HOUR))).toHaveLength(2);
    expect(due(new Date(ADMITTED.getTime() + 36 * HOUR))).toEqual([]);
    expect(due(new Date(ADMITTED.getTime() + 48 * HOUR))).toEqual([]);
    expect(due(new Date(ADMITTED.getTime() + 49 * HOUR))).toHaveLength(2);
  });
});

describe('withinHours and carePlanReminderHours', () => {
  it.each([
    ['2026-01-15T08:59:00Z', false], // GMT: 08:59
    ['2026-01-15T09:00:00Z', true],
    ['2026-07-15T08:00:00Z', true], // BST: 09:00
    ['2026-07-15T18:59:00Z', true], // 19:59
    ['2026-07-15T19:00:00Z', false], // 20:00
  ])('%s in London within 9–20: %s', (at, inside) => expect(withinHours(new Date(at), { from: 9, to: 20 }, 'Europe/London')).toBe(inside));

  it('reads a care plan\'s hours only when they make sense', () => {
    expect(carePlanReminderHours({ smsReminderHours: { from: 8, to: 12 } })).toEqual({ from: 8, to: 12 });
    expect(carePlanReminderHours({ smsReminderHours: { from: 12, to: 8 } })).toBeUndefined();
    expect(carePlanReminderHours({ smsReminderHours: { from: 8.5, to: 12 } })).toBeUndefined();
    expect(carePlanReminderHours({})).toBeUndefined();
  });
});
