import { NOW, reading } from '../testing/rules-test.builders';
import { HOUR_MS } from '../shared/reading-window';
import { personalBaseline } from './personal-baseline.stats';

describe('personalBaseline', () => {
  const from = new Date(NOW.getTime() - 48 * HOUR_MS);

  it('is the mean and sample standard deviation of the readings in [from, to)', () => {
    const readings = [reading('spo2', 93, 40), reading('spo2', 95, 30), reading('spo2', 94, 20), reading('spo2', 96, 10), reading('spo2', 70, 0), reading('spo2', 80, 49)];
    const baseline = personalBaseline(readings, 'spo2', from, NOW);
    expect(baseline).toMatchObject({ vital: 'spo2', count: 4, mean: 94.5 });
    expect(baseline!.standardDeviation).toBeCloseTo(Math.sqrt(5 / 3), 10);
    expect(baseline!.readings.map((r) => r.value)).toEqual([93, 95, 94, 96]);
  });

  it('has spread 0 for one reading and is null for none', () => {
    expect(personalBaseline([reading('spo2', 95, 5)], 'spo2', from, NOW)).toMatchObject({ count: 1, mean: 95, standardDeviation: 0 });
    expect(personalBaseline([reading('heart_rate', 70, 5)], 'spo2', from, NOW)).toBeNull();
  });
});
