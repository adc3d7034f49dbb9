import {
  news2ChartValue,
  scoreAirOrOxygen,
  scoreConsciousness,
  scorePulse,
  scoreRespirationRate,
  scoreSpo2Scale1,
  scoreSpo2Scale2,
  scoreSystolicBp,
  scoreTemperature,
} from './news2-parameters.score';

// RCP 2017 NEWS2 chart 1, as tabled in ../shared/CLINICAL.md: both sides of every band edge.

describe('respiration rate', () => {
  it.each([
    [2, 3],
    [8, 3],
    [9, 1],
    [11, 1],
    [12, 0],
    [20, 0],
    [21, 2],
    [24, 2],
    [25, 3],
    [80, 3],
  ])('%p /min scores %p', (rr, score) => expect(scoreRespirationRate(rr)).toBe(score));

  it.each([
    [8.4, 3], // → 8
    [8.5, 1], // → 9
    [11.49, 1],
    [11.5, 0], // → 12
    [20.4, 0],
    [20.5, 2], // → 21
    [24.5, 3], // → 25
  ])('non-integer %p /min is rounded half away from zero first and scores %p', (rr, score) => expect(scoreRespirationRate(rr)).toBe(score));
});

describe('SpO2 scale 1', () => {
  it.each([
    [40, 3],
    [91, 3],
    [92, 2],
    [93, 2],
    [94, 1],
    [95, 1],
    [96, 0],
    [100, 0],
    [91.4, 3],
    [91.5, 2],
    [95.5, 0],
  ])('%p %% scores %p', (spo2, score) => expect(scoreSpo2Scale1(spo2)).toBe(score));
});

describe('SpO2 scale 2', () => {
  // [SpO2, score on air, score on oxygen]
  it.each([
    [40, 3, 3],
    [83, 3, 3],
    [84, 2, 2],
    [85, 2, 2],
    [86, 1, 1],
    [87, 1, 1],
    [88, 0, 0],
    [92, 0, 0],
    [93, 0, 1],
    [94, 0, 1],
    [95, 0, 2],
    [96, 0, 2],
    [97, 0, 3],
    [100, 0, 3],
    [92.5, 0, 1], // → 93
    [87.5, 0, 0], // → 88
  ])('%p %% scores %p on air and %p on oxygen', (spo2, onAir, onOxygen) => {
    expect(scoreSpo2Scale2(spo2, 'air')).toBe(onAir);
    expect(scoreSpo2Scale2(spo2, 'oxygen')).toBe(onOxygen);
  });
});

describe('air or oxygen', () => {
  it('air scores 0 and supplemental oxygen 2', () => {
    expect(scoreAirOrOxygen('air')).toBe(0);
    expect(scoreAirOrOxygen('oxygen')).toBe(2);
  });
});

describe('systolic BP', () => {
  it.each([
    [40, 3],
    [90, 3],
    [91, 2],
    [100, 2],
    [101, 1],
    [110, 1],
    [111, 0],
    [219, 0],
    [220, 3],
    [300, 3],
    [90.4, 3],
    [90.5, 2],
    [219.5, 3],
  ])('%p mmHg scores %p', (sbp, score) => expect(scoreSystolicBp(sbp)).toBe(score));
});

describe('pulse', () => {
  it.each([
    [20, 3],
    [40, 3],
    [41, 1],
    [50, 1],
    [51, 0],
    [90, 0],
    [91, 1],
    [110, 1],
    [111, 2],
    [130, 2],
    [131, 3],
    [300, 3],
    [90.5, 1],
    [130.49, 2],
  ])('%p /min scores %p', (hr, score) => expect(scorePulse(hr)).toBe(score));
});

describe('consciousness (ACVPU)', () => {
  it.each([
    ['A', 0],
    ['C', 3],
    ['V', 3],
    ['P', 3],
    ['U', 3],
  ] as const)('%s scores %p', (level, score) => expect(scoreConsciousness(level)).toBe(score));
});

describe('temperature, to one decimal', () => {
  it.each([
    [25, 3],
    [35.0, 3],
    [35.1, 1],
    [36.0, 1],
    [36.1, 0],
    [38.0, 0],
    [38.1, 1],
    [39.0, 1],
    [39.1, 2],
    [45, 2],
  ])('%p °C scores %p', (temp, score) => expect(scoreTemperature(temp)).toBe(score));

  it.each([
    [34.96, 3], // → 35.0
    [35.04, 3], // → 35.0
    [35.05, 1], // → 35.1
    [36.04, 1], // → 36.0
    [36.05, 0], // → 36.1, although 36.05 is stored as 36.0499… in binary
    [38.04, 0], // → 38.0
    [38.05, 1], // → 38.1
    [39.04, 1], // → 39.0
    [39.05, 2], // → 39.1
  ])('%p °C is rounded half away from zero to one decimal first and scores %p', (temp, score) => expect(scoreTemperature(temp)).toBe(score));
});

describe('news2ChartValue', () => {
  it('is the value the chart is read at', () => {
    expect(news2ChartValue('body_temperature', 36.05)).toBe(36.1);
    expect(news2ChartValue('body_temperature', 37)).toBe(37);
    expect(news2ChartValue('respiration_rate', 20.5)).toBe(21);
    expect(news2ChartValue('spo2', 95.4)).toBe(95);
  });
});
