import { HOUR_MS } from '../shared/reading-window';
import { NOW, SCALE_2_DECISION, carePlan, normalSet, reading } from '../testing/rules-test.builders';
import { news2History } from './news2-history';

const hoursAgo = (h: number) => new Date(NOW.getTime() - h * HOUR_MS);

function history(...args: Parameters<typeof news2History>) {
  const result = news2History(...args);
  if (!result.ok) throw new Error(`unexpected ${result.error.code}`);
  return result.value;
}

describe('news2History', () => {
  it('makes one point per measurement moment in the range, scored with the window before it', () => {
    // A full normal set 10 h ago, then SpO2 91 (scale 1: 3 points) 2 h ago.
    const readings = [...normalSet(10), reading('spo2', 91, 2)];
    const points = history(readings, carePlan(), hoursAgo(3), NOW);
    expect(points).toHaveLength(1);
    const [point] = points;
    expect(point?.at).toEqual(hoursAgo(2));
    // The 10-hour-old set is still inside the 12 h window: the point sees SpO2 91 with the rest.
    expect(point?.parameters.spo2?.score).toBe(3);
    expect(point?.hasSingleParameter3).toBe(true);
    expect(point?.complete).toBe(false); // consciousness is never assumed at home
    expect(point?.missing).toEqual(['consciousness']);
    expect([point?.score, point?.band]).toEqual([3, 'low-medium']);
  });

  it('joins readings measured at one instant into one point, and leaves out vitals NEWS2 does not use', () => {
    const at = 5;
    const readings = [reading('systolic_bp', 120, at), reading('heart_rate', 72, at), reading('body_weight', 81, at), reading('blood_glucose', 6, 4)];
    const points = history(readings, carePlan(), hoursAgo(6), NOW);
    expect(points.map((p) => p.at)).toEqual([hoursAgo(at)]);
  });

  it('drops readings older than the window before a point', () => {
    const readings = [reading('heart_rate', 135, 14), reading('respiration_rate', 18, 1)];
    const [point] = history(readings, carePlan(), hoursAgo(2), NOW);
    expect(point?.parameters.heart_rate).toBeUndefined(); // 13 h before the point, outside 12 h
    expect(point?.parameters.respiration_rate?.score).toBe(0);
  });

  it('orders points by measurement time whatever order the readings come in', () => {
    const readings = [reading('heart_rate', 92, 1), reading('heart_rate', 112, 3), reading('heart_rate', 80, 2)];
    const points = history(readings, carePlan(), hoursAgo(4), NOW);
    expect(points.map((p) => p.parameters.heart_rate?.value)).toEqual([112, 80, 92]);
    expect(points.map((p) => p.score)).toEqual([2, 0, 1]);
  });

  it('scores SpO2 on scale 2 when a clinician decided it', () => {
    const plan = carePlan({}, { spo2Scale: SCALE_2_DECISION });
    const [point] = history([reading('spo2', 89, 1)], plan, hoursAgo(2), NOW);
    expect(point?.parameters.spo2?.score).toBe(0);
  });

  it('refuses an undocumented scale 2 rather than fall back', () => {
    const plan = carePlan({}, { spo2Scale: { scale: 2 } as never });
    const result = news2History([reading('spo2', 89, 1)], plan, hoursAgo(2), NOW);
    expect(result.ok ? 'ok' : result.error.code).toBe('news2.scale-2-undocumented');
  });

  it('has no points for a range without NEWS2 readings', () => {
    expect(history([reading('body_weight', 80, 1)], carePlan(), hoursAgo(2), NOW)).toEqual([]);
  });
});
