import { dictionary } from '@zxcvbn-ts/language-common';

export type PasswordProblemCode = 'password.too-short' | 'password.too-long' | 'password.common';

export interface PasswordProblem {
  readonly code: PasswordProblemCode;
  readonly message: string;
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/**
 * The deny-list: zxcvbn-ts's list of common passwords (about 49,000, from real breach corpora,
 * maintained with the zxcvbn-ts project), lowercased once. NCSC and NIST SP 800-63B both ask for
 * a deny-list of common and breached passwords rather than composition rules.
 */
let common: ReadonlySet<string> | undefined;
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set((dictionary['passwords-common'] as readonly string[]).map((word) => word.toLowerCase()));
  return common;
}

/**
 * Whether a password a person chose may be used: at least 12 characters, and not a common password
 * or one dressed up as a longer one — a listed password repeated, or followed by digits and
 * symbols ("password1234", "Summer2026!!!", "qwertyqwerty") is what an attacker tries first.
 * Generated passwords (`homeward user add`) pass by construction.
 */
export function checkPasswordPolicy(password: string): PasswordProblem | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return { code: 'password.too-short', message: `The password must be at least ${MIN_PASSWORD_LENGTH} characters.` };
  if (length > MAX_PASSWORD_LENGTH) return { code: 'password.too-long', message: `The password must be at most ${MAX_PASSWORD_LENGTH} characters.` };
  const lower = password.toLowerCase();
  const core = lower.replace(/[\d\W_]+$/u, '');
  const list = commonPasswords();
  const units = [repeatedUnit(lower), repeatedUnit(core)];
  const candidates = [lower, core, ...units].filter((word): word is string => word !== undefined && word.length >= 4);
  const trivial = new Set(lower).size <= 2 || units.some((unit) => unit !== undefined && [...unit].length <= 4);
  if (trivial || candidates.some((word) => list.has(word))) {
    return { code: 'password.common', message: 'This password is too common or too easy to guess (it is on a list attackers try first). Choose another, for example three random words.' };
  }
  return undefined;
}

/** "abcabcabc" → "abc": the shortest unit a string repeats, when it is a repetition. */
function repeatedUnit(text: string): string | undefined {
  for (let size = 1; size <= text.length / 2; size++) {
    if (text.length % size === 0 && text.slice(0, size).repeat(text.length / size) === text) return text.slice(0, size);
  }
  return undefined;
}
