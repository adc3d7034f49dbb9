import { NOW, carePlan, reading } from '../testing/rules-test.builders';
import { weightGainRule, weightGainSettings } from './weight-gain.rule';

const heartFailure = carePlan({ pathway: 'heart-failure' });
const daysAgo = (days: number) => days * 24;
const weights = (...pairs: [kg: number, days: number][]) => pairs.map(([kg, days]) => reading('body_weight', kg, daysAgo(days)));

describe('weightGainRule', () => {
  it('alerts on more than 2 kg in 3 days for heart failure, and explains it', () => {
    const readings = weights([74.0, 3], [74.6, 2], [75.3, 1], [76.4, 0.01]);
    const [alert, ...rest] = weightGainRule(readings, heartFailure, NOW);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ rule: 'weight-gain', severity: 'medium', subject: 'body_weight:gain', readings: [readings[0], readings[3]] });
    expect(alert!.readingIds).toEqual([readings[0]!.id, readings[3]!.id]);
    expect(alert!.explanation).toBe(
      'Weight 76.4 kg, up 2.4 kg from 74 kg 3 days earlier (alert limit: a gain of more than 2 kg in 3 days). ' +
        'Ask about breathlessness, ankle swelling and sleeping propped up, and review fluid and diuretic plans with the heart failure team.',
    );
    expect(alert!.details).toMatchObject({ gainKg: 2.4, limitKg: 2, limitDays: 3 });
  });

  it.each([
    [74.0, 76.0], // exactly 2 kg is not more than 2 kg
    [74.1, 76.1], // 2.0000000000000027 in binary; still exactly 2 kg
    [72.1, 74.1],
  ])('does not alert on exactly 2 kg (%p → %p)', (from, to) => {
    expect(weightGainRule(weights([from, 2], [to, 0]), heartFailure, NOW)).toEqual([]);
  });

  it('alerts on the smallest gain over the limit (5 g, the scale resolution)', () => {
    expect(weightGainRule(weights([74.0, 2], [76.005, 0]), heartFailure, NOW)).toHaveLength(1);
  });

  it('measures from the lowest weight in the window, not the first', () => {
    const [alert] = weightGainRule(weights([75.0, 2.5], [73.5, 1.5], [75.6, 0]), heartFailure, NOW);
    expect(alert!.details).toMatchObject({ lowestKg: 73.5, gainKg: 2.1 });
    expect(alert!.explanation).toContain('up 2.1 kg from 73.5 kg 1.5 days earlier');
  });

  it('counts a weight up to 12 hours beyond the 3-day edge (the tolerance), and nothing older', () => {
    expect(weightGainRule(weights([73.0, 3], [75.5, 0]), heartFailure, NOW)).toHaveLength(1);
    expect(weightGainRule(weights([73.0, 3.5], [75.5, 0]), heartFailure, NOW)).toHaveLength(1);
    expect(weightGainRule(weights([73.0, 3.51], [74.5, 2], [75.5, 0]), heartFailure, NOW)).toEqual([]);
  });

  it('uses a reading outside the window only when none inside is nearer the edge', () => {
    // Twice-daily weights: 3 days exactly is inside and nearest the edge, so 3.5 days is not used.
    expect(weightGainRule(weights([73.0, 3.5], [74.0, 3], [75.5, 0]), heartFailure, NOW)).toEqual([]);
    // 2.75 days inside (6 h from the edge) vs 3.1 days outside (2.4 h): the outside one is nearer.
    expect(weightGainRule(weights([73.0, 3.1], [74.0, 2.75], [75.5, 0]), heartFailure, NOW)[0]).toMatchObject({ details: { lowestKg: 73.0 } });
  });

  it('2.7 kg gain over 73 h on heart failure alerts, saying the earlier reading lies within the tolerance', () => {
    const readings = [reading('body_weight', 80.0, 73), reading('body_weight', 82.7, 0)];
    const [alert] = weightGainRule(readings, heartFailure, NOW);
    expect(alert).toMatchObject({ severity: 'medium', details: { gainKg: 2.7, spanMs: 73 * 3_600_000, toleranceHours: 12 } });
    expect(alert!.explanation).toContain('up 2.7 kg from 80 kg 3 days earlier (alert limit: a gain of more than 2 kg in 3 days, readings up to 12 hours beyond it counted)');
  });

  it('a tolerance of 0 keeps the strict window', () => {
    const plan = carePlan({ pathway: 'heart-failure', weightGain: { toleranceHours: 0 } });
    expect(weightGainRule([reading('body_weight', 80.0, 73), reading('body_weight', 82.7, 0)], plan, NOW)).toEqual([]);
  });

  it('uses the latest measured weight, whatever order they arrived in', () => {
    const late = reading('body_weight', 73.0, daysAgo(0.1), { receivedAt: NOW });
    const early = reading('body_weight', 76.5, daysAgo(0.5));
    const base = reading('body_weight', 73.0, daysAgo(2));
    expect(weightGainRule([late, early, base], heartFailure, NOW)).toEqual([]);
  });

  it('needs a current weight (last 24 hours) and an earlier one', () => {
    expect(weightGainRule(weights([76.5, 0]), heartFailure, NOW)).toEqual([]);
    expect(weightGainRule(weights([73.0, 3], [76.5, 1.5]), heartFailure, NOW)).toEqual([]);
  });

  it('takes the amount and window from the care plan (1 kg in 2 days)', () => {
    const plan = carePlan({ pathway: 'heart-failure', weightGain: { kg: 1, days: 2, severity: 'low-medium' } });
    const [alert] = weightGainRule(weights([74.0, 2], [75.2, 0]), plan, NOW);
    expect(alert).toMatchObject({ severity: 'low-medium' });
    expect(alert!.explanation).toContain('(alert limit: a gain of more than 1 kg in 2 days)');
  });

  it('is off for other pathways unless the care plan turns it on, and can be turned off', () => {
    const readings = weights([74.0, 2], [77.0, 0]);
    expect(weightGainRule(readings, carePlan({ pathway: 'general' }), NOW)).toEqual([]);
    const [enabled] = weightGainRule(readings, carePlan({ pathway: 'general', weightGain: {} }), NOW);
    expect(enabled!.explanation).toMatch(/review with the clinician responsible\.$/);
    expect(weightGainRule(readings, carePlan({ pathway: 'heart-failure', weightGain: { enabled: false } }), NOW)).toEqual([]);
    expect(weightGainSettings(heartFailure)).toEqual({ enabled: true, kg: 2, days: 3, toleranceHours: 12, severity: 'medium' });
  });
});
