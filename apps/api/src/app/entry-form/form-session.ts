import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The no-JavaScript entry form's session and CSRF protection (issue 22). The session token (the
 * same opaque sessions as bearer sign-in) travels in an HttpOnly, SameSite=Strict cookie scoped to
 * the form's path, Secure when served over HTTPS, so no other page or script ever sees it. Each
 * form carries a token derived from that secret and the form's purpose (HMAC), so a page on
 * another site cannot post a form that passes, even if a browser ignored SameSite. The sign-in
 * form, before there is a session, uses a random pre-session cookie as the key instead.
 */
export const ENTRY_PATH = '/enter';
export const SESSION_COOKIE = 'homeward_entry';
export const PRE_SESSION_COOKIE = 'homeward_entry_pre';

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 1) continue;
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (name && !(name in cookies)) cookies[name] = value;
  }
  return cookies;
}

/** A Set-Cookie value for these pages only; maxAgeSeconds 0 clears it. */
export function cookieHeader(name: string, value: string, options: { readonly secure: boolean; readonly maxAgeSeconds: number }): string {
  return [`${name}=${value}`, `Path=${ENTRY_PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${options.maxAgeSeconds}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

export function newPreSessionKey(): string {
  return randomBytes(24).toString('base64url');
}

/** The form token for one purpose ("sign-in", "readings:<patientId>", "sign-out") under a cookie's secret. */
export function formToken(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(`homeward-entry-form:${purpose}`).digest('base64url');
}

export function formTokenMatches(secret: string | undefined, purpose: string, sent: unknown): boolean {
  if (!secret || typeof sent !== 'string') return false;
  const expected = Buffer.from(formToken(secret, purpose));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
