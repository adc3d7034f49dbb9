import { alertKind } from '@homeward/rules';
import type { AnalyticsAdmission, Storage } from '@homeward/storage';
import { ruleBacktest } from '../src';
import { BACKENDS, HOUR, ManualClock, admitPatient, anEngine, feed, randomHistory, seededRandom } from './rules-engine.fixture';

// Issue 21 item 1, the part built on the pure rules: replaying stored readings through
// evaluatePatientRules under the stored plan finds exactly what the live engine alerted on. With
// nobody acting on the alerts, each alert episode is one alert whose first evidence, highest
// severity and readings are those of the replay's findings for that rule and subject.
describe.each(BACKENDS.map((b) => [b.label, b] as const))('backtest replay against the live engine on %s', (_label, backend) => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await backend.open());
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  it.each([11, 23, 47])('randomised history (seed %i): the replay of the stored plan reproduces the engine\'s clinical alerts', async (seed) => {
    const start = new Date('2026-09-01T06:00:00Z');
    const pathway = (['general', 'heart-failure', 'copd'] as const)[seed % 3] ?? 'general';
    const { ward, patient, admission } = await admitPatient(storage, pathway, {}, start);
    const clock = new ManualClock(start);
    const running = await anEngine(storage, clock);
    const history = randomHistory(seededRandom(seed), start, 24);
    try {
      await feed(storage, running.engine, clock, patient.id, history);
    } finally {
      await running.close();
    }

    const live = (await storage.alerts.forPatient(patient.id, { includeResolved: true })).filter((a) => alertKind(a) === 'clinical');
    const end = new Date((history.at(-1)?.at.getTime() ?? start.getTime()) + HOUR);
    const readings = await storage.readings.inRange(patient.id, { from: new Date(start.getTime() - 30 * 24 * HOUR), to: end, limit: 100_000 });
    const stay: AnalyticsAdmission = { id: admission.id, patientId: patient.id, pathway, carePlan: {}, admittedAt: start, dischargedAt: null, dischargeOutcome: null, previousDischargeAt: null, previousDischargeOutcome: null };
    const report = ruleBacktest([{ admission: stay, readings, proposed: undefined }], [], { from: start, to: end });

    const episodes = new Map<string, { first: string; severities: string[]; readingIds: Set<string> }>();
    for (const f of report.findings.current) {
      const key = `${f.rule}|${f.subject}`;
      const episode = episodes.get(key) ?? { first: f.evidenceAt, severities: [], readingIds: new Set<string>() };
      if (f.evidenceAt < episode.first) episode.first = f.evidenceAt;
      episode.severities.push(f.severity);
      f.readingIds.forEach((id) => episode.readingIds.add(id));
      episodes.set(key, episode);
    }
    const rank = ['low', 'low-medium', 'medium', 'high'];
    const expected = [...episodes].map(([key, e]) => ({
      key,
      first: e.first,
      severity: e.severities.reduce((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a)),
      readingIds: [...e.readingIds].sort(),
    }));
    const actual = live.map((a) => ({ key: `${a.rule}|${a.subject}`, first: a.firstMeasuredAt.toISOString(), severity: a.severity, readingIds: [...a.readingIds].sort() }));
    const byKey = (x: { key: string }, y: { key: string }) => x.key.localeCompare(y.key);
    expect(actual.length).toBeGreaterThan(0); // the history reaches the bands: there is something to compare
    expect(actual.sort(byKey)).toEqual(expected.sort(byKey));
    expect(live.every((a) => a.wardId === ward.id)).toBe(true);
    // Replaying the stored plan as the "proposed" one changes nothing.
    expect(report.differences).toEqual([]);
    expect(report.proposed).toEqual(report.current);
  }, 120_000);
});
