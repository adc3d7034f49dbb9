import { cookieHeader, formToken, formTokenMatches, parseCookies } from './form-session';

describe('the entry form session and CSRF tokens', () => {
  it('reads cookies, first one of a name wins, and ignores nameless parts', () => {
    expect(parseCookies('a=1; homeward_entry=abc; a=2; =x; junk')).toEqual({ a: '1', homeward_entry: 'abc' });
    expect(parseCookies(undefined)).toEqual({});
  });

  it('sets HttpOnly, SameSite=Strict cookies for the form pages only, Secure over HTTPS', () => {
    expect(cookieHeader('homeward_entry', 't', { secure: false, maxAgeSeconds: 60 })).toBe('homeward_entry=t; Path=/enter; HttpOnly; SameSite=Strict; Max-Age=60');
    expect(cookieHeader('homeward_entry', '', { secure: true, maxAgeSeconds: 0 })).toBe('homeward_entry=; Path=/enter; HttpOnly; SameSite=Strict; Max-Age=0; Secure');
  });

  it('accepts a form token only for its own secret and purpose', () => {
    const token = formToken('secret-1', 'readings:p1');
    expect(formTokenMatches('secret-1', 'readings:p1', token)).toBe(true);
    expect(formTokenMatches('secret-2', 'readings:p1', token)).toBe(false);
    expect(formTokenMatches('secret-1', 'readings:p2', token)).toBe(false);
    expect(formTokenMatches('secret-1', 'readings:p1', `${token}x`)).toBe(false);
    expect(formTokenMatches(undefined, 'readings:p1', token)).toBe(false);
    expect(formTokenMatches('secret-1', 'readings:p1', ['array'])).toBe(false);
  });
});
