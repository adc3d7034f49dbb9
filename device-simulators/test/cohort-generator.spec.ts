import { PATHWAYS, VITAL_SIGNS, parseNhsNumber } from '@homeward/domain';
import { decodeCharacteristic, parseHex } from '@homeward/gatt';
import {
  type Cohort,
  type SimulatedMessage,
  type TrueReading,
  SeededRandom,
  cohortMessages,
  generateCohort,
  patientMessages,
  simulatedNow,
  streamMessages,
} from '../src';

const START = new Date('2026-03-01T00:00:00.000Z');
const DAY_MS = 86_400_000;

function readingsOf(messages: readonly SimulatedMessage[], vital: string): TrueReading[] {
  return messages.flatMap((m) => m.truth).filter((r) => r.vital === vital).sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function valuesBetween(readings: readonly TrueReading[], fromDay: number, toDay: number): number[] {
  return readings.filter((r) => r.measuredAt.getTime() >= START.getTime() + fromDay * DAY_MS && r.measuredAt.getTime() < START.getTime() + toDay * DAY_MS).map((r) => r.value);
}

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds and derived streams', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const sequence = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sequence);
    expect(new SeededRandom(43).next()).not.toEqual(sequence[0]);
    expect(SeededRandom.derive(1, 0).next()).not.toEqual(SeededRandom.derive(1, 1).next());
    expect(SeededRandom.derive(1, 0, 3).next()).toEqual(SeededRandom.derive(1, 0, 3).next());
  });

  it('draws gaussians with about the asked spread', () => {
    const random = new SeededRandom(7);
    const draws = Array.from({ length: 20_000 }, () => random.gaussian(2));
    const m = mean(draws);
    const sd = Math.sqrt(mean(draws.map((d) => (d - m) ** 2)));
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });
});

describe('generateCohort', () => {
  it('is deterministic for a seed, down to every payload byte', () => {
    const build = (seed: number) => {
      const cohort = generateCohort({ seed, size: 12, days: 10 });
      return { cohort, payloads: cohortMessages(cohort, { start: START, days: 10 }).map((m) => JSON.stringify(m.payload(m.sendAt))) };
    };
    const first = build(2026);
    expect(build(2026)).toEqual(first);
    expect(build(2027).payloads).not.toEqual(first.payloads);
  });

  it('gives a patient the same readings whatever the cohort size', () => {
    const small = generateCohort({ seed: 5, size: 8, days: 6 });
    const large = generateCohort({ seed: 5, size: 30, days: 6 });
    expect(large.patients.slice(0, 8)).toEqual(small.patients);
    const timeline = { start: START, days: 6 };
    const of = (cohort: Cohort) => patientMessages(cohort.seed, cohort.patients[7]!, timeline).map((m) => m.truth);
    expect(of(large)).toEqual(of(small));
  });

  it('makes valid test-range NHS numbers, every pathway and some people with diabetes', () => {
    const cohort = generateCohort({ seed: 11, size: 200, days: 10 });
    for (const p of cohort.patients) {
      expect(parseNhsNumber(p.nhsNumber).ok).toBe(true);
      expect(p.nhsNumber.startsWith('999')).toBe(true);
    }
    expect(new Set(cohort.patients.map((p) => p.pathway))).toEqual(new Set(PATHWAYS));
    const diabetic = cohort.patients.filter((p) => p.diabetic).length;
    expect(diabetic).toBeGreaterThan(20);
    expect(diabetic).toBeLessThan(80);
  });

  it('keeps quiet patients\' readings plausible and clinically ordinary', () => {
    const cohort = generateCohort({ seed: 3, size: 60, days: 30, events: 'none' });
    const messages = cohortMessages(cohort, { start: START, days: 30 });
    const all = messages.flatMap((m) => m.truth);
    expect(all.length).toBeGreaterThan(60 * 30 * 3);
    for (const r of all) {
      const sign = VITAL_SIGNS[r.vital];
      expect(r.unit).toBe(sign.unit);
      expect(r.value).toBeGreaterThanOrEqual(sign.plausible.min);
      expect(r.value).toBeLessThanOrEqual(sign.plausible.max);
    }
    // Ordinary ranges for stable patients at home (wider than the baselines: natural variation).
    const within = (vital: string, min: number, max: number) => {
      const values = readingsOf(messages, vital).map((r) => r.value);
      expect(values.length).toBeGreaterThan(0);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(min);
      expect(Math.max(...values)).toBeLessThanOrEqual(max);
    };
    within('spo2', 88, 100);
    within('systolic_bp', 85, 180);
    within('diastolic_bp', 45, 110);
    within('heart_rate', 40, 110);
    within('body_temperature', 35.5, 37.8);
    within('respiration_rate', 8, 25);
    within('blood_glucose', 1, 14);
    // Glucose only for people with diabetes.
    const glucosePatients = new Set(messages.filter((m) => m.truth.some((r) => r.vital === 'blood_glucose')).map((m) => m.patientIndex));
    expect([...glucosePatients].every((i) => cohort.patients[i]?.diabetic)).toBe(true);
    // Day-to-day weight varies by grams to a few hundred grams, not kilos.
    for (const patient of cohort.patients.slice(0, 20)) {
      const weights = readingsOf(patientMessages(cohort.seed, patient, { start: START, days: 30 }), 'body_weight').map((r) => r.value);
      if (weights.length > 1) expect(Math.max(...weights) - Math.min(...weights)).toBeLessThan(2.5);
    }
  });
});

describe('scripted events', () => {
  const days = 10;
  const cohort = generateCohort({ seed: 99, size: 6, days });
  const timeline = { start: START, days };
  const messagesOf = (index: number) => patientMessages(cohort.seed, cohort.patients[index]!, timeline);

  it('puts one event of each kind on the first six patients', () => {
    expect(cohort.patients.map((p) => p.events.map((e) => e.kind))).toEqual([
      ['heart-failure-decompensation'],
      ['chest-infection'],
      ['non-adherence'],
      ['hub-outage'],
      ['wrong-clock'],
      ['malformed-frames'],
    ]);
  });

  it('heart-failure decompensation: weight up more than 2 kg in 3 days, SpO2 down', () => {
    const messages = messagesOf(0);
    const weights = readingsOf(messages, 'body_weight');
    const before = mean(valuesBetween(weights, 0, 5));
    const lastDay = weights.at(-1)!;
    const threeDaysEarlier = weights.filter((w) => w.measuredAt.getTime() <= lastDay.measuredAt.getTime() - 3 * DAY_MS).at(-1)!;
    expect(lastDay.value - threeDaysEarlier.value).toBeGreaterThan(2);
    expect(lastDay.value - before).toBeGreaterThan(3);
    const spo2 = readingsOf(messages, 'spo2');
    expect(mean(valuesBetween(spo2, 5, 10).slice(-2)) - mean(valuesBetween(spo2, 0, 5))).toBeLessThan(-1.5);
  });

  it('chest infection: temperature, pulse and breathing up, SpO2 down', () => {
    const messages = messagesOf(1);
    const shift = (vital: string) => mean(valuesBetween(readingsOf(messages, vital), 8, 10)) - mean(valuesBetween(readingsOf(messages, vital), 0, 7));
    expect(shift('body_temperature')).toBeGreaterThan(1.3);
    expect(shift('heart_rate')).toBeGreaterThan(15);
    expect(shift('respiration_rate')).toBeGreaterThan(5);
    expect(shift('spo2')).toBeLessThan(-3);
    // On the acute respiratory infection pathway that reaches the severe SpO2 band (≤ 92 %).
    expect(Math.min(...valuesBetween(readingsOf(messages, 'spo2'), 8, 10))).toBeLessThanOrEqual(92);
  });

  it('non-adherence: no readings at all while it lasts', () => {
    const messages = messagesOf(2);
    const event = cohort.patients[2]!.events[0] as { startDay: number; days: number };
    expect(messages.filter((m) => m.sendAt.getTime() >= START.getTime() + event.startDay * DAY_MS)).toEqual([]);
    expect(messages.length).toBeGreaterThan(0);
  });

  it('hub outage: readings measured during it are all delivered late, together, when it ends', () => {
    const messages = messagesOf(3);
    const event = cohort.patients[3]!.events[0] as { startDay: number; days: number };
    const from = START.getTime() + event.startDay * DAY_MS;
    const end = from + event.days * DAY_MS;
    const held = messages.filter((m) => m.truth[0]!.measuredAt.getTime() >= from && m.truth[0]!.measuredAt.getTime() < end);
    expect(held.length).toBeGreaterThanOrEqual(event.days * 2);
    for (const m of held) {
      expect(m.sendAt.getTime()).toBeGreaterThanOrEqual(end);
      expect(m.sendAt.getTime()).toBeLessThan(end + 2 * 60_000);
    }
    const onTime = messages.filter((m) => !held.includes(m));
    for (const m of onTime) expect(m.sendAt.getTime() - m.truth[0]!.measuredAt.getTime()).toBeLessThanOrEqual(90_000);
  });

  it('wrong clock: device time and sent-at are both off by the same amount', () => {
    const event = cohort.patients[4]!.events[0] as { offsetMs: number };
    expect(Math.abs(event.offsetMs)).toBeGreaterThanOrEqual(3 * 3_600_000);
    for (const m of messagesOf(4)) {
      const payload = m.payload(m.sendAt);
      expect(Date.parse(payload.sentAt) - m.sendAt.getTime()).toBe(event.offsetMs);
      payload.readings!.forEach((r, i) => expect(Date.parse(r.deviceTime) - m.truth[i]!.measuredAt.getTime()).toBe(event.offsetMs));
    }
    // A correct clock writes true times.
    const m = messagesOf(0)[0]!;
    expect(m.payload(m.sendAt).readings![0]!.deviceTime).toBe(m.truth[0]!.measuredAt.toISOString());
  });

  it('malformed frames: a truncated blood-pressure frame that the GATT decoder refuses with a code', () => {
    const messages = messagesOf(5);
    const bad = messages.filter((m) => m.kind === 'malformed');
    expect(bad.length).toBeGreaterThan(0);
    for (const m of bad) {
      const frame = m.payload(m.sendAt).frames![0]!;
      expect(frame.characteristic).toBe('2A35');
      const bytes = parseHex(frame.hex);
      expect(bytes.ok).toBe(true);
      const decoded = bytes.ok ? decodeCharacteristic(frame.characteristic, bytes.value) : bytes;
      expect(decoded.ok).toBe(false);
      expect(!decoded.ok && decoded.error.code).toMatch(/^gatt\./);
    }
    // The readings themselves still arrive.
    expect(messages.filter((m) => m.kind === 'readings').length).toBeGreaterThan(bad.length);
  });

  it('stops at `until`: nothing measured or sent after it', () => {
    const until = new Date(START.getTime() + 7.5 * DAY_MS);
    const messages = cohortMessages(cohort, { ...timeline, until });
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(m.sendAt.getTime()).toBeLessThan(until.getTime());
  });
});

describe('streamMessages', () => {
  it('sends each message once its accelerated time has come, in time order per device', async () => {
    const cohort = generateCohort({ seed: 1, size: 4, days: 3 });
    const messages = cohortMessages(cohort, { start: START, days: 3 });
    let fakeNow = 0;
    const clock = { simulatedStart: START, realStart: 0, speed: 3_600_000 }; // an hour per real ms
    const sent: Array<{ message: SimulatedMessage; simulatedAt: number }> = [];
    const result = await streamMessages({
      messages,
      clock,
      now: () => fakeNow,
      sleep: async (ms) => {
        fakeNow += ms;
      },
      tickMs: 1,
      publish: async (message) => {
        sent.push({ message, simulatedAt: simulatedNow(clock, fakeNow).getTime() });
        return { messageId: null, status: 'accepted', stored: message.truth.length, duplicates: 0, rejected: [] };
      },
    });
    expect(result.sent).toBe(messages.length);
    expect(result.stored).toBe(messages.reduce((n, m) => n + m.truth.length, 0));
    for (const { message, simulatedAt } of sent) {
      expect(simulatedAt).toBeGreaterThanOrEqual(message.sendAt.getTime());
      expect(simulatedAt - message.sendAt.getTime()).toBeLessThanOrEqual(3_600_000);
    }
    for (const index of [0, 1, 2, 3]) {
      const times = sent.filter((s) => s.message.patientIndex === index).map((s) => s.message.sendAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });
});
