// A reading texted by SMS raises alerts like any other: the gateway's SMS source parses the text
// (parseSmsReadings) and submits it through the shared ingest pipeline with source "sms"; here
// the same two steps run, then the rules engine (the rules-engine fixtures: real storage, a
// clock the test moves) evaluates what was committed.
import { parseSmsReadings } from '@homeward/contracts';
import { IngestPipeline } from '@homeward/ingest';
import type { Storage } from '@homeward/storage';
import { BACKENDS, HOUR, ManualClock, admitPatient, alertsOf, anEngine, settle, summary } from './rules-engine.fixture';

jest.setTimeout(60_000);

const START = new Date('2026-03-01T08:00:00.000Z');
const PLAN = { news2: { windowHours: 24, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' } };

describe.each(BACKENDS)('SMS readings and the rules engine on $label', (backend) => {
  let storage: Storage;
  let closeStorage: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close: closeStorage } = await backend.open());
  }, 60_000);
  afterAll(async () => closeStorage?.());

  async function text(patientId: string, body: string, receivedAt: Date) {
    const parse = parseSmsReadings(body);
    const pipeline = new IngestPipeline(storage, { maxClockSkewMs: 300_000 });
    return pipeline.submit({
      source: 'sms',
      patientId,
      deviceId: null,
      receivedAt,
      deviceClockAt: null,
      readings: parse.understood.flatMap((u) => u.readings).map((r) => ({ ...r, deviceTime: null })),
    });
  }

  it('a red SpO2 and a fever texted in plain words raise the same alerts as any source', async () => {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock);
    try {
      const { patient } = await admitPatient(storage, 'acute-respiratory-infection', PLAN, new Date(START.getTime() - HOUR));
      const outcome = await text(patient.id, 'sats 90, temp 39.2c, pulse 96', START);
      expect(outcome.stored.map((r) => [r.vital, r.value, r.source])).toEqual([
        ['spo2', 90, 'sms'],
        ['body_temperature', 39.2, 'sms'],
        ['heart_rate', 96, 'sms'],
      ]);
      await storage.readings.notifyNewReadings();
      clock.set(new Date(START.getTime() + 60_000));
      await settle(storage, running.engine);
      const alerts = summary(await alertsOf(storage, patient.id));
      expect(alerts).toEqual(expect.arrayContaining(['vital-threshold spo2:at-or-below high']));
      expect(alerts.some((a) => a.startsWith('vital-threshold body_temperature'))).toBe(true);
    } finally {
      await running.close();
    }
  });

  it('a temperature texted in Fahrenheit is judged in Celsius', async () => {
    const clock = new ManualClock(START);
    const running = await anEngine(storage, clock);
    try {
      const { patient } = await admitPatient(storage, 'acute-respiratory-infection', PLAN, new Date(START.getTime() - HOUR));
      const outcome = await text(patient.id, 'temp 102.7', START);
      expect(outcome.stored.map((r) => [r.vital, r.value, r.unit])).toEqual([['body_temperature', 39.28, 'Cel']]);
      await storage.readings.notifyNewReadings();
      clock.set(new Date(START.getTime() + 60_000));
      await settle(storage, running.engine);
      expect(summary(await alertsOf(storage, patient.id)).some((a) => a.startsWith('vital-threshold body_temperature'))).toBe(true);
    } finally {
      await running.close();
    }
  });
});
