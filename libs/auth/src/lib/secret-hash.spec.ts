import { generateSecret, hashSecret, verifySecret } from './secret-hash';

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
