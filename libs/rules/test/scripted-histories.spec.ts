import { type Reading, type VitalKey, VITAL_SIGNS, buildReading, unwrap } from '@homeward/domain';
import { type AlertCandidate, type CarePlan, type ClinicalObservation, evaluatePatientRules } from '../src';

/**
 * Scripted patient histories run through every rule the way the engine will: after each
 * measurement, the rules judge that moment. Each history must raise exactly the expected alerts.
 */

const START = new Date('2026-03-01T08:00:00.000Z');
const HOUR = 3_600_000;
const PATIENT = 'patient-42';

interface Measurement {
  readonly hour: number; // hours after START
  readonly values: Partial<Record<VitalKey, number>>;
}

function toReadings(script: readonly Measurement[]): Reading[] {
  let id = 0;
  return script.flatMap(({ hour, values }) =>
    Object.entries(values).flatMap(([vital, value]) => {
      if (value === undefined) return [];
      const measuredAt = new Date(START.getTime() + hour * HOUR);
      const reading = unwrap(
        buildReading({
          patientId: PATIENT,
          deviceId: vital === 'respiration_rate' ? null : 'hub-1',
          vital,
          value,
          unit: VITAL_SIGNS[vital as VitalKey].unit,
          measuredAt,
          deviceTime: measuredAt,
          receivedAt: new Date(measuredAt.getTime() + 30_000),
          source: vital === 'respiration_rate' ? 'manual' : 'mqtt',
        }),
      );
      return [{ ...reading, id: `reading-${++id}` }];
    }),
  );
}

/** Runs the rules at every measurement time and returns the alerts as "rule subject severity", first appearance order. */
function replay(script: readonly Measurement[], plan: CarePlan, observations: readonly ClinicalObservation[] = []) {
  const readings = toReadings(script);
  const raised = new Map<string, { first: number; candidate: AlertCandidate }>();
  for (const { hour } of script) {
    const now = new Date(START.getTime() + hour * HOUR);
    for (const candidate of evaluatePatientRules(readings, plan, now, observations)) {
      const key = `${candidate.rule} ${candidate.subject} ${candidate.severity}`;
      if (!raised.has(key)) raised.set(key, { first: hour, candidate });
    }
  }
  return raised;
}

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length] as T;

/** Twice a day for `days` days: a well patient's ordinary variation. */
function steadyDays(days: number, fromDay = 0): Measurement[] {
  return Array.from({ length: days * 2 }, (_, i) => ({
    hour: (fromDay * 2 + i) * 12,
    values: {
      body_weight: pick([80.1, 79.8, 80.3, 80.0, 79.9], i),
      spo2: pick([96, 97, 95, 96, 97, 96], i),
      heart_rate: pick([72, 76, 70, 78, 74], i),
      systolic_bp: pick([126, 131, 122, 128], i),
      body_temperature: pick([36.7, 36.9, 36.6, 37.0], i),
      respiration_rate: pick([14, 16, 15], i),
    },
  }));
}

function dailyAlert(days: number): ClinicalObservation[] {
  return Array.from({ length: days }, (_, d) => ({
    kind: 'consciousness' as const,
    value: 'A' as const,
    patientId: PATIENT,
    observedAt: new Date(START.getTime() + (d * 24 + 2) * HOUR),
    recordedBy: 'nurse-3',
  }));
}

const heartFailurePlan: CarePlan = {
  patientId: PATIENT,
  pathway: 'heart-failure',
  news2: { windowHours: 24, spo2Scale: { scale: 1 }, supplementalOxygen: 'none' },
};

describe('scripted patient histories', () => {
  it('steady: a week of ordinary readings raises no alert at all', () => {
    expect([...replay(steadyDays(7), heartFailurePlan, dailyAlert(7)).keys()]).toEqual([]);
  });

  it('heart failure decompensating over 5 days: weight first, then NEWS2, then SpO2 below baseline', () => {
    const decompensation: Measurement[] = [
      { weight: 80.4, spo2: 96, hr: 80, rr: 16 },
      { weight: 80.9, spo2: 96, hr: 82, rr: 16 },
      { weight: 81.3, spo2: 95, hr: 84, rr: 17 },
      { weight: 81.8, spo2: 95, hr: 86, rr: 18 },
      { weight: 82.3, spo2: 94, hr: 90, rr: 18 },
      { weight: 82.7, spo2: 94, hr: 94, rr: 20 },
      { weight: 83.1, spo2: 93, hr: 98, rr: 21 },
      { weight: 83.5, spo2: 93, hr: 102, rr: 22 },
      { weight: 83.9, spo2: 92, hr: 106, rr: 22 },
      { weight: 84.4, spo2: 92, hr: 112, rr: 23 },
    ].map((m, i) => ({
      hour: (14 + i) * 12,
      values: { body_weight: m.weight, spo2: m.spo2, heart_rate: m.hr, respiration_rate: m.rr, systolic_bp: 118, body_temperature: 36.8 },
    }));
    const raised = replay([...steadyDays(7), ...decompensation], heartFailurePlan, dailyAlert(12));
    expect([...raised.keys()]).toEqual([
      'weight-gain body_weight:gain medium',
      'news2-band news2 medium',
      'spo2-baseline-drop spo2:baseline-drop medium',
      // Pulse 112 scores 2: every pathway's pulse limit (low-medium, below the urgency bands).
      'vital-threshold heart_rate:at-or-above low-medium',
    ]);
    const weight = raised.get('weight-gain body_weight:gain medium')!;
    expect(weight.first).toBe(216); // day 9, two days before NEWS2 reaches 5
    expect(weight.candidate.explanation).toMatch(/^Weight 82.3 kg, up 2.3 kg from 80 kg 2.5 days earlier /);
    const news2 = raised.get('news2-band news2 medium')!;
    expect(news2.first).toBe(240);
    expect(news2.candidate.explanation).toMatch(/^NEWS2 5 \(medium risk\): respiratory rate 21 \/min \(2 points\), SpO2 93 % on scale 1 \(2 points\), pulse 98 \/min \(1 point\)\./);
    // The slow decline is inside the 7-day baseline too, so the drop from baseline shows last.
    const spo2 = raised.get('spo2-baseline-drop spo2:baseline-drop medium')!;
    expect(spo2.first).toBe(264);
    expect(spo2.candidate.explanation).toMatch(/^SpO2 92 %, 3.2 points below this patient's 7-day baseline of 95.2 % /);
  });

  it('chest infection on the acute respiratory infection pathway: oximetry band, then NEWS2', () => {
    const plan: CarePlan = { ...heartFailurePlan, pathway: 'acute-respiratory-infection' };
    const infection: Measurement[] = [
      { spo2: 95, temp: 37.9, hr: 88, rr: 18 },
      { spo2: 94, temp: 38.4, hr: 96, rr: 20 },
      { spo2: 93, temp: 38.8, hr: 104, rr: 22 },
      { spo2: 92, temp: 39.2, hr: 112, rr: 24 },
    ].map((m, i) => ({
      hour: (14 + i) * 12,
      values: { spo2: m.spo2, body_temperature: m.temp, heart_rate: m.hr, respiration_rate: m.rr, systolic_bp: 124 },
    }));
    const raised = replay([...steadyDays(7).map((m) => ({ ...m, values: { ...m.values, body_weight: undefined } })), ...infection], plan, dailyAlert(9));
    // The pathway's limits alert early (oximetry band, fever, breathing rate) below the urgency
    // bands; medium and high come from NEWS2, as they would on any pathway.
    expect([...raised.entries()].map(([key, { first }]) => `${first} ${key}`)).toEqual([
      '180 vital-threshold spo2:at-or-below low',
      '180 vital-threshold body_temperature:at-or-above low',
      '192 news2-band news2 medium',
      '192 vital-threshold respiration_rate:at-or-above low-medium',
      '204 news2-band news2 high',
      '204 vital-threshold spo2:at-or-below low-medium',
      '204 vital-threshold body_temperature:at-or-above low-medium',
      '204 vital-threshold heart_rate:at-or-above low-medium',
      '204 spo2-baseline-drop spo2:baseline-drop medium',
    ]);
  });
});
