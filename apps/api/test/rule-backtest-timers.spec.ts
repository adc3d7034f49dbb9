import { randomUUID } from 'node:crypto';
import { type Reading, VITAL_SIGNS, type VitalKey, buildReading, unwrap } from '@homeward/domain';
import type { AnalyticsAdmission, Storage } from '@homeward/storage';
import { type ComparableAlertColumns, byOpening, liveAlertColumns, replayedAlertColumns } from '@homeward/testing';
import { type BacktestAlert, ruleBacktest } from '../src';
import { HOUR, MINUTE, ManualClock, SERVER_BACKEND, admitPatient, anEngine, settle } from './rules-engine.fixture';

/** Pulse oximetry once a day (plan), from one oximeter: time, and how it reached Homeward. */
interface Measure {
  readonly at: Date;
  readonly delayMs: number;
  readonly clockOffMs: number;
}

function oximetry(patientId: string, deviceId: string, m: Measure): Reading[] {
  return (['spo2', 'heart_rate'] as const).map((vital: VitalKey) =>
    unwrap(
      buildReading({
        patientId,
        deviceId,
        vital,
        value: vital === 'spo2' ? 97 : 72,
        unit: VITAL_SIGNS[vital].unit,
        measuredAt: m.at,
        deviceTime: new Date(m.at.getTime() + m.clockOffMs),
        receivedAt: new Date(m.at.getTime() + m.delayMs),
        source: 'mqtt',
      }),
    ),
  );
}

/**
 * The live engine over [start, end): each batch of readings committed at its arrival (the clock
 * set to it, then the engine drained), and the timer pass every hour on the hour as the clock
 * moves; `beforeTick` and `onArrival` add what the gateway records meanwhile (device contact).
 */
async function runLive(
  storage: Storage,
  running: Awaited<ReturnType<typeof anEngine>>,
  clock: ManualClock,
  arrivals: readonly { readonly at: number; readonly readings: readonly Reading[] }[],
  period: { readonly start: Date; readonly end: Date },
  hooks: { beforeTick?: (tick: number) => Promise<void>; onArrival?: (at: number) => Promise<void> } = {},
): Promise<void> {
  const ordered = [...arrivals].sort((a, b) => a.at - b.at);
  try {
    let next = 0;
    for (let tick = period.start.getTime(); tick < period.end.getTime(); tick += HOUR) {
      await hooks.beforeTick?.(tick);
      while (next < ordered.length && (ordered[next]?.at ?? Infinity) < tick) {
        const arrival = ordered[next++] as (typeof ordered)[number];
        clock.set(new Date(arrival.at));
        await hooks.onArrival?.(arrival.at);
        await storage.readings.insertBatch(arrival.readings);
        await settle(storage, running.engine);
      }
      clock.set(new Date(tick));
      await running.engine.runTimers();
    }
  } finally {
    await running.close();
  }
}

/** What wardBacktest reads for one patient's stay over [start, end): readings, trail, device history, malformed frames. */
async function storedStay(storage: Storage, patientId: string, admissionId: string, start: Date, end: Date) {
  const readings = await storage.readings.inRange(patientId, { from: new Date(start.getTime() - 30 * 24 * HOUR), to: end, limit: 100_000 });
  const trail = await storage.analytics.alertTrail([patientId], start, end);
  const devices = await storage.analytics.deviceHistory([patientId], end);
  const malformed = await storage.analytics.malformedFrameHistory([patientId], start, end);
  const admission: AnalyticsAdmission = { id: admissionId, patientId, pathway: 'general', carePlan: DAILY, admittedAt: start, dischargedAt: null, dischargeOutcome: null, previousDischargeAt: null, previousDischargeOutcome: null };
  return { admission, readings, actions: trail.actions, suppressions: trail.suppressions, timer: { devices, malformed } };
}

const DAILY = { expectedReadings: [{ vital: 'spo2', everyHours: 24, graceHours: 2, severity: 'low' }] };
const TWICE_A_DAY = { expectedReadings: [{ vital: 'spo2', everyHours: 12, graceHours: 2, severity: 'low' }] };

// Issue 21: the replay of the current plans reproduces silence and technical alerts too. The real
// engine (real PostgreSQL, injected clock) gets a patient's daily oximetry: one day delivered 8
// hours late (a hub backlog), one day from a device whose clock is 2 hours ahead, then three days
// of nothing (the patient stopped measuring), then readings again. The timer pass runs every hour
// on the hour as the test moves the clock. The backtest of the stored plan, its timer on the same
// ticks, gives exactly the same alerts of every kind: opened, updated and self-resolved at the
// same moments with the same evidence; a plan expecting readings twice a day gives more silences.

describe(`backtest of silence and technical alerts against the live engine on ${SERVER_BACKEND.label}`, () => {
  let storage: Storage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await SERVER_BACKEND.open());
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  it('silences (stops measuring, then resumes), late delivery and a wrong clock replay to the live history; a twice-daily plan shows more silences', async () => {
    const start = new Date('2026-10-01T06:00:00Z');
    const { patient, admission } = await admitPatient(storage, 'general', DAILY, start);
    const clock = new ManualClock(start);
    const running = await anEngine(storage, clock);
    const device = randomUUID();
    const day = (d: number, hour: number) => new Date(start.getTime() + d * 24 * HOUR + hour * HOUR + 7 * MINUTE);
    const measures: Measure[] = [
      { at: day(0, 2), delayMs: MINUTE, clockOffMs: 0 },
      { at: day(1, 2), delayMs: 8 * HOUR, clockOffMs: 0 }, // late: a hub held it back
      { at: day(2, 3), delayMs: MINUTE, clockOffMs: 2 * HOUR }, // the device's clock is ahead
      { at: day(3, 2), delayMs: MINUTE, clockOffMs: 0 }, // on time and right: clears both
      // days 4 to 6: nothing (the patient stopped measuring)
      { at: day(7, 4), delayMs: MINUTE, clockOffMs: 0 },
      { at: day(8, 2), delayMs: MINUTE, clockOffMs: 0 },
    ];
    const arrivals = measures.map((m) => ({ at: m.at.getTime() + m.delayMs, readings: oximetry(patient.id, device, m) }));
    const end = new Date(start.getTime() + 9 * 24 * HOUR);
    await runLive(storage, running, clock, arrivals, { start, end });

    const item = await storedStay(storage, patient.id, admission.id, start, end);
    const report = ruleBacktest([{ ...item, proposed: { patientId: patient.id, pathway: 'general', carePlan: TWICE_A_DAY } }], [], { from: start, to: end, timerEveryMs: HOUR });

    const liveAlerts = await storage.alerts.forPatient(patient.id, { includeResolved: true });
    const expected = liveAlerts.map(liveAlertColumns).sort(byOpening);
    expect(report.alerts.current.map(replayedAlertColumns).sort(byOpening)).toEqual(expected);
    // The history holds what the test set out to show: each kind, and silences that resolved themselves.
    const rules = new Set(expected.map((a) => a.rule));
    for (const rule of ['patient-silent', 'late-delivery', 'device-clock-off']) expect(rules).toContain(rule);
    expect(expected.filter((a) => a.rule === 'patient-silent' && a.outcome === 'reading-received').length).toBeGreaterThan(0);
    expect(expected.filter((a) => a.rule === 'late-delivery' && a.resolvedAt !== null).length).toBe(1);

    // Twice a day expected: more silence alerts (each day's second reading is missing).
    const silences = (alerts: readonly BacktestAlert[]) => alerts.filter((a) => ['patient-silent', 'reading-missing', 'device-unused'].includes(a.rule)).length;
    expect(silences(report.alerts.proposed)).toBeGreaterThan(silences(report.alerts.current));

    // Evaluated at the very moments a decision can change (no ticks), the same episodes open at most
    // one tick earlier. Not the same history: a further interval falling due between a tick and a
    // reading that arrives before the next tick counts once more there (the hourly timer never saw it).
    const exact = ruleBacktest([{ ...item, proposed: undefined }], [], { from: start, to: end });
    const exactAlerts = exact.alerts.current.map(replayedAlertColumns).sort(byOpening);
    const episode = ({ rule, subject, severity, firstMeasuredAt, outcome, readingIds }: ComparableAlertColumns) => ({ rule, subject, severity, firstMeasuredAt, outcome, readingIds });
    expect(exactAlerts.map(episode)).toEqual(expected.map(episode));
    exactAlerts.forEach((a, i) => {
      const lag = Date.parse(expected[i]?.openedAt ?? '') - Date.parse(a.openedAt);
      expect(lag >= 0 && lag < HOUR).toBe(true);
    });

    // Started mid-silence, the open patient-silent alert is carried in, not raised again.
    const from = new Date(start.getTime() + 5 * 24 * HOUR + 30 * MINUTE);
    const openAtStart = await storage.analytics.alertsOpenAt([patient.id], from);
    expect(openAtStart.map((a) => a.rule)).toContain('patient-silent');
    // Read as it stood then (from its history), not as it ended: the replay adds the later occurrences.
    const silentThen = openAtStart.find((a) => a.rule === 'patient-silent');
    const silentLive = liveAlerts.find((a) => a.id === silentThen?.id);
    expect(silentThen?.occurrences).toBeLessThan(silentLive?.occurrences ?? 0);
    const laterTrail = await storage.analytics.alertTrail([patient.id], from, end);
    const later = ruleBacktest([{ ...item, actions: laterTrail.actions, suppressions: laterTrail.suppressions, proposed: undefined, openAtStart }], [], { from, to: end, timerEveryMs: HOUR });
    const expectedLater = liveAlerts.filter((a) => a.resolvedAt === null || a.resolvedAt >= from).map(liveAlertColumns).sort(byOpening);
    expect(later.alerts.current.map(replayedAlertColumns).sort(byOpening)).toEqual(expectedLater);
  }, 300_000);

  it('a home hub that drops out (its last will) and an oximeter in contact replay from the contact history to the live history', async () => {
    const start = new Date('2026-11-01T06:00:00Z');
    const { patient, admission } = await admitPatient(storage, 'general', DAILY, start);
    const hub = await storage.registry.registerDevice({ type: 'hub', serial: `hub-${randomUUID()}`, patientId: patient.id });
    const oximeter = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: `ox-${randomUUID()}`, patientId: patient.id });
    await storage.registry.recordDeviceConnection(hub.id, 'online', start);
    const clock = new ManualClock(start);
    const running = await anEngine(storage, clock);
    const day = (d: number, hour: number, minute = 7) => new Date(start.getTime() + d * 24 * HOUR + hour * HOUR + minute * MINUTE);
    const measures: Measure[] = [0, 1, 2, 4, 5].map((d) => ({ at: day(d, 2), delayMs: MINUTE, clockOffMs: 0 }));
    const arrivals = measures.map((m) => ({ at: m.at.getTime() + m.delayMs, readings: oximetry(patient.id, oximeter.id, m) }));
    // The hub drops out on day 2 from 10:30 (its last will) and is back at 16:30; day 3 it is simply unplugged from 12:00 to 20:00.
    const outages = [
      { from: day(2, 4, 30).getTime(), to: day(2, 10, 30).getTime(), lastWill: true },
      { from: day(3, 6, 0).getTime(), to: day(3, 14, 0).getTime(), lastWill: false },
    ];
    const down = (t: number) => outages.some((o) => t >= o.from && t < o.to);
    const end = new Date(start.getTime() + 7 * 24 * HOUR);
    await runLive(storage, running, clock, arrivals, { start, end }, {
      beforeTick: async (tick) => {
        for (const o of outages) {
          if (o.lastWill && o.from < tick && o.from >= tick - HOUR) await storage.registry.recordDeviceConnection(hub.id, 'offline', new Date(o.from));
          if (o.to < tick && o.to >= tick - HOUR) await storage.registry.recordDeviceConnection(hub.id, 'online', new Date(o.to));
        }
        // The gateway's last-seen flushes while the hub is in touch: three minutes apart, one contact span.
        for (const m of [55, 58]) if (!down(tick - HOUR + m * MINUTE)) await storage.registry.touchDevices([{ id: hub.id, at: new Date(tick - HOUR + m * MINUTE) }]);
      },
      onArrival: (at) => storage.registry.touchDevice(oximeter.id, new Date(at), 15),
    });

    const item = await storedStay(storage, patient.id, admission.id, start, end);
    // Contact spans: the hub's flushes three minutes apart are one row an hour, not one per flush.
    expect(item.timer.devices.find((d) => d.id === hub.id)?.contacts.filter((c) => c.kind === 'seen').length).toBeLessThan(7 * 24);
    const report = ruleBacktest([{ ...item, proposed: undefined }], [], { from: start, to: end, timerEveryMs: HOUR });
    const expected = (await storage.alerts.forPatient(patient.id, { includeResolved: true })).map(liveAlertColumns).sort(byOpening);
    expect(report.alerts.current.map(replayedAlertColumns).sort(byOpening)).toEqual(expected);
    const rules = new Set(expected.map((a) => a.rule));
    for (const rule of ['hub-offline', 'low-battery', 'patient-silent']) expect(rules).toContain(rule);
    expect(expected.filter((a) => a.rule === 'hub-offline' && a.outcome === 'reading-received').length).toBe(2);
  }, 300_000);
});
