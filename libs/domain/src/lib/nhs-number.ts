import { type CodedError, type Result, fail, ok } from './coded-error';

/** A valid NHS number: exactly ten digits, check digit verified. */
export type NhsNumber = string & { readonly __brand: 'NhsNumber' };

export type NhsNumberErrorCode = 'nhs-number.format' | 'nhs-number.check-digit';

/**
 * Parses an NHS number as people write it ("943 476 5919", "9434765919", "943-476-5919") and
 * verifies its Modulus 11 check digit (NHS Data Dictionary): the first nine digits are weighted
 * 10 down to 2, the weighted sum is taken modulo 11 and subtracted from 11; a result of 11 means a
 * check digit of 0, and a result of 10 means the number is invalid (no such number is issued).
 */
export function parseNhsNumber(input: string): Result<NhsNumber, CodedError<NhsNumberErrorCode>> {
  const compact = input.trim().replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(compact)) {
    return fail('nhs-number.format', 'An NHS number has exactly 10 digits (spaces allowed, e.g. "943 476 5919").', {
      input,
    });
  }
  const expected = nhsCheckDigit(compact.slice(0, 9));
  if (expected === undefined || expected !== Number(compact[9])) {
    return fail('nhs-number.check-digit', 'This is not a valid NHS number: its check digit does not match.', {
      input,
    });
  }
  return ok(compact as NhsNumber);
}

/** The Modulus 11 check digit for nine digits, or undefined where it would be 10 (invalid). */
export function nhsCheckDigit(nineDigits: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nineDigits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

/** "9434765919" → "943 476 5919", the NHS's display format. */
export function formatNhsNumber(nhsNumber: NhsNumber): string {
  return `${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)}`;
}
