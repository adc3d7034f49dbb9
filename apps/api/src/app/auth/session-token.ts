import { createHash, randomBytes } from 'node:crypto';

/** A new opaque session token (256 random bits) and the hash that is stored. */
export function newSessionToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSessionToken(token) };
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The bearer token of a request's Authorization header, or '' when there is none. */
export function bearerToken(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const header = headers['authorization'];
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
}
