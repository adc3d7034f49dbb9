import type { AlertActor, AlertOutcome, AlertSeverityBand, DischargeOutcome, Pathway, VitalKey } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { aReading, aValidNhsNumber, uniqueName } from './builders';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);

/** The period of the hand-computed ward: October and November 2026; "now" is the day after. */
export const HAND_WARD_FROM = at('2026-10-01T00:00:00Z');
export const HAND_WARD_TO = at('2026-12-01T00:00:00Z');
export const HAND_WARD_NOW = at('2026-12-02T00:00:00Z');

export interface HandComputedWard {
  readonly wardId: string;
  readonly otherWardId: string;
  readonly nurseId: string;
}

const UNITS: Readonly<Partial<Record<VitalKey, string>>> = { body_weight: 'kg', systolic_bp: 'mm[Hg]', heart_rate: '/min', spo2: '%', body_temperature: 'Cel' };
const VALUES: Readonly<Partial<Record<VitalKey, number>>> = { body_weight: 80, systolic_bp: 130, heart_rate: 70, spo2: 96, body_temperature: 36.8 };

/**
 * A small ward whose figures were worked out by hand (the expectations in apps/api/test/ward-analytics.spec.ts
 * spell out the arithmetic). Five patients, six admissions in October–November 2026 plus two
 * before, seven alerts of the period plus two that must not count (an earlier one, another ward).
 */
export async function seedHandComputedWard(storage: Storage): Promise<HandComputedWard> {
  const wardId = (await storage.registry.createWard(uniqueName('Analytics ward'))).id;
  const otherWardId = (await storage.registry.createWard(uniqueName('Other ward'))).id;
  const nurseId = (await storage.registry.createUser({ email: `${uniqueName('nurse').replace(' ', '-')}@example.nhs.uk`, displayName: 'Nurse Hand', role: 'nurse' })).id;
  const patient = async (name: string) => (await storage.registry.createPatient({ nhsNumber: aValidNhsNumber(), givenName: name, familyName: uniqueName('Hand'), dateOfBirth: '1950-01-01' })).id;
  const stay = async (patientId: string, pathway: Pathway, from: string, to: string | null, outcome?: DischargeOutcome, ward = wardId) => {
    const admission = await storage.registry.admit({ patientId, wardId: ward, pathway, admittedAt: at(from) });
    if (to) await storage.registry.discharge(admission.id, at(to), 'hand-computed ward', outcome);
    return admission.id;
  };
  const readings = async (patientId: string, vital: VitalKey, times: readonly number[]) => {
    await storage.readings.insertBatch(times.map((t) => aReading({ patientId, vital, unit: UNITS[vital] as string, value: VALUES[vital] as number, measuredAt: new Date(t) })));
  };

  const p1 = await patient('One');
  const p2 = await patient('Two');
  const p3 = await patient('Three');
  const p4 = await patient('Four');
  const p5 = await patient('Five');
  const other = await patient('Elsewhere');

  // Before the period: P4 home on 25 Sep (so 15 Oct is a readmission), P5 transferred on 5 Sep (so 2 Oct is not).
  await stay(p4, 'frailty', '2026-09-20T00:00:00Z', '2026-09-25T00:00:00Z', 'home');
  await stay(p5, 'frailty', '2026-09-01T00:00:00Z', '2026-09-05T00:00:00Z', 'transferred');
  // The period's stays: 10 + 15 + 21 + 5 + 1 + 1 = 53 patient-days.
  await stay(p1, 'heart-failure', '2026-10-01T00:00:00Z', '2026-10-11T00:00:00Z', 'home');
  await stay(p5, 'frailty', '2026-10-02T00:00:00Z', '2026-10-03T00:00:00Z');
  await stay(p4, 'frailty', '2026-10-15T00:00:00Z', '2026-10-16T00:00:00Z', 'other');
  await stay(p2, 'copd', '2026-10-20T12:00:00Z', '2026-11-04T12:00:00Z', 'hospital-admission');
  await stay(p1, 'heart-failure', '2026-11-01T00:00:00Z', '2026-11-06T00:00:00Z', 'death');
  await stay(p3, 'general', '2026-11-10T00:00:00Z', null);
  await stay(other, 'general', '2026-10-01T00:00:00Z', null, undefined, otherWardId);

  // P1 (heart failure, daily): weight 10 of 10 days, systolic 8 of 10, pulse 10 days plus 2 extra on day one.
  const p1Days = Array.from({ length: 10 }, (_, d) => Date.parse('2026-10-01T08:30:00Z') + d * DAY);
  await readings(p1, 'body_weight', p1Days);
  await readings(p1, 'systolic_bp', p1Days.slice(0, 8));
  await readings(p1, 'heart_rate', [...p1Days, p1Days[0] as number + HOUR, p1Days[0] as number + 2 * HOUR]);
  // P2 (COPD: SpO2 and pulse 12-hourly, temperature daily): 20 SpO2, no pulse, 15 temperatures in the stay
  // (the first in the hour it was admitted) and one taken the hour before admission, which does not count.
  await readings(p2, 'spo2', Array.from({ length: 20 }, (_, k) => Date.parse('2026-10-21T08:00:00Z') + k * 12 * HOUR));
  await readings(p2, 'body_temperature', [Date.parse('2026-10-20T11:30:00Z'), ...Array.from({ length: 15 }, (_, k) => Date.parse('2026-10-20T12:30:00Z') + k * DAY)]);
  // The other ward's patient reads every hour: none of it is this ward's.
  await readings(other, 'spo2', Array.from({ length: 48 }, (_, k) => Date.parse('2026-10-05T00:00:00Z') + k * HOUR));

  const oximeter = await storage.registry.registerDevice({ type: 'pulse-oximeter', serial: uniqueName('OX'), model: 'Acme OX-1', patientId: p2 });
  const refused = (receivedAt: string) =>
    storage.rejected.record({ source: 'mqtt', deviceId: oximeter.id, error: { code: 'payload.invalid-json', message: 'not JSON' }, payload: new TextEncoder().encode('{'), receivedAt: at(receivedAt) });
  await refused('2026-10-26T01:00:00Z');
  await refused('2026-11-01T01:00:00Z');
  await refused('2026-09-01T01:00:00Z'); // before the period

  const nurse: AlertActor = { type: 'user', id: nurseId };
  const system: AlertActor = { type: 'system', id: 'rules-engine' };
  const raise = async (patientId: string, rule: string, subject: string, severity: AlertSeverityBand, openedAt: string, details: Record<string, unknown> = {}, ward = wardId) => {
    const when = at(openedAt);
    const result = await storage.alerts.raise({
      patientId, wardId: ward, rule, subject, severity, explanation: `${rule} (hand-computed ward)`, details, latestValue: null,
      measuredAt: when, readingIds: [], evidenceReceivedAt: when, at: when, escalationDueAt: null, nextReminderAt: null, by: system,
    });
    if (result.kind !== 'raised') throw new Error(`expected a new alert, got ${result.kind}`);
    return { id: result.alert.id, openedAt: when.getTime() };
  };
  const change = async (alert: { id: string; openedAt: number }, minutes: number, action: 'acknowledge' | 'escalate' | 'resolve', by: AlertActor = nurse, outcome?: AlertOutcome) => {
    const done = await storage.alerts.transition(alert.id, {
      action, by, at: new Date(alert.openedAt + minutes * MINUTE),
      ...(action === 'escalate' ? { reason: 'needs a senior' } : {}),
      ...(outcome ? { outcome } : {}),
      ...(by.type === 'system' && action === 'resolve' ? { selfResolving: true } : {}),
    });
    if (!done.ok) throw new Error(done.error.message);
  };

  const a1 = await raise(p1, 'news2-band', 'news2', 'high', '2026-10-03T10:00:00Z');
  await change(a1, 10, 'acknowledge');
  await change(a1, 60, 'resolve', nurse, 'escalated-to-999');
  const a2 = await raise(p1, 'vital-threshold', 'systolic_bp:at-or-below', 'medium', '2026-10-05T09:00:00Z');
  await change(a2, 30, 'escalate', system);
  await change(a2, 40, 'acknowledge');
  await change(a2, 120, 'resolve', nurse, 'false-alarm');
  const a3 = await raise(p2, 'patient-silent', 'patient-silent', 'medium', '2026-10-25T00:00:00Z');
  await change(a3, 240, 'resolve', nurse, 'contacted-patient');
  await raise(p2, 'device-clock-off', `device-clock-off:${oximeter.id}`, 'low', '2026-10-26T00:00:00Z', { technical: true, deviceId: oximeter.id });
  const a5 = await raise(p3, 'vital-threshold', 'spo2:at-or-below', 'low', '2026-11-15T12:00:00Z');
  await change(a5, 30, 'resolve', nurse, 'false-alarm');
  const a6 = await raise(p2, 'overdue-reading', 'overdue:heart_rate', 'low', '2026-11-02T00:00:00Z');
  await change(a6, 90, 'resolve', system, 'reading-received');
  const a7 = await raise(p3, 'news2-band', 'news2', 'medium', '2026-11-20T00:00:00Z');
  await change(a7, 20, 'escalate');
  await change(a7, 60, 'resolve', nurse, 'escalated-to-gp');
  // Not this period or not this ward.
  await raise(p4, 'news2-band', 'news2', 'high', '2026-09-22T00:00:00Z');
  await raise(other, 'news2-band', 'news2', 'high', '2026-10-10T00:00:00Z', {}, otherWardId);
  return { wardId, otherWardId, nurseId };
}
