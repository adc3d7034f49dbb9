import { request as httpRequest } from 'node:http';
import { hashSecret } from '@homeward/auth';
import { uniqueName } from '@homeward/testing';
import { account, startApi } from './api-app.fixture';

/**
 * Issue 17, "Throttling that holds under concurrency": limits are counted atomically before any
 * password is checked, per account and per address; an address is slowed, not the accounts behind
 * it; password checks run with bounded concurrency off the database pool. Each test signs in from
 * its own loopback address (127.0.0.0/8 is all this machine's), so their budgets are their own.
 */
describe('sign-in throttling under concurrency', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  beforeAll(async () => {
    api = await startApi();
  }, 120_000);
  afterAll(async () => api?.close());

  const hashes = new Map<string, Promise<string>>(); // one scrypt hash per password, shared by the accounts that use it
  async function aUser(password: string): Promise<string> {
    const email = `${uniqueName('user').replace(' ', '-')}@example.nhs.uk`;
    if (!hashes.has(password)) hashes.set(password, hashSecret(password));
    await api.storage.registry.createUser({ email, displayName: uniqueName('User'), role: 'nurse', passwordHash: await hashes.get(password)! });
    return email;
  }

  /** POST /api/auth/sign-in from a chosen local address; the status, the body's code and how long it took. */
  function signIn(from: string, email: string, password: string): Promise<{ status: number; code: string | undefined; retryAfter: string | undefined; ms: number }> {
    const started = performance.now();
    const body = JSON.stringify({ email, password });
    const url = new URL(`${api.url}/api/auth/sign-in`);
    return new Promise((resolve, reject) => {
      const call = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            const parsed = (() => {
              try {
                return JSON.parse(text) as { code?: string };
              } catch {
                return {};
              }
            })();
            const retryAfter = response.headers['retry-after'];
            resolve({ status: response.statusCode ?? 0, code: parsed.code, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, ms: performance.now() - started });
          });
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  }

  const count = (results: Array<{ status: number }>) => results.reduce<Record<number, number>>((tally, r) => ({ ...tally, [r.status]: (tally[r.status] ?? 0) + 1 }), {});

  it('checks at most 5 passwords for one account when 60 wrong sign-ins arrive at once; the rest are refused unchecked', async () => {
    const email = await aUser('correct horse battery staple');
    const results = await Promise.all(Array.from({ length: 60 }, () => signIn('127.0.10.1', email, 'wrong password guess')));
    expect(count(results)).toEqual({ 401: 5, 429: 55 });
    const refused = results.filter((r) => r.status === 429);
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set(['auth.rate-limited']));
    expect(refused.every((r) => Number(r.retryAfter) >= 1)).toBe(true);
    // The account is refused now even with its right password, from anywhere (the guesses spent its budget)…
    expect((await signIn('127.0.10.2', email, 'correct horse battery staple')).status).toBe(429);
    // …while another account behind the same address signs in: the address was slowed, not locked.
    const colleague = await aUser('another long passphrase here');
    expect((await signIn('127.0.10.1', colleague, 'another long passphrase here')).status).toBe(200);
  }, 60_000);

  it('slows one address making many guesses at different accounts, for a minute at most, while other addresses sign in as usual', async () => {
    const emails = await Promise.all(Array.from({ length: 40 }, () => aUser('a passphrase nobody guesses')));
    const results = await Promise.all(emails.map((email) => signIn('127.0.11.1', email, 'Password123!')));
    // 30 attempts per address per minute may be checked; the other 10 are told to wait.
    expect(count(results)).toEqual({ 401: 30, 429: 10 });
    const waiting = results.filter((r) => r.status === 429);
    expect(waiting.every((r) => Number(r.retryAfter) >= 1 && Number(r.retryAfter) <= 60)).toBe(true);
    // Another address is unaffected, and the accounts were not locked: each had one failure.
    expect((await signIn('127.0.11.2', emails[0]!, 'a passphrase nobody guesses')).status).toBe(200);
  }, 60_000);

  it('spends the same scrypt work on an unknown email as on a known one, so timing does not reveal accounts', async () => {
    const email = await aUser('a long enough passphrase');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push((await signIn('127.0.12.1', email, `wrong guess ${i}`)).ms);
      unknown.push((await signIn('127.0.12.2', `nobody-${i}-${uniqueName('x').replace(' ', '')}@example.nhs.uk`, 'wrong guess')).ms);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    // A skipped check answers in about 1 ms; scrypt (N=2^15, r=8) takes tens of milliseconds here.
    expect(median(unknown)).toBeGreaterThan(20);
    expect(median(unknown)).toBeGreaterThan(median(known) / 3);
  }, 60_000);

  it("keeps a nurse's worklist answering within 2 s during a flood of bad sign-ins from many addresses", async () => {
    const ward = await api.storage.registry.createWard(uniqueName('Ward'));
    const nurse = await account(api.url, api.storage, 'nurse', { wardIds: [ward.id] });
    // 300 wrong sign-ins for 300 accounts from 50 addresses: none is throttled, so all want scrypt.
    const emails = await Promise.all(Array.from({ length: 300 }, (_, i) => `flood-${i}-${uniqueName('x').replace(' ', '')}@example.nhs.uk`));
    const quiet: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await (await fetch(`${api.url}/api/worklist`, { headers: { authorization: `Bearer ${nurse.token}` } })).json();
      quiet.push(performance.now() - started);
    }
    const flood = Promise.all(emails.map((email, i) => signIn(`127.0.13.${1 + (i % 50)}`, email, 'guess guess guess')));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the flood is in full swing
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const response = await fetch(`${api.url}/api/worklist`, { headers: { authorization: `Bearer ${nurse.token}` } });
      expect(response.status).toBe(200);
      await response.json();
      timings.push(performance.now() - started);
    }
    const results = await flood;
    const tally = count(results);
    // Two checks at a time and 32 waiting: the rest of the flood is turned away at once (503), not queued.
    // Every answer is one of those (no 500), and the worklist never waited behind the flood.
    expect(tally[500]).toBeUndefined();
    expect((tally[401] ?? 0) + (tally[503] ?? 0)).toBe(300);
    expect(tally[503]).toBeGreaterThan(0);
    console.log(`worklist before: ${quiet.map((t) => t.toFixed(0)).join(', ')} ms; during a 300-sign-in flood: ${timings.map((t) => t.toFixed(0)).join(', ')} ms; flood answers ${JSON.stringify(tally)}`);
    expect(Math.max(...timings)).toBeLessThan(2_000);
  }, 60_000);
});
