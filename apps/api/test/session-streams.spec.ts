import { uniqueName } from '@homeward/testing';
import { SESSION_CHECK_MS } from '../src/app/stream/stream.controller';
import { account, openStream, request, startApi } from './api-app.fixture';

/** Issue 17, "Sessions": a live stream lives no longer than the session that opened it. */
describe('live streams end with their session', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let ward: string;
  beforeAll(async () => {
    api = await startApi();
    ward = (await api.storage.registry.createWard(uniqueName('Ward'))).id;
  }, 120_000);
  afterAll(async () => api?.close());

  /** Resolves with how long the stream took to end, or rejects after `withinMs`. */
  async function endsWithin(stream: { ended: Promise<void> }, withinMs: number): Promise<number> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stream.ended, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the stream was still open after ${withinMs} ms`)), withinMs)))]);
    clearTimeout(timer);
    return performance.now() - started;
  }

  it('closes at once on sign-out, saying why, while another nurse\'s stream carries on', async () => {
    const nurse = await account(api.url, api.storage, 'nurse', { wardIds: [ward] });
    const other = await account(api.url, api.storage, 'nurse', { wardIds: [ward] });
    const stream = await openStream(api.url, nurse.token);
    const bystander = await openStream(api.url, other.token);
    await stream.next((e) => e.event === 'ready');
    await bystander.next((e) => e.event === 'ready');
    expect((await request(api.url, nurse.token, 'POST', '/api/auth/sign-out')).status).toBe(204);
    await endsWithin(stream, 1_000);
    expect(stream.events.at(-1)?.event).toBe('session-ended');
    await expect(endsWithin(bystander, 500)).rejects.toThrow(/still open/);
    bystander.close();
  });

  it('closes within seconds when the session expires or the account is disabled', async () => {
    const expiring = await account(api.url, api.storage, 'nurse', { wardIds: [ward] });
    const disabled = await account(api.url, api.storage, 'clinician', { wardIds: [ward] });
    const [a, b] = [await openStream(api.url, expiring.token), await openStream(api.url, disabled.token)];
    await a.next((e) => e.event === 'ready');
    await b.next((e) => e.event === 'ready');
    await api.storage.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [expiring.id]);
    await api.storage.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.id]);
    const took = await Promise.all([endsWithin(a, SESSION_CHECK_MS + 3_000), endsWithin(b, SESSION_CHECK_MS + 3_000)]);
    expect(a.events.at(-1)?.event).toBe('session-ended');
    expect(b.events.at(-1)?.event).toBe('session-ended');
    console.log(`streams ended ${took.map((ms) => (ms / 1000).toFixed(1)).join(' s and ')} s after expiry and disabling (checked every ${SESSION_CHECK_MS / 1000} s)`);
    // Reconnecting is refused: the session is gone.
    const again = await openStream(api.url, expiring.token);
    expect(again.status).toBe(401);
  }, 30_000);
});
