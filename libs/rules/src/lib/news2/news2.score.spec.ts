import fc from 'fast-check';
import { ACVPU_LEVELS, NEWS2_PARAMETERS, type News2Result, type News2Values } from './news2.model';
import { news2BandRank } from './news2-risk.score';
import { describeNews2, news2Headline, scoreNews2 } from './news2.score';

const NORMAL: Required<News2Values> = {
  respiration_rate: 16,
  spo2: 97,
  air_or_oxygen: 'air',
  systolic_bp: 125,
  heart_rate: 72,
  consciousness: 'A',
  body_temperature: 36.8,
};

function score(values: News2Values, scale: 1 | 2 = 1): News2Result {
  const result = scoreNews2(values, scale);
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function complete(values: News2Values, scale: 1 | 2 = 1) {
  const result = score(values, scale);
  if (result.partial) throw new Error(`expected a complete score, missing ${result.missing.join(', ')}`);
  return result;
}

describe('scoreNews2, complete', () => {
  it('scores a normal set 0: low risk, routine 12-hourly monitoring', () => {
    const result = complete(NORMAL);
    expect(result).toMatchObject({ partial: false, missing: [], score: 0, present: [...NEWS2_PARAMETERS], hasSingleParameter3: false });
    expect(result.risk).toMatchObject({ band: 'low', trigger: 'aggregate-0', monitoring: 'Minimum 12-hourly' });
    expect(result.parameters.body_temperature).toEqual({ value: 36.8, scoredValue: 36.8, score: 0 });
    expect(result.parameters.spo2).toEqual({ value: 97, scoredValue: 97, scale: 1, score: 0 });
  });

  it.each([
    // aggregate, band, the values that differ from NORMAL
    [1, 'low', { heart_rate: 91 }],
    [4, 'low', { respiration_rate: 21, spo2: 94, heart_rate: 91 }], // 2 + 1 + 1
    [5, 'medium', { respiration_rate: 21, spo2: 94, heart_rate: 91, body_temperature: 38.1 }], // + 1
    [6, 'medium', { respiration_rate: 21, spo2: 92, heart_rate: 91, body_temperature: 38.5 }], // 2 + 2 + 1 + 1
    [7, 'high', { respiration_rate: 21, spo2: 92, air_or_oxygen: 'oxygen', heart_rate: 91 }], // 2 + 2 + 2 + 1
    [3, 'low-medium', { consciousness: 'C' }],
    [3, 'low-medium', { systolic_bp: 90 }],
    [4, 'low-medium', { body_temperature: 35.0, heart_rate: 91 }], // 3 + 1
    [5, 'medium', { respiration_rate: 25, air_or_oxygen: 'oxygen' }], // 3 + 2: aggregate outranks the single 3
    [7, 'high', { consciousness: 'U', heart_rate: 131, body_temperature: 38.5 }], // 3 + 3 + 1
  ] as const)('aggregate %p is %s risk', (aggregate, band, changes) => {
    const result = complete({ ...NORMAL, ...changes });
    expect(result.score).toBe(aggregate);
    expect(result.risk.band).toBe(band);
  });

  it('reaches 20 with every parameter at its worst', () => {
    const result = complete({
      respiration_rate: 30,
      spo2: 85,
      air_or_oxygen: 'oxygen',
      systolic_bp: 85,
      heart_rate: 140,
      consciousness: 'U',
      body_temperature: 34.5,
    });
    expect(result.score).toBe(20);
    expect(result.risk.band).toBe('high');
  });

  it('scores temperature at one decimal, rounding half away from zero', () => {
    expect(complete({ ...NORMAL, body_temperature: 36.05 }).parameters.body_temperature).toEqual({ value: 36.05, scoredValue: 36.1, score: 0 });
    expect(complete({ ...NORMAL, body_temperature: 36.04 }).parameters.body_temperature).toEqual({ value: 36.04, scoredValue: 36, score: 1 });
  });

  it.each(ACVPU_LEVELS)('scores ACVPU %s', (level) => {
    expect(complete({ ...NORMAL, consciousness: level }).score).toBe(level === 'A' ? 0 : 3);
  });
});

describe('scoreNews2, SpO2 scales and oxygen', () => {
  it('scale 1 ignores oxygen when scoring SpO2, but oxygen still scores 2', () => {
    const onOxygen = complete({ ...NORMAL, spo2: 97, air_or_oxygen: 'oxygen' });
    expect(onOxygen.parameters.spo2?.score).toBe(0);
    expect(onOxygen.parameters.air_or_oxygen).toEqual({ value: 'oxygen', score: 2 });
    expect(onOxygen.score).toBe(2);
  });

  it.each([
    [93, 'air', 0, 0],
    [97, 'air', 0, 0],
    [93, 'oxygen', 1, 3],
    [95, 'oxygen', 2, 4],
    [97, 'oxygen', 3, 5],
    [90, 'oxygen', 0, 2],
    [86, 'air', 1, 1],
    [83, 'oxygen', 3, 5],
  ] as const)('scale 2: SpO2 %p on %s scores %p (aggregate %p)', (spo2, airOrOxygen, spo2Score, aggregate) => {
    const result = complete({ ...NORMAL, spo2, air_or_oxygen: airOrOxygen }, 2);
    expect(result.parameters.spo2).toEqual({ value: spo2, scoredValue: spo2, scale: 2, score: spo2Score });
    expect(result.score).toBe(aggregate);
  });

  it('scale 2 with air/oxygen unknown scores SpO2 ≥ 93 as on air, says so, and stays partial', () => {
    const result = score({ ...NORMAL, air_or_oxygen: undefined, spo2: 97 }, 2);
    expect(result.partial).toBe(true);
    expect(result.missing).toEqual(['air_or_oxygen']);
    expect(result.parameters.spo2).toEqual({ value: 97, scoredValue: 97, scale: 2, score: 0, assumed: 'air' });
  });

  it('scale 2 below 93 needs no assumption', () => {
    const result = score({ spo2: 85 }, 2);
    expect(result.parameters.spo2).toEqual({ value: 85, scoredValue: 85, scale: 2, score: 2 });
  });
});

describe('scoreNews2, partial', () => {
  it('lists what it had and what is missing, in chart order, under names that force a check', () => {
    const result = score({ spo2: 92, systolic_bp: 120, heart_rate: 95, body_temperature: 37.2, air_or_oxygen: 'air' });
    expect(result.partial).toBe(true);
    expect(result.missing).toEqual(['respiration_rate', 'consciousness']);
    expect(result.present).toEqual(['spo2', 'air_or_oxygen', 'systolic_bp', 'heart_rate', 'body_temperature']);
    expect('score' in result).toBe(false);
    expect('risk' in result).toBe(false);
    if (!result.partial) throw new Error('expected partial');
    expect(result.partialScore).toBe(3);
    expect(result.partialRisk.band).toBe('low');
  });

  it('cannot be read as complete without narrowing on `partial`', () => {
    const result: News2Result = score({ heart_rate: 130 });
    // @ts-expect-error a News2Result has no `score` until `partial` is known to be false
    expect(result.score).toBeUndefined();
    expect(result.partial ? result.partialScore : result.score).toBe(2);
  });

  it('computes risk on what is present: a single 3 is low-medium, 5+ medium', () => {
    const single3 = score({ consciousness: 'V' });
    expect(single3.partial && single3.partialRisk.band).toBe('low-medium');
    const medium = score({ respiration_rate: 26, spo2: 92 });
    expect(medium.partial && [medium.partialScore, medium.partialRisk.band]).toEqual([5, 'medium']);
  });

  it('treats null as not measured', () => {
    const result = score({ ...NORMAL, respiration_rate: null as unknown as undefined });
    expect(result.missing).toEqual(['respiration_rate']);
  });

  it('with nothing at all, is partial 0 with every parameter missing', () => {
    const result = score({});
    expect(result.partial && [result.partialScore, result.missing.length]).toEqual([0, 7]);
  });

  it('is a lower bound: adding the missing parameters never lowers the score or the band', () => {
    const full = fc.record({
      respiration_rate: fc.integer({ min: 2, max: 80 }),
      spo2: fc.integer({ min: 40, max: 100 }),
      air_or_oxygen: fc.constantFrom('air' as const, 'oxygen' as const),
      systolic_bp: fc.integer({ min: 40, max: 300 }),
      heart_rate: fc.integer({ min: 20, max: 300 }),
      consciousness: fc.constantFrom(...ACVPU_LEVELS),
      body_temperature: fc.double({ min: 25, max: 45, noNaN: true }),
    });
    const keep = fc.record({
      respiration_rate: fc.boolean(),
      spo2: fc.boolean(),
      air_or_oxygen: fc.boolean(),
      systolic_bp: fc.boolean(),
      heart_rate: fc.boolean(),
      consciousness: fc.boolean(),
      body_temperature: fc.boolean(),
    });
    fc.assert(
      fc.property(full, keep, fc.constantFrom(1 as const, 2 as const), (values, kept, scale) => {
        const whole = complete(values, scale);
        const subset = Object.fromEntries(Object.entries(values).filter(([k]) => kept[k as keyof typeof kept])) as News2Values;
        const part = score(subset, scale);
        const partScore = part.partial ? part.partialScore : part.score;
        const partBand = part.partial ? part.partialRisk.band : part.risk.band;
        expect(whole.score).toBeGreaterThanOrEqual(partScore);
        expect(news2BandRank(whole.risk.band)).toBeGreaterThanOrEqual(news2BandRank(partBand));
        expect(whole.score).toBe(NEWS2_PARAMETERS.reduce((sum, p) => sum + (whole.parameters[p]?.score ?? 0), 0));
        expect(whole.score).toBeLessThanOrEqual(20);
      }),
    );
  });
});

describe('scoreNews2, invalid input', () => {
  it.each([
    [{ respiration_rate: Number.NaN }, 'news2.not-a-number'],
    [{ heart_rate: Number.POSITIVE_INFINITY }, 'news2.not-a-number'],
    [{ spo2: '97' as unknown as number }, 'news2.not-a-number'],
    [{ respiration_rate: 1 }, 'news2.implausible'],
    [{ spo2: 101 }, 'news2.implausible'],
    [{ body_temperature: 45.5 }, 'news2.implausible'],
    [{ systolic_bp: 350 }, 'news2.implausible'],
    [{ consciousness: 'X' as never }, 'news2.invalid-acvpu'],
    [{ consciousness: 'a' as never }, 'news2.invalid-acvpu'],
    [{ air_or_oxygen: 'nasal cannula' as never }, 'news2.invalid-air-or-oxygen'],
  ])('%p is refused with %s', (values, code) => {
    const result = scoreNews2(values, 1);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it('refuses a scale other than 1 or 2', () => {
    const result = scoreNews2(NORMAL, 3 as never);
    expect(!result.ok && result.error.code).toBe('news2.invalid-scale');
  });
});

describe('describeNews2 and news2Headline', () => {
  it('never words a partial score as a complete one', () => {
    expect(describeNews2(complete({ ...NORMAL, respiration_rate: 22, spo2: 95, heart_rate: 95, body_temperature: 38.2 }))).toBe('NEWS2 5 (medium risk)');
    const partial = score({ spo2: 92, heart_rate: 95, systolic_bp: 120, air_or_oxygen: 'air', body_temperature: 37 });
    expect(describeNews2(partial)).toBe(
      'Partial NEWS2: at least 3 (low risk) from 5 of 7 parameters; missing respiratory rate, consciousness (ACVPU)',
    );
    expect(news2Headline(partial)).toEqual({ score: 3, band: 'low', partial: true });
    expect(news2Headline(complete(NORMAL))).toEqual({ score: 0, band: 'low', partial: false });
  });
});
