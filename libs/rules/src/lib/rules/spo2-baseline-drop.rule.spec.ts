import { NOW, carePlan, reading } from '../testing/rules-test.builders';
import { spo2BaselineDropRule } from './spo2-baseline-drop.rule';

/** One SpO2 a day for the last `values.length` days (the newest last), then the current one. */
const history = (values: readonly number[], current: number) => [
  ...values.map((v, i) => reading('spo2', v, (values.length - i) * 24)),
  reading('spo2', current, 0.5),
];

describe('spo2BaselineDropRule', () => {
  const steady = [94, 95, 93, 94, 94, 94, 94];

  it('alerts 3 points below a 7-day baseline, in words a nurse can act on', () => {
    const readings = history(steady, 91);
    const [alert, ...rest] = spo2BaselineDropRule(readings, carePlan(), NOW);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ rule: 'spo2-baseline-drop', severity: 'medium', subject: 'spo2:baseline-drop', readings: [readings[7]] });
    expect(alert!.explanation).toBe(
      "SpO2 91 %, 3 points below this patient's 7-day baseline of 94 % (usually 93–95 %, from 7 readings). " +
        'Ask the patient to repeat it at rest with a warm hand; if it stays low, ask about breathlessness, cough and fever, and check their other vital signs.',
    );
    expect(alert!.details).toMatchObject({ baselineCount: 7, drop: 3 });
  });

  it('does not alert on a smaller drop', () => {
    expect(spo2BaselineDropRule(history(steady, 92), carePlan(), NOW)).toEqual([]);
  });

  it("does not alert within a variable patient's usual spread", () => {
    const variable = [90, 98, 91, 97, 94, 96, 92]; // mean 94, 2 SD ≈ 6.3
    expect(spo2BaselineDropRule(history(variable, 90), carePlan(), NOW)).toEqual([]);
    expect(spo2BaselineDropRule(history(variable, 87), carePlan(), NOW)).toHaveLength(1);
  });

  it('needs enough readings for a baseline', () => {
    expect(spo2BaselineDropRule(history([94, 94, 94, 94], 88), carePlan(), NOW)).toEqual([]);
    expect(spo2BaselineDropRule(history([94, 94, 94, 94], 88), carePlan({ spo2Baseline: { minReadings: 3 } }), NOW)).toHaveLength(1);
  });

  it('uses only the last N days before the current reading', () => {
    const old = [80, 80, 80, 80, 80].map((v, i) => reading('spo2', v, (8 + i) * 24));
    expect(spo2BaselineDropRule([...old, ...history(steady, 91)], carePlan(), NOW)).toHaveLength(1);
    const [three] = spo2BaselineDropRule(history(steady, 91), carePlan({ spo2Baseline: { days: 3, minReadings: 3 } }), NOW);
    expect(three!.explanation).toContain("this patient's 3-day baseline of 94 % (usually 94 %, from 3 readings)");
  });

  it('judges the latest measured SpO2 of the last 24 hours only', () => {
    const stale = [...steady.map((v, i) => reading('spo2', v, (8 - i) * 24 + 30)), reading('spo2', 88, 30)];
    expect(spo2BaselineDropRule(stale, carePlan(), NOW)).toEqual([]);
  });

  it('can be turned off or given another severity', () => {
    expect(spo2BaselineDropRule(history(steady, 91), carePlan({ spo2Baseline: { enabled: false } }), NOW)).toEqual([]);
    expect(spo2BaselineDropRule(history(steady, 91), carePlan({ spo2Baseline: { severity: 'low-medium' } }), NOW)[0]).toMatchObject({ severity: 'low-medium' });
  });
});
