import { type Pathway, VITAL_SIGNS, type VitalKey } from '@homeward/domain';
import { encodeCharacteristic } from '@homeward/gatt';
import type { Cohort, CohortPatient, ScriptedEvent, SimulatedMessage, SimulatedPayload, TrueReading } from './cohort.model';
import { SeededRandom } from './seeded-random';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface Timeline {
  /** Day 0 starts here (true time). */
  readonly start: Date;
  readonly days: number;
  /** Nothing measured or sent at or after this moment (e.g. "now" for a replay of the past). */
  readonly until?: Date;
}

interface Session {
  readonly hour: number;
  readonly vitals: readonly VitalKey[];
}

const BP: readonly VitalKey[] = ['systolic_bp', 'diastolic_bp', 'heart_rate'];

/** When each pathway measures what (UTC hours), as virtual-ward care plans typically ask. */
const SESSIONS: Readonly<Record<Pathway, readonly Session[]>> = {
  'heart-failure': [
    { hour: 7.5, vitals: ['body_weight', ...BP, 'spo2'] },
    { hour: 19, vitals: BP },
  ],
  copd: [
    { hour: 8, vitals: ['spo2', 'heart_rate', 'respiration_rate', 'body_temperature'] },
    { hour: 18, vitals: ['spo2', 'heart_rate'] },
  ],
  'acute-respiratory-infection': [
    { hour: 8, vitals: ['spo2', 'heart_rate', 'respiration_rate', 'body_temperature'] },
    { hour: 14, vitals: ['spo2', 'heart_rate', 'body_temperature'] },
    { hour: 20, vitals: ['spo2', 'heart_rate', 'respiration_rate', 'body_temperature'] },
  ],
  frailty: [{ hour: 9, vitals: [...BP, 'spo2', 'body_temperature', 'body_weight'] }],
  general: [{ hour: 9, vitals: [...BP, 'spo2', 'body_temperature'] }],
};

/** Day-to-day variation around the baseline (standard deviations, canonical units). */
const NOISE_SD: Readonly<Partial<Record<VitalKey, number>>> = {
  systolic_bp: 6,
  diastolic_bp: 4,
  heart_rate: 4,
  spo2: 0.8,
  respiration_rate: 1.2,
  body_temperature: 0.18,
  body_weight: 0.25,
  blood_glucose: 1.1,
};

const DECIMALS: Readonly<Partial<Record<VitalKey, number>>> = { body_temperature: 1, body_weight: 1, blood_glucose: 1 };

/** Every message of every patient on the timeline, in the order they are sent. */
export function cohortMessages(cohort: Cohort, timeline: Timeline): SimulatedMessage[] {
  return cohort.patients
    .flatMap((patient) => patientMessages(cohort.seed, patient, timeline))
    .sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime() || a.patientIndex - b.patientIndex);
}

/** One patient's messages on the timeline (unsorted across days only when an outage holds some back). */
export function patientMessages(seed: number, patient: CohortPatient, timeline: Timeline): SimulatedMessage[] {
  const until = timeline.until?.getTime() ?? Number.POSITIVE_INFINITY;
  const clockOffsetMs = patient.events.reduce((offset, e) => (e.kind === 'wrong-clock' ? offset + e.offsetMs : offset), 0);
  const messages: SimulatedMessage[] = [];
  for (let day = 0; day < timeline.days; day++) {
    const random = SeededRandom.derive(seed, patient.index, day);
    const sessions = SESSIONS[patient.pathway];
    sessions.forEach((session, sessionIndex) => {
      const jitter = Math.max(-90, Math.min(90, random.gaussian(20))) * MINUTE_MS;
      const measuredAt = new Date(timeline.start.getTime() + day * DAY_MS + session.hour * 3_600_000 + jitter);
      const dayOffset = (measuredAt.getTime() - timeline.start.getTime()) / DAY_MS;
      const vitals = patient.diabetic && (sessionIndex === 0 || sessionIndex === sessions.length - 1) ? [...session.vitals, 'blood_glucose' as const] : session.vitals;
      // Values are drawn even when the session is skipped, so one event never shifts another day's numbers.
      const truth = vitals.map((vital) => trueReading(patient, vital, measuredAt, dayOffset, random));
      const deliveryDelayMs = (patient.device === 'hub' ? random.integer(5, 90) : random.integer(10, 60)) * 1000;
      if (measuredAt.getTime() >= until || activeEvent(patient.events, 'non-adherence', dayOffset)) return;
      const outage = activeEvent(patient.events, 'hub-outage', dayOffset);
      const sendAt = new Date(outage ? timeline.start.getTime() + (outage.startDay + outage.days) * DAY_MS + deliveryDelayMs : measuredAt.getTime() + deliveryDelayMs);
      if (sendAt.getTime() >= until) return;
      const messageId = `sim-${seed}-p${patient.index}-d${day}-s${sessionIndex}`;
      messages.push({
        patientIndex: patient.index,
        kind: 'readings',
        sendAt,
        clockOffsetMs,
        truth,
        payload: (sendingAt) => readingsPayload(messageId, truth, clockOffsetMs, sendingAt),
      });
      if (activeEvent(patient.events, 'malformed-frames', dayOffset) && sendAt.getTime() + 1000 < until) {
        const deviceTime = new Date(measuredAt.getTime() + clockOffsetMs).toISOString();
        messages.push({
          patientIndex: patient.index,
          kind: 'malformed',
          sendAt: new Date(sendAt.getTime() + 1000),
          clockOffsetMs,
          truth: [],
          payload: (sendingAt) => ({
            messageId: `${messageId}-frame`,
            sentAt: new Date(sendingAt.getTime() + clockOffsetMs).toISOString(),
            frames: [{ characteristic: '2A35', hex: truncatedBloodPressureFrame(truth), deviceTime }],
          }),
        });
      }
    });
  }
  return messages;
}

function readingsPayload(messageId: string, truth: readonly TrueReading[], clockOffsetMs: number, sendingAt: Date): SimulatedPayload {
  return {
    messageId,
    sentAt: new Date(sendingAt.getTime() + clockOffsetMs).toISOString(),
    readings: truth.map((r) => ({ vital: r.vital, value: r.value, unit: r.unit, deviceTime: new Date(r.measuredAt.getTime() + clockOffsetMs).toISOString() })),
  };
}

function trueReading(patient: CohortPatient, vital: VitalKey, measuredAt: Date, dayOffset: number, random: SeededRandom): TrueReading {
  const sign = VITAL_SIGNS[vital];
  const raw = usualValue(patient, vital) + eventShift(patient.events, vital, dayOffset) + random.gaussian(NOISE_SD[vital] ?? 0);
  const places = DECIMALS[vital] ?? 0;
  const rounded = Math.round(raw * 10 ** places) / 10 ** places;
  return { vital, value: Math.min(sign.plausible.max, Math.max(sign.plausible.min, rounded)), unit: sign.unit, measuredAt };
}

function usualValue(patient: CohortPatient, vital: VitalKey): number {
  const b = patient.baseline;
  switch (vital) {
    case 'systolic_bp':
      return b.systolic;
    case 'diastolic_bp':
      return b.diastolic;
    case 'heart_rate':
      return b.heartRate;
    case 'spo2':
      return b.spo2;
    case 'respiration_rate':
      return b.respirationRate;
    case 'body_temperature':
      return b.temperature;
    case 'body_weight':
      return b.weight;
    case 'blood_glucose':
      return b.glucose ?? 5.5;
    default:
      throw new Error(`the cohort does not simulate ${vital}`);
  }
}

/** At full strength, how far each event moves each vital (canonical units). */
const DECOMPENSATION: Readonly<Partial<Record<VitalKey, number>>> = { body_weight: 4.5, spo2: -4, heart_rate: 14, respiration_rate: 6 };
const CHEST_INFECTION: Readonly<Partial<Record<VitalKey, number>>> = { body_temperature: 1.9, heart_rate: 24, respiration_rate: 8, spo2: -5 };

/**
 * How far the scripted events move a vital at a moment (days since the timeline's start). The
 * changes follow the clinical picture: decompensation builds over its days (about 0.9 kg a day,
 * so more than 2 kg in 3 days); an infection's fever comes within a day and stays while it lasts.
 */
export function eventShift(events: readonly ScriptedEvent[], vital: VitalKey, dayOffset: number): number {
  let shift = 0;
  for (const event of events) {
    if (event.kind === 'heart-failure-decompensation') {
      shift += ramp(dayOffset, event.startDay, event.days) * (DECOMPENSATION[vital] ?? 0);
    } else if (event.kind === 'chest-infection' && dayOffset < event.startDay + event.days) {
      shift += ramp(dayOffset, event.startDay, 1) * (CHEST_INFECTION[vital] ?? 0);
    }
  }
  return shift;
}

/** 0 before start, rising linearly to 1 over `days`, then 1. */
function ramp(dayOffset: number, startDay: number, days: number): number {
  return Math.max(0, Math.min(1, (dayOffset - startDay) / days));
}

/** The event of that kind under way at a moment, if any. */
export function activeEvent<K extends ScriptedEvent['kind']>(events: readonly ScriptedEvent[], kind: K, dayOffset: number): Extract<ScriptedEvent, { kind: K }> | undefined {
  return events.find(
    (e): e is Extract<ScriptedEvent, { kind: K }> => e.kind === kind && 'startDay' in e && dayOffset >= e.startDay && dayOffset < e.startDay + e.days,
  );
}

/**
 * A Blood Pressure Measurement frame (0x2A35) cut short after its systolic value: what a hub
 * forwards when a notification is truncated. The gateway must refuse it with a coded error.
 */
function truncatedBloodPressureFrame(truth: readonly TrueReading[]): string {
  const value = (vital: VitalKey, fallback: number) => truth.find((r) => r.vital === vital)?.value ?? fallback;
  const systolic = value('systolic_bp', 130);
  const diastolic = value('diastolic_bp', 80);
  const whole = encodeCharacteristic('blood-pressure-measurement', {
    unit: 'mmHg',
    systolic,
    diastolic,
    meanArterialPressure: Math.round((systolic + 2 * diastolic) / 3),
    timestamp: null,
    pulseRate: null,
    userId: null,
    status: null,
  });
  return [...whole.subarray(0, 4)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
