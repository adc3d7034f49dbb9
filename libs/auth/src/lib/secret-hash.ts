import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Device secrets and user passwords are stored only as scrypt hashes (memory-hard: N=2^15, r=8 → 32 MiB per
 * check), in the PHC-like form `scrypt$N$r$p$salt$hash` so parameters can be raised later
 * without invalidating existing devices.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 128 * N * R * 2;

function derive(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, { N: n, r, p, maxmem: Math.max(MAX_MEMORY, 128 * n * r * 2) }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** A new random device secret: 32 bytes, URL-safe base64 (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// The names the gateway and the CLI use for device credentials.
export { generateSecret as generateDeviceSecret, hashSecret as hashDeviceSecret, verifySecret as verifyDeviceSecret };
