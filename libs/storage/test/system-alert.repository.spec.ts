import { type Storage } from '../src';
import { STORAGE_ENGINES } from './storage-engines';

// Migration 0018: system alerts (no patient), one unresolved per kind and source, every change an
// event, announced on `homeward_system_alerts` at commit. PostgreSQL and PGlite's TimescaleDB build.
const system = { type: 'system', id: 'test-detector' } as const;
const nurse = { type: 'user', id: 'nurse-1' } as const;
const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 9, minute));
const stalled = (source: string, waiting: number) => ({ kind: 'pipeline-stalled' as const, source, summary: `${waiting} patients' readings wait unchecked`, details: { waiting } });
const restarted = { kind: 'database-restarted' as const, source: 'embedded', summary: 'The database was restarted', details: { downSeconds: 3 } };

describe.each(STORAGE_ENGINES)('system alerts on %s', (_name, open) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  const heard: string[] = [];
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ storage, dispose } = await open());
    stop = await storage.db.listen?.('homeward_system_alerts', (payload) => heard.push(payload));
  });
  afterAll(async () => {
    await stop?.();
    await dispose?.();
  });

  it('reports inside a caller\'s transaction (nothing if it rolls back) and, with mergeWith, makes the repeat from what the alert holds', async () => {
    const source = `merge-${Math.random()}`;
    await expect(
      storage.db.transaction(async (tx) => {
        await storage.systemAlerts.report(stalled(source, 1), at(0), system, { client: tx });
        throw new Error('the work that found it failed');
      }),
    ).rejects.toThrow('the work that found it failed');
    expect((await storage.systemAlerts.list()).filter((a) => a.source === source)).toEqual([]);

    await storage.db.transaction((tx) => storage.systemAlerts.report(stalled(source, 1), at(1), system, { client: tx }));
    const merged = await storage.systemAlerts.report(stalled(source, 2), at(2), system, {
      mergeWith: (current) => ({ summary: 'both', details: { waiting: Number(current.details['waiting']) + 2 } }),
    });
    expect(merged).toMatchObject({ kind: 'repeated', alert: { source, summary: 'both', occurrences: 2, details: { waiting: 3 } } });
  });

  it('raises a condition once, counts repeats without re-opening an acknowledged one, and resolves it when cleared', async () => {
    const source = `rules-${Math.random()}`;
    const raised = await storage.systemAlerts.report(stalled(source, 2), at(0), system);
    expect(raised).toMatchObject({ kind: 'raised', alert: { kind: 'pipeline-stalled', source, state: 'open', occurrences: 1 } });
    const acknowledged = await storage.systemAlerts.act(raised.alert.id, 'acknowledge', at(1), nurse, 'looking');
    expect(acknowledged).toMatchObject({ ok: true, value: { state: 'acknowledged', acknowledgedBy: 'nurse-1' } });
    const again = await storage.systemAlerts.report(stalled(source, 5), at(2), system);
    expect(again).toMatchObject({ kind: 'repeated', alert: { id: raised.alert.id, state: 'acknowledged', occurrences: 2, details: { waiting: 5 } } });

    const cleared = await storage.systemAlerts.clear('pipeline-stalled', source, at(3), system, 'readings are checked again');
    expect(cleared).toMatchObject({ id: raised.alert.id, state: 'resolved', resolvedBy: 'test-detector' });
    expect(await storage.systemAlerts.clear('pipeline-stalled', source, at(4), system, 'again')).toBeUndefined();
    // A later stall is a new alert.
    expect((await storage.systemAlerts.report(stalled(source, 1), at(5), system)).kind).toBe('raised');

    expect((await storage.systemAlerts.events(raised.alert.id)).map((e) => [e.kind, e.actorId, e.fromState, e.toState, e.note])).toEqual([
      ['raised', 'test-detector', null, 'open', null],
      ['acknowledged', 'nurse-1', 'open', 'acknowledged', 'looking'],
      ['resolved', 'test-detector', 'acknowledged', 'resolved', 'readings are checked again'],
    ]);
  });

  it('re-opens an acknowledged event when it happens again; a person resolves it; refused transitions are coded', async () => {
    const first = await storage.systemAlerts.report(restarted, at(10), system);
    await storage.systemAlerts.act(first.alert.id, 'acknowledge', at(11), nurse, null);
    const second = await storage.systemAlerts.report({ ...restarted, details: { downSeconds: 9 } }, at(12), system);
    expect(second).toMatchObject({ kind: 'reopened', alert: { id: first.alert.id, state: 'open', occurrences: 2, acknowledgedAt: null } });
    expect(await storage.systemAlerts.act(first.alert.id, 'resolve', at(13), nurse, 'engineer replaced the disk')).toMatchObject({ ok: true, value: { state: 'resolved' } });
    expect(await storage.systemAlerts.act(first.alert.id, 'acknowledge', at(14), nurse, null)).toMatchObject({ ok: false, error: { code: 'system-alert.invalid-transition' } });
    expect(await storage.systemAlerts.act('00000000-0000-4000-8000-000000000000', 'acknowledge', at(14), nurse, null)).toBeUndefined();

    const listed = await storage.systemAlerts.list();
    expect(listed.map((a) => a.id)).not.toContain(first.alert.id);
    expect((await storage.systemAlerts.list({ includeResolved: true })).map((a) => a.id)).toContain(first.alert.id);
    expect((await storage.systemAlerts.events(first.alert.id)).map((e) => e.kind)).toEqual(['raised', 'acknowledged', 'reopened', 'resolved']);
  });

  it('keeps one unresolved alert per kind and source when detectors in several processes report at once', async () => {
    const source = `gateway-${Math.random()}`;
    const problem = { kind: 'broker-unavailable' as const, source, summary: 'The MQTT broker is not accepting devices', details: {} };
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => storage.systemAlerts.report(problem, at(20 + i), system)));
    expect(results.filter((r) => r.kind === 'raised')).toHaveLength(1);
    expect(new Set(results.map((r) => r.alert.id)).size).toBe(1);
    expect((await storage.systemAlerts.get(results[0]!.alert.id))?.occurrences).toBe(6);
  });

  it('announces every change at commit on homeward_system_alerts', async () => {
    const raised = await storage.systemAlerts.report({ ...stalled(`notify-${Math.random()}`, 1) }, at(30), system);
    const deadline = Date.now() + 5_000;
    while (!heard.includes(raised.alert.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(heard).toContain(raised.alert.id);
  });
});
