import { checkPasswordPolicy } from './password-policy';

describe('password policy (12 characters and a deny-list of common passwords)', () => {
  it.each([
    ['password1234', 'password.common'],
    ['PASSWORD1234', 'password.common'],
    ['123456789012', 'password.common'],
    ['qwertyuiopas', undefined], // not on the list, not a repetition: long enough
    ['Summer2026!!!', 'password.common'],
    ['iloveyou2026', 'password.common'],
    ['abcabcabcabc', 'password.common'],
    ['aaaaaaaaaaaa', 'password.common'],
    ['abababababab', 'password.common'],
    ['shortpass1', 'password.too-short'],
    ['x'.repeat(257), 'password.too-long'],
    ['plinth orchard velvet kettle', undefined],
    ['correct horse battery staple', undefined],
  ])('%s → %s', (password, code) => {
    expect(checkPasswordPolicy(password)?.code).toBe(code);
  });

  it('counts characters, not UTF-16 units (an emoji is one character)', () => {
    expect(checkPasswordPolicy('🙂🐝🌳🚲🎻🧭🪁🍐🦔🌋🧵z')?.code).toBeUndefined();
    expect(checkPasswordPolicy('🙂'.repeat(11) + 'z')?.code).toBe('password.common'); // two different characters: trivial
    expect(checkPasswordPolicy('🙂🙃'.repeat(5) + 'a')?.code).toBe('password.too-short');
  });
});
