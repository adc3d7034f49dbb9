import type { ChartThreshold } from '@homeward/contracts';
import { gapLimitMs, gapsOf, splitAtGaps, thresholdBands, timeTicks } from './chart-axes';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const limit = (vital: string, direction: ChartThreshold['direction'], value: number, severity: string): ChartThreshold => ({ vital, direction, value, severity, source: 'pathway' });

describe('time ticks', () => {
  it('labels a day in hours (every 3 h), a week in days and a month every 5 days, with dates', () => {
    expect(timeTicks(0, DAY)).toEqual({ unit: 'hour', stepSize: 3, format: 'HH:mm' });
    expect(timeTicks(0, 6 * HOUR)).toEqual({ unit: 'hour', stepSize: 1, format: 'HH:mm' });
    expect(timeTicks(0, 12 * HOUR).stepSize).toBe(1);
    expect(timeTicks(0, 12 * HOUR + 1).stepSize).toBe(3);
    expect(timeTicks(0, 2 * DAY).unit).toBe('hour');
    expect(timeTicks(0, 2 * DAY + 1)).toEqual({ unit: 'day', stepSize: 1, format: 'EEE d MMM' });
    expect(timeTicks(0, 7 * DAY)).toEqual({ unit: 'day', stepSize: 1, format: 'EEE d MMM' });
    expect(timeTicks(0, 10 * DAY + 1)).toEqual({ unit: 'day', stepSize: 5, format: 'd MMM' });
    expect(timeTicks(0, 30 * DAY).stepSize).toBe(5);
    expect(timeTicks(0, 90 * DAY).stepSize).toBe(14);
  });
});

describe('gaps where expected readings are missing', () => {
  it('allows the schedule plus the silence rules’ grace before a reading counts as missing', () => {
    expect(gapLimitMs(24, [])).toBe(28 * HOUR); // daily: 4 h grace
    expect(gapLimitMs(12, [])).toBe(16 * HOUR); // twice daily: the night
    expect(gapLimitMs(8, [])).toBe(16 * HOUR);
    expect(gapLimitMs(1, [])).toBe(16 * HOUR);
    expect(gapLimitMs(48, [])).toBe(52 * HOUR);
  });

  it('without a schedule, allows five usual intervals and at least 10 minutes', () => {
    expect(gapLimitMs(null, [0, 60_000, 120_000, 180_000, 10 * HOUR])).toBe(10 * 60_000); // 5 × 1 min is under the floor
    expect(gapLimitMs(undefined, [0, HOUR, 2 * HOUR, 3 * HOUR])).toBe(5 * HOUR);
    expect(gapLimitMs(null, [])).toBe(10 * 60_000);
  });

  it('breaks the line between readings further apart than the limit, and only there', () => {
    const points = [
      { x: 0, y: 95 },
      { x: 10 * HOUR, y: 94 },
      { x: 30 * HOUR, y: 93 },
      { x: 30 * HOUR + 1, y: 96 },
    ];
    const split = splitAtGaps(points, 10 * HOUR);
    expect(split).toEqual([{ x: 0, y: 95 }, { x: 10 * HOUR, y: 94 }, { x: 20 * HOUR, y: null }, { x: 30 * HOUR, y: 93 }, { x: 30 * HOUR + 1, y: 96 }]);
    expect(gapsOf(split)).toEqual([{ after: 10 * HOUR, before: 30 * HOUR }]);
    expect(splitAtGaps(points, 20 * HOUR)).toEqual(points); // exactly the limit is no gap
    expect(splitAtGaps([], HOUR)).toEqual([]);
  });
});

describe('threshold bands', () => {
  it('shades each SpO2 limit down to the next, more severe one, and the lowest to the axis', () => {
    const bands = thresholdBands([limit('spo2', 'at-or-below', 91, 'high'), limit('spo2', 'at-or-below', 95, 'low-medium'), limit('spo2', 'at-or-below', 93, 'medium')], 80, 100);
    expect(bands).toEqual([
      { from: 93, to: 95, severity: 'low-medium' },
      { from: 91, to: 93, severity: 'medium' },
      { from: 80, to: 91, severity: 'high' },
    ]);
  });

  it('shades limits on both sides, up to the axis top, and clips what lies outside the range', () => {
    const bands = thresholdBands(
      [limit('heart_rate', 'at-or-above', 131, 'high'), limit('heart_rate', 'at-or-above', 111, 'medium'), limit('heart_rate', 'at-or-below', 40, 'high'), limit('heart_rate', 'at-or-below', 20, 'high'), limit('heart_rate', 'at-or-above', 90, 'unknown')],
      30,
      160,
    );
    expect(bands).toEqual([
      { from: 111, to: 131, severity: 'medium' },
      { from: 131, to: 160, severity: 'high' },
      { from: 30, to: 40, severity: 'high' },
    ]);
    expect(thresholdBands([limit('spo2', 'at-or-above', 120, 'high')], 80, 100)).toEqual([]);
    expect(thresholdBands([], 80, 100)).toEqual([]);
  });
});
