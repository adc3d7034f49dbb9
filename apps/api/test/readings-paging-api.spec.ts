import type { Patient } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { aReading, aValidNhsNumber, uniqueName } from '@homeward/testing';
import { type Account, account, request, startApi } from './api-app.fixture';

interface Page {
  items: Array<{ id: string; vital: string; value: number; measuredAt: string }>;
  next: string | null;
}

const MINUTE = 60_000;
// A month in the past: inside the 400-day limit, far from the readings other tests write now.
const START = Date.parse('2026-06-01T00:00:00Z');
const FROM = '2026-05-01T00:00:00Z';
const TO = '2026-07-01T00:00:00Z';

// GET /api/patients/{id}/readings on a real PostgreSQL over real HTTP: newest first, keyset
// pages that visit every reading once, time windows, strict paging parameters, ward isolation.
describe('GET readings: newest first, a page at a time', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  let url: string;
  let storage: Storage;
  let nurseA: Account;
  let nurseB: Account;
  let patient: Patient;
  /** Every reading's id, newest measured first, then by id as a number. */
  let expected: Array<{ id: string; vital: string; at: number }>;

  beforeAll(async () => {
    api = await startApi();
    ({ url, storage } = api);
    const wardA = (await storage.registry.createWard(uniqueName('Ward A'))).id;
    const wardB = (await storage.registry.createWard(uniqueName('Ward B'))).id;
    nurseA = await account(url, storage, 'nurse', { wardIds: [wardA] });
    nurseB = await account(url, storage, 'nurse', { wardIds: [wardB] });
    patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: 'Ada', familyName: uniqueName('Paged'), dateOfBirth: '1944-05-05' });
    await storage.registry.admit({ patientId: patient.id, wardId: wardA, pathway: 'general' });
    // 2,500 readings: an oximeter's SpO2 and pulse, two to each minute, so pairs share a time.
    const stored = [];
    for (let batch = 0; batch < 5; batch++) {
      const readings = Array.from({ length: 250 }, (_, k) => {
        const minute = batch * 250 + k;
        const measuredAt = new Date(START + minute * MINUTE);
        return [
          aReading({ patientId: patient.id, vital: 'spo2', unit: '%', value: 95 + (minute % 4), measuredAt }),
          aReading({ patientId: patient.id, vital: 'heart_rate', unit: '/min', value: 60 + (minute % 20), measuredAt }),
        ];
      }).flat();
      stored.push(...(await storage.readings.insertBatch(readings)).stored);
    }
    expected = stored
      .map((r) => ({ id: r.id, vital: r.vital, at: r.measuredAt.getTime() }))
      .sort((a, b) => b.at - a.at || (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  const readings = (token: string, query: string) => request<Page & { code?: string; message?: unknown }>(url, token, 'GET', `/api/patients/${patient.id}/readings?${query}`);

  it('answers the newest 200 first, and following `next` visits all 2,500 once, in order', async () => {
    const first = await readings(nurseA.token, `from=${FROM}&to=${TO}`);
    expect(first.status).toBe(200);
    expect(expected).toHaveLength(2500);
    expect(first.body.items.map((r) => r.id)).toEqual(expected.slice(0, 200).map((e) => e.id));
    expect(first.body.items[0]?.measuredAt).toBe(new Date(START + 1249 * MINUTE).toISOString());
    expect(first.body.next).toEqual(expect.any(String));

    const seen = first.body.items.map((r) => r.id);
    let next = first.body.next;
    let pages = 1;
    while (next) {
      const page = await readings(nurseA.token, `from=${FROM}&to=${TO}&cursor=${encodeURIComponent(next)}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeGreaterThan(0);
      seen.push(...page.body.items.map((r) => r.id));
      next = page.body.next;
      pages++;
    }
    expect(pages).toBe(13); // 12 full pages of 200 and one of 100
    expect(seen).toEqual(expected.map((e) => e.id));

    // The largest page takes the lot in three.
    const big = await readings(nurseA.token, `from=${FROM}&to=${TO}&limit=1000`);
    expect(big.body.items.map((r) => r.id)).toEqual(expected.slice(0, 1000).map((e) => e.id));
    const third = await readings(nurseA.token, `from=${FROM}&to=${TO}&limit=1000&cursor=${(await readings(nurseA.token, `from=${FROM}&to=${TO}&limit=1000&cursor=${big.body.next}`)).body.next}`);
    expect(third.body.items).toHaveLength(500);
    expect(third.body.next).toBeNull();
    expect((await storage.audit.search({ patientId: patient.id, action: 'readings.read', limit: 1000 })).length).toBeGreaterThanOrEqual(16);
  });

  it('narrows to a time window [from, to) and a vital, still newest first', async () => {
    const from = START + 100 * MINUTE;
    const to = START + 160 * MINUTE; // 60 minutes: 120 readings, 60 of them SpO2
    const window = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
    const inWindow = expected.filter((e) => e.at >= from && e.at < to);
    const all = await readings(nurseA.token, `${window}&limit=1000`);
    expect(all.body.items.map((r) => r.id)).toEqual(inWindow.map((e) => e.id));
    expect(all.body.items).toHaveLength(120);
    expect(all.body.next).toBeNull();

    const spo2 = await readings(nurseA.token, `${window}&vital=spo2&limit=50`);
    expect(spo2.body.items.map((r) => r.id)).toEqual(inWindow.filter((e) => e.vital === 'spo2').slice(0, 50).map((e) => e.id));
    const rest = await readings(nurseA.token, `${window}&vital=spo2&limit=50&cursor=${spo2.body.next}`);
    expect(rest.body.items.map((r) => r.id)).toEqual(inWindow.filter((e) => e.vital === 'spo2').slice(50).map((e) => e.id));
    expect(rest.body.next).toBeNull();
  });

  it('refuses a cursor it did not give out and a limit outside 1–1000', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    // Well formed, but not a cursor of ours: id 0; a time outside years 1–9999.
    for (const cursor of [b64('1.0'), b64('-99999999999999999.1'), b64('hello')]) {
      const { status, body } = await readings(nurseA.token, `from=${FROM}&to=${TO}&cursor=${cursor}`);
      expect([cursor, status, body.code]).toEqual([cursor, 400, 'page.bad-cursor']);
    }
    // Not even the shape of one: refused by the query's validation.
    for (const cursor of ['not*a*cursor', 'x'.repeat(65), '']) {
      expect((await readings(nurseA.token, `from=${FROM}&to=${TO}&cursor=${cursor}`)).status).toBe(400);
    }
    for (const limit of ['1001', '0', '-1', '1e3', '2.5', 'ten', '']) {
      expect([limit, (await readings(nurseA.token, `from=${FROM}&to=${TO}&limit=${limit}`)).status]).toEqual([limit, 400]);
    }
    expect((await readings(nurseA.token, `from=${FROM}&to=${TO}&limit=1&limit=2`)).status).toBe(400);
    const one = await readings(nurseA.token, `from=${FROM}&to=${TO}&limit=1`);
    expect(one.body.items.map((r) => r.id)).toEqual([expected[0]?.id]);
    expect((await readings(nurseA.token, `from=${TO}&to=${FROM}`)).body.code).toBe('range.empty');
  });

  it("keeps another ward's nurse out (404), and the patient sees their own", async () => {
    const other = await readings(nurseB.token, `from=${FROM}&to=${TO}`);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain(expected[0]!.id);
    const self = await account(url, storage, 'patient', { patientId: patient.id });
    const own = await readings(self.token, `from=${FROM}&to=${TO}&limit=5`);
    expect(own.body.items.map((r) => r.id)).toEqual(expected.slice(0, 5).map((e) => e.id));
  });

  it('documents the page in the OpenAPI document', async () => {
    type Operation = { parameters?: Array<{ name: string; in: string; schema?: Record<string, unknown> }>; responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown>; required?: string[] } }> }> };
    const doc = await request<{ paths: Record<string, { get?: Operation }> }>(url, undefined, 'GET', '/api/docs-json');
    const get = doc.body.paths['/api/patients/{patientId}/readings']?.get;
    expect(get?.parameters?.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(['cursor', 'from', 'limit', 'to', 'vital']);
    expect(get?.parameters?.find((p) => p.name === 'limit')?.schema).toMatchObject({ minimum: 1, maximum: 1000, default: 200 });
    const schema = get?.responses?.['200']?.content?.['application/json']?.schema;
    expect(schema?.required).toEqual(['items', 'next']);
    expect(Object.keys(schema?.properties ?? {})).toEqual(['items', 'next']);
  });
});
