import { deviceSecretHashUpgrade, generateDeviceSecret, generateSecret, hashDeviceSecret, hashSecret, isSlowDeviceHash, verifyDeviceSecret, verifySecret } from './secret-hash';

describe('secret hashing (scrypt)', () => {
  it('verifies the right secret and refuses a wrong or tampered one', async () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await hashSecret(secret);
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(secret);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(`${secret}x`, stored)).toBe(false);
    // Tamper with a character in the middle of the hash (the last base64 character carries
    // padding bits, so changing it may not change the bytes).
    const at = stored.length - 10;
    const tampered = `${stored.slice(0, at)}${stored[at] === 'A' ? 'B' : 'A'}${stored.slice(at + 1)}`;
    expect(await verifySecret(secret, tampered)).toBe(false);
    expect(await verifySecret(secret, 'plain-text')).toBe(false);
  });

  it('salts: the same secret hashes differently twice', async () => {
    expect(await hashSecret('correct horse battery staple')).not.toBe(await hashSecret('correct horse battery staple'));
  });
});

describe('device secrets (fast hash for generated secrets)', () => {
  it('stores a generated secret as SHA-256, verifies it, and refuses a wrong or tampered one', async () => {
    const secret = generateDeviceSecret();
    const stored = await hashDeviceSecret(secret);
    expect(stored).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(secret);
    expect(isSlowDeviceHash(stored)).toBe(false);
    expect(await verifyDeviceSecret(secret, stored)).toBe(true);
    expect(await verifyDeviceSecret(generateDeviceSecret(), stored)).toBe(false);
    expect(await verifyDeviceSecret('', stored)).toBe(false);
    const at = stored.length - 10;
    expect(await verifyDeviceSecret(secret, `${stored.slice(0, at)}${stored[at] === 'A' ? 'B' : 'A'}${stored.slice(at + 1)}`)).toBe(false);
    expect(await verifyDeviceSecret(secret, 'sha256$')).toBe(false);
    // A fast hash is no password hash: the password check refuses it.
    expect(await verifySecret(secret, stored)).toBe(false);
  });

  it('keeps scrypt for a secret that was not generated, and still verifies legacy scrypt hashes', async () => {
    const chosen = 'correct horse battery staple';
    const stored = await hashDeviceSecret(chosen);
    expect(stored).toMatch(/^scrypt\$/);
    expect(await verifyDeviceSecret(chosen, stored)).toBe(true);
    const secret = generateDeviceSecret();
    const legacy = await hashSecret(secret);
    expect(isSlowDeviceHash(legacy)).toBe(true);
    expect(await verifyDeviceSecret(secret, legacy)).toBe(true);
    expect(await verifyDeviceSecret(`${secret}x`, legacy)).toBe(false);
  });

  it('offers an upgrade only from a legacy scrypt hash of a generated secret', async () => {
    const secret = generateDeviceSecret();
    const upgraded = await deviceSecretHashUpgrade(secret, await hashSecret(secret));
    expect(upgraded).toBe(await hashDeviceSecret(secret));
    expect(await deviceSecretHashUpgrade(secret, await hashDeviceSecret(secret))).toBeUndefined();
    expect(await deviceSecretHashUpgrade('chosen by a person', await hashSecret('chosen by a person'))).toBeUndefined();
  });
});
