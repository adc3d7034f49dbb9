import { formatNhsNumber, nhsCheckDigit, parseNhsNumber } from './nhs-number';

describe('NHS number (Modulus 11)', () => {
  it.each([
    ['9434765919', '9434765919'], // the NHS Data Dictionary's example
    ['943 476 5919', '9434765919'], // as printed on letters
    [' 943-476-5919 ', '9434765919'],
    ['8288360750', '8288360750'], // 11 − remainder = 11 ⇒ check digit 0
    ['9420809390', '9420809390'],
  ])('accepts %p and stores %p', (input, stored) => {
    expect(parseNhsNumber(input)).toEqual({ ok: true, value: stored });
  });

  it('refuses a wrong check digit', () => {
    const result = parseNhsNumber('9434765918');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('nhs-number.check-digit');
  });

  it.each(['7049996220', '7049996221', '8484751350', '8484751359'])(
    'refuses %p: its nine digits give 11 − remainder = 10, so no check digit is valid',
    (input) => {
      expect(nhsCheckDigit(input.slice(0, 9))).toBeUndefined();
      expect(parseNhsNumber(input)).toMatchObject({ ok: false, error: { code: 'nhs-number.check-digit' } });
    },
  );

  it.each(['943476591', '94347659190', '943476591A', '', 'nine four three', '943.476.5919'])('refuses the shape of %p', (input) => {
    expect(parseNhsNumber(input)).toMatchObject({ ok: false, error: { code: 'nhs-number.format' } });
  });

  it('formats for display as 3-3-4', () => {
    const parsed = parseNhsNumber('9434765919');
    expect(parsed.ok && formatNhsNumber(parsed.value)).toBe('943 476 5919');
  });
});
