import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Passwords (and, before the fast hash below, device secrets) are stored only as scrypt hashes (memory-hard: N=2^15, r=8 → 32 MiB per
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

/** A new random secret (device secrets, generated passwords): 32 bytes, URL-safe base64 (43 characters). */
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

/**
 * Device secrets are never chosen by people: `homeward device add` and `POST /api/devices` draw
 * them with `generateSecret` (32 random bytes, 256 bits). Guessing one, or inverting its SHA-256,
 * is out of reach whatever the hash's speed, so a slow password hash protects nothing there (as
 * with API tokens, stored as SHA-256) while it made each device login cost ~100 ms of a core and
 * 32 MiB. New device secrets are therefore stored as `sha256$<digest>`; scrypt hashes stored
 * before still verify and are replaced on the device's next successful login
 * (`deviceSecretHashUpgrade`). A secret that does not have the generated form is never given the
 * fast hash: it stays scrypt-hashed.
 */
const GENERATED_SECRET = /^[A-Za-z0-9_-]{43}$/;
const FAST_SCHEME = 'sha256';

function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Was this secret drawn by `generateSecret` (256 bits, URL-safe base64)? Only those get the fast hash. */
export function isGeneratedSecret(secret: string): boolean {
  return GENERATED_SECRET.test(secret);
}

/** A device secret's stored form: SHA-256 for a generated secret, scrypt for anything else. */
export async function hashDeviceSecret(secret: string): Promise<string> {
  if (!isGeneratedSecret(secret)) return hashSecret(secret);
  return `${FAST_SCHEME}$${sha256(secret).toString('base64url')}`;
}

/** Does checking a secret against this stored hash cost a scrypt derivation (~100 ms, 32 MiB)? */
export function isSlowDeviceHash(stored: string): boolean {
  return !stored.startsWith(`${FAST_SCHEME}$`);
}

/** Checks a device secret against its stored hash, fast (SHA-256) or legacy (scrypt). */
export async function verifyDeviceSecret(secret: string, stored: string): Promise<boolean> {
  if (isSlowDeviceHash(stored)) return verifySecret(secret, stored);
  const expected = Buffer.from(stored.slice(FAST_SCHEME.length + 1), 'base64url');
  const actual = sha256(secret);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * After `secret` verified against `stored`: the fast hash to store in its place, or undefined
 * when there is nothing to upgrade (already fast, or a secret that was not generated).
 */
export async function deviceSecretHashUpgrade(secret: string, stored: string): Promise<string | undefined> {
  if (!isSlowDeviceHash(stored) || !isGeneratedSecret(secret)) return undefined;
  return hashDeviceSecret(secret);
}

// The name the gateway and the CLI use for a new device secret.
export { generateSecret as generateDeviceSecret };
