import { NEWS2_COMMAND_USAGE, runNews2Command } from './news2.command';

const split = (line: string) => line.split(' ').filter((s) => s !== '');

describe('runNews2Command', () => {
  it('scores the documented example', () => {
    const result = runNews2Command(split('--rr 16 --spo2 98 --scale 1 --air --sbp 120 --hr 70 --acvpu A --temp 37.0'));
    expect(result).toEqual({
      exitCode: 0,
      output: {
        score: 0,
        risk: 'low',
        partial: false,
        missing: [],
        parameters: {
          rr: { value: 16, score: 0 },
          spo2: { value: 98, scale: 1, score: 0 },
          air: { value: true, score: 0 },
          sbp: { value: 120, score: 0 },
          hr: { value: 70, score: 0 },
          acvpu: { value: 'A', score: 0 },
          temp: { value: 37, score: 0 },
        },
      },
    });
    expect(Object.keys(result.output)).toEqual(['score', 'risk', 'partial', 'missing', 'parameters']);
  });

  it('scores oxygen 2 and keys it "oxygen"', () => {
    const result = runNews2Command(split('--rr 22 --spo2 93 --oxygen --sbp 105 --hr 100 --acvpu A --temp 38.4'));
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatchObject({
      score: 9, // 2 + 2 + 2 + 1 + 1 + 0 + 1
      risk: 'high',
      partial: false,
      parameters: { oxygen: { value: true, score: 2 }, spo2: { value: 93, scale: 1, score: 2 } },
    });
    expect(result.output).not.toHaveProperty('parameters.air');
  });

  it('scores SpO2 on scale 2 with oxygen', () => {
    const result = runNews2Command(split('--rr 18 --spo2 97 --scale 2 --oxygen --sbp 130 --hr 80 --acvpu A --temp 36.9'));
    expect(result.output).toMatchObject({ score: 5, risk: 'medium', parameters: { spo2: { value: 97, scale: 2, score: 3 } } });
  });

  it('is partial when parameters are left out, and names them', () => {
    const result = runNews2Command(split('--spo2 91 --hr 95'));
    expect(result).toEqual({
      exitCode: 0,
      output: {
        score: 4,
        risk: 'low-medium',
        partial: true,
        missing: ['rr', 'air-or-oxygen', 'sbp', 'acvpu', 'temp'],
        parameters: { spo2: { value: 91, scale: 1, score: 3 }, hr: { value: 95, score: 1 } },
      },
    });
  });

  it('on scale 2 without --air or --oxygen, says SpO2 was scored as on air', () => {
    const result = runNews2Command(split('--spo2 96 --scale 2'));
    expect(result.output).toMatchObject({ partial: true, parameters: { spo2: { value: 96, scale: 2, score: 0, assumed: 'air' } } });
  });

  it('shows the value a non-integer or half was scored as', () => {
    const result = runNews2Command(split('--temp 36.05 --rr 20.5'));
    expect(result.output).toMatchObject({
      parameters: { temp: { value: 36.05, scoredAs: 36.1, score: 0 }, rr: { value: 20.5, scoredAs: 21, score: 2 } },
    });
  });

  it.each([
    ['C', 3],
    ['V', 3],
    ['P', 3],
    ['U', 3],
    ['A', 0],
    ['u', 3],
  ])('accepts --acvpu %s (scores %p)', (level, score) => {
    expect(runNews2Command(['--acvpu', level]).output).toMatchObject({ parameters: { acvpu: { value: level.toUpperCase(), score } } });
  });

  it('accepts --flag=value and a leading "news2"', () => {
    expect(runNews2Command(['news2', '--rr=16', '--temp=39.1'])).toMatchObject({
      exitCode: 0,
      output: { score: 2, parameters: { rr: { value: 16, score: 0 }, temp: { value: 39.1, score: 2 } } },
    });
  });

  it('prints usage for --help', () => {
    expect(runNews2Command(['--help'])).toEqual({ exitCode: 0, output: { usage: NEWS2_COMMAND_USAGE } });
    expect(runNews2Command(['-h']).exitCode).toBe(0);
  });

  describe('errors', () => {
    it.each([
      ['--rr 16 --bp 120', 'news2.unknown-flag'],
      ['--rr sixteen', 'news2.not-a-number'],
      ['--rr 16abc', 'news2.not-a-number'],
      ['--spo2 1e2', 'news2.not-a-number'],
      ['--temp Infinity', 'news2.not-a-number'],
      ['--hr 0x40', 'news2.not-a-number'],
      ['--air --oxygen', 'news2.conflicting-flags'],
      ['--spo2 95 --scale 3', 'news2.invalid-scale'],
      ['--spo2 95 --scale 1.0', 'news2.invalid-scale'],
      ['--acvpu X', 'news2.invalid-acvpu'],
      ['--acvpu Alert', 'news2.invalid-acvpu'],
      ['--rr 1', 'news2.implausible'],
      ['--spo2 101', 'news2.implausible'],
      ['--sbp 400', 'news2.implausible'],
      ['--hr 10', 'news2.implausible'],
      ['--temp 370', 'news2.implausible'],
      ['--temp -3', 'news2.implausible'],
      ['--rr', 'news2.missing-value'],
      ['--rr --air', 'news2.missing-value'],
      ['--rr=', 'news2.missing-value'],
      ['--air=yes', 'news2.unexpected-value'],
      ['--rr 16 --rr 18', 'news2.repeated-flag'],
      ['--air --air', 'news2.repeated-flag'],
      ['16', 'news2.unexpected-argument'],
      ['--rr 16 17', 'news2.unexpected-argument'],
      ['', 'news2.no-parameters'],
      ['--scale 2', 'news2.no-parameters'],
    ])('"%s" → %s', (line, code) => {
      const result = runNews2Command(split(line));
      expect(result.exitCode).toBe(1);
      expect(result.output).toEqual({ error: { code, message: expect.any(String) } });
    });

    it('words errors with the flag the person typed', () => {
      const result = runNews2Command(split('--spo2 101'));
      expect(result.output).toEqual({ error: { code: 'news2.implausible', message: expect.stringMatching(/^--spo2: .*40–100/) } });
    });
  });
});
