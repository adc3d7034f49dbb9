import { e164FromSmsc } from './phone-number';

describe('e164FromSmsc', () => {
  it.each([
    ['447700900123', 1, '+447700900123'],
    ['+447700900123', 0, '+447700900123'],
    ['00447700900123', 0, '+447700900123'],
    ['07700900123', 2, '+447700900123'],
    ['07700 900 123', 0, '+447700900123'],
    ['447700900123', 0, '+447700900123'],
    ['7700900123', 0, '+447700900123'],
    ['33612345678', 1, '+33612345678'],
  ])('%s (TON %d) → %s', (address, ton, expected) => expect(e164FromSmsc(address, ton)).toBe(expected));

  it.each([['HOMEWARD'], [''], ['12'], ['0'], ['+0123456789']])('%j is no phone number', (address) => expect(e164FromSmsc(address, 5)).toBeUndefined());
});
