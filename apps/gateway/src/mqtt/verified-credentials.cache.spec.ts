import { VerifiedCredentialsCache } from './verified-credentials.cache';

describe('VerifiedCredentialsCache', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000_000));

  it('matches the verified secret only, for the TTL', () => {
    const cache = new VerifiedCredentialsCache(600_000, now);
    cache.remember('dev-1', 'right-secret', 'scrypt$hash-1');
    expect(cache.matches('dev-1', 'right-secret', 'scrypt$hash-1')).toBe(true);
    expect(cache.matches('dev-1', 'wrong-secret', 'scrypt$hash-1')).toBe(false);
    expect(cache.matches('dev-2', 'right-secret', 'scrypt$hash-1')).toBe(false);
    // Store unreachable: no hash to compare, the secret alone decides within the TTL.
    expect(cache.matches('dev-1', 'right-secret')).toBe(true);
    clock += 600_000;
    expect(cache.matches('dev-1', 'right-secret')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('forgets an entry once the store shows another credentials hash (rotated secret)', () => {
    const cache = new VerifiedCredentialsCache(600_000, now);
    cache.remember('dev-1', 'old-secret', 'scrypt$old');
    expect(cache.matches('dev-1', 'old-secret', 'scrypt$new')).toBe(false);
    // …and it does not come back when the store is unreachable later.
    expect(cache.matches('dev-1', 'old-secret')).toBe(false);
  });

  it('after doubtAll (changes may have been missed) admits nothing without the store until the store has shown the same hash again', () => {
    const cache = new VerifiedCredentialsCache(600_000, now);
    cache.remember('dev-1', 'right-secret', 'sha256$a');
    cache.remember('dev-2', 'other-secret', 'sha256$b');
    cache.doubtAll();
    // The store unreachable: a rotation may have gone by unheard, so nothing is let in from memory.
    expect(cache.matches('dev-1', 'right-secret')).toBe(false);
    expect(cache.matches('dev-2', 'other-secret')).toBe(false);
    // The store answers with the same hash: still spared the slow check, and trusted again for outages.
    expect(cache.matches('dev-1', 'right-secret', 'sha256$a')).toBe(true);
    expect(cache.matches('dev-1', 'right-secret')).toBe(true);
    // A wrong secret confirms nothing.
    expect(cache.matches('dev-2', 'wrong', 'sha256$b')).toBe(false);
    expect(cache.matches('dev-2', 'other-secret')).toBe(false);
    expect(cache.size).toBe(2);
  });

  it('is forgotten on request, keeps no secret, and evicts the oldest beyond its size', () => {
    const cache = new VerifiedCredentialsCache(600_000, now, 2);
    cache.remember('dev-1', 'secret-one-visible?', 'h1');
    expect(JSON.stringify([...(cache as unknown as { entries: Map<string, unknown> }).entries])).not.toContain('secret-one-visible?');
    cache.invalidate('dev-1');
    expect(cache.matches('dev-1', 'secret-one-visible?')).toBe(false);
    cache.remember('a', 's', 'h');
    cache.remember('b', 's', 'h');
    cache.remember('c', 's', 'h');
    expect([cache.matches('a', 's'), cache.matches('b', 's'), cache.matches('c', 's')]).toEqual([false, true, true]);
  });

  it('remembers nothing with a TTL of 0', () => {
    const cache = new VerifiedCredentialsCache(0, now);
    cache.remember('dev-1', 's', 'h');
    expect(cache.matches('dev-1', 's', 'h')).toBe(false);
  });

  it('does not confuse ("ab", "c") with ("a", "bc")', () => {
    const cache = new VerifiedCredentialsCache(600_000, now);
    cache.remember('ab', 'c', 'h');
    cache.remember('a', 'x', 'h');
    expect(cache.matches('a', 'bc')).toBe(false);
  });
});
