import { randomUUID } from 'node:crypto';
import type { RejectedMessageDetail, RejectedMessagePage } from '@homeward/contracts';
import { type Account, account, request, startApi } from './api-app.fixture';

// GET /api/admin/rejected-messages over real HTTP on a real PostgreSQL: admins only, filtered,
// newest first with a cursor, one record with its payload; every read audited.
// Starting the api on a scratch database takes longer than Jest's default 5 s on a busy machine.
jest.setTimeout(120_000);

describe('rejected messages API', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let admin: Account;
  const deviceId = randomUUID();
  const ids: string[] = [];

  beforeAll(async () => {
    api = await startApi();
    admin = await account(api.url, api.storage, 'admin');
    const codes = ['payload.bad-json', 'payload.too-deep', 'reading.time-out-of-range', 'payload.too-deep', 'payload.not-utf8'];
    for (const [i, code] of codes.entries()) {
      const payload = code === 'payload.not-utf8' ? new Uint8Array([0xff, 0x00, 0x41]) : new TextEncoder().encode(`{"n":${i}}`);
      const saved = await api.storage.rejected.record({ source: 'mqtt', deviceId, topic: `homeward/v1/devices/${deviceId}/readings`, error: { code, message: `refused ${i}`, details: { i } }, payload, receivedAt: new Date(Date.UTC(2026, 11, 1, 10, i)) });
      ids.push(saved.id);
    }
  });
  afterAll(() => api?.close());

  it('lists newest first, filtered by device, code prefix and since, paged with next/before', async () => {
    const all = await request<RejectedMessagePage>(api.url, admin.token, 'GET', `/api/admin/rejected-messages?deviceId=${deviceId}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((i) => i.id)).toEqual([...ids].reverse());
    expect(all.body.next).toBeNull();
    expect(all.body.items[0]).toEqual({ id: ids[4], receivedAt: '2026-12-01T10:04:00.000Z', source: 'mqtt', deviceId, topic: `homeward/v1/devices/${deviceId}/readings`, reasonCode: 'payload.not-utf8', reason: 'refused 4', payloadBytes: 3 });

    const deep = await request<RejectedMessagePage>(api.url, admin.token, 'GET', `/api/admin/rejected-messages?deviceId=${deviceId}&code=payload.too-deep`);
    expect(deep.body.items.map((i) => i.id)).toEqual([ids[3], ids[1]]);
    const prefix = await request<RejectedMessagePage>(api.url, admin.token, 'GET', `/api/admin/rejected-messages?deviceId=${deviceId}&code=payload&since=2026-12-01T10:02:00Z`);
    expect(prefix.body.items.map((i) => i.reasonCode)).toEqual(['payload.not-utf8', 'payload.too-deep']);

    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page: { status: number; body: RejectedMessagePage } = await request<RejectedMessagePage>(api.url, admin.token, 'GET', `/api/admin/rejected-messages?deviceId=${deviceId}&limit=2${before ? `&before=${before}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i) => i.id));
      before = page.body.next;
    } while (before);
    expect(seen).toEqual([...ids].reverse());
  });

  it('shows one record with its details and payload (text when printable, else hex)', async () => {
    const text = await request<RejectedMessageDetail>(api.url, admin.token, 'GET', `/api/admin/rejected-messages/${ids[2]}`);
    expect(text.status).toBe(200);
    expect(text.body).toMatchObject({ id: ids[2], reasonCode: 'reading.time-out-of-range', details: { i: 2 }, payload: { encoding: 'utf-8', text: '{"n":2}' } });
    const binary = await request<RejectedMessageDetail>(api.url, admin.token, 'GET', `/api/admin/rejected-messages/${ids[4]}`);
    expect(binary.body.payload).toEqual({ encoding: 'hex', hex: 'ff0041' });
    expect((await request(api.url, admin.token, 'GET', '/api/admin/rejected-messages/999999999')).status).toBe(404);
    expect((await request(api.url, admin.token, 'GET', '/api/admin/rejected-messages/abc')).status).toBe(404);
  });

  it('is for admins only, refuses bad filters, and audits every read', async () => {
    const ward = await api.storage.registry.createWard(`Ward ${randomUUID()}`);
    const nurse = await account(api.url, api.storage, 'nurse', { wardIds: [ward.id] });
    expect((await request(api.url, nurse.token, 'GET', '/api/admin/rejected-messages')).status).toBe(403);
    expect((await request(api.url, nurse.token, 'GET', `/api/admin/rejected-messages/${ids[0]}`)).status).toBe(403);
    expect((await request(api.url, undefined, 'GET', '/api/admin/rejected-messages')).status).toBe(401);
    for (const query of ['deviceId=nope', 'code=DROP%20TABLE', 'since=yesterday', 'before=x', 'limit=0', 'limit=501', 'extra=1']) {
      expect([query, (await request(api.url, admin.token, 'GET', `/api/admin/rejected-messages?${query}`)).status]).toEqual([query, 400]);
    }
    const audit = await api.storage.audit.search({ actorId: admin.id, action: 'rejected-message' });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['rejected-message.list', 'rejected-message.read']));
    expect(audit.find((a) => a.action === 'rejected-message.read')).toMatchObject({ subjectType: 'rejected-message', actorType: 'user' });
  });
});
