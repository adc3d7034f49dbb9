import { news2BandRank, news2Risk } from './news2-risk.score';

// RCP 2017 chart 3 (bands) and chart 4 (monitoring and response).
describe('news2Risk', () => {
  it.each([
    [0, false, 'low', 'aggregate-0', 'Minimum 12-hourly'],
    [1, false, 'low', 'aggregate-1-4', 'Minimum 4–6-hourly'],
    [4, false, 'low', 'aggregate-1-4', 'Minimum 4–6-hourly'],
    [3, true, 'low-medium', 'single-parameter-3', 'Minimum 1-hourly'],
    [4, true, 'low-medium', 'single-parameter-3', 'Minimum 1-hourly'],
    [5, false, 'medium', 'aggregate-5-6', 'Minimum 1-hourly'],
    [6, false, 'medium', 'aggregate-5-6', 'Minimum 1-hourly'],
    [5, true, 'medium', 'aggregate-5-6', 'Minimum 1-hourly'],
    [6, true, 'medium', 'aggregate-5-6', 'Minimum 1-hourly'],
    [7, false, 'high', 'aggregate-7-plus', 'Continuous monitoring of vital signs'],
    [7, true, 'high', 'aggregate-7-plus', 'Continuous monitoring of vital signs'],
    [20, true, 'high', 'aggregate-7-plus', 'Continuous monitoring of vital signs'],
  ] as const)('aggregate %p (a single 3: %p) is %s risk', (aggregate, single3, band, trigger, monitoring) => {
    const risk = news2Risk(aggregate, single3);
    expect(risk).toMatchObject({ band, trigger, monitoring });
    expect(risk.response.length).toBeGreaterThan(10);
  });

  it('gives the chart 4 responses', () => {
    expect(news2Risk(0, false).response).toMatch(/routine/);
    expect(news2Risk(2, false).response).toMatch(/registered nurse, who must assess/);
    expect(news2Risk(3, true).response).toMatch(/Urgent ward-based response.*medical team/);
    expect(news2Risk(5, false).response).toMatch(/urgent assessment by a clinician or team competent in the care of acutely ill patients/);
    expect(news2Risk(7, false).response).toMatch(/Emergency .*critical care competencies/);
  });

  it.each([-1, 21, 2.5, Number.NaN])('refuses an impossible aggregate %p', (aggregate) => {
    expect(() => news2Risk(aggregate, false)).toThrow(RangeError);
  });

  it('ranks bands in order of urgency', () => {
    expect(['high', 'low', 'medium', 'low-medium'].map((b) => news2BandRank(b as never))).toEqual([3, 0, 2, 1]);
  });
});
