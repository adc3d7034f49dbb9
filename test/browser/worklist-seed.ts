import { randomUUID } from 'node:crypto';
import { type AlertSeverityBand, type Pathway, parseNhsNumber } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { aValidNhsNumber } from '@homeward/testing';

const GIVEN = ['Ada', 'Ben', 'Cara', 'Dev', 'Edith', 'Farid', 'Grace', 'Hugh', 'Iris', 'Jon'];
const PATHWAYS: readonly Pathway[] = ['heart-failure', 'copd', 'acute-respiratory-infection', 'frailty', 'general'];

/** The three kinds of alert a busy ward has, as the rules engine would raise them. */
const ALERTS: ReadonlyArray<{ rule: string; subject: string; explanation: (v: number) => string; details: (v: number) => Record<string, unknown>; value: number | null }> = [
  { rule: 'vital-threshold', subject: 'spo2:at-or-below', explanation: (v) => `SpO2 ${v} % is at or below the ward's limit of 92 %. Recheck the probe and ask about breathlessness.`, details: (v) => ({ vital: 'spo2', value: v }), value: 91 },
  { rule: 'vital-threshold', subject: 'heart_rate:at-or-above', explanation: (v) => `Heart rate ${v} /min is at or above 111 /min.`, details: (v) => ({ vital: 'heart_rate', value: v }), value: 118 },
  // Overdue is a silence the engine resolves only when the reading arrives (the timer pass would
  // resolve a seeded patient-silent alert that its own facts do not support).
  { rule: 'overdue-reading', subject: 'overdue:spo2', explanation: () => 'The twice-daily SpO2 reading is 3 hours overdue.', details: () => ({ vital: 'spo2' }), value: null },
];

export interface SeededPatient {
  readonly id: string;
  readonly name: string;
  readonly nhsNumber: string;
}

/**
 * A ward of `patients` patients with `perPatient` unresolved alerts each, written through the
 * alert repository as the engine writes them (so the live stream and the worklist see real rows).
 * Patient p's highest severity is band p mod 4 (low, low–medium, medium, high: 50 each of 200);
 * the other alerts are milder. Measured times are minutes to hours ago.
 */
export async function seedBusyWard(storage: Storage, wardId: string, patients: number, perPatient = 3, now = new Date()): Promise<SeededPatient[]> {
  const seeded: SeededPatient[] = [];
  const bands: readonly AlertSeverityBand[] = ['low', 'low-medium', 'medium', 'high'];
  for (let p = 0; p < patients; p++) {
    const nhs = parseNhsNumber(aValidNhsNumber({ testRange: true }));
    if (!nhs.ok) throw new Error('builder made a bad NHS number');
    const familyName = `Ward${String(p).padStart(3, '0')}-${randomUUID().slice(0, 4)}`;
    const patient = await storage.registry.createPatient({ nhsNumber: nhs.value, givenName: GIVEN[p % GIVEN.length] as string, familyName, dateOfBirth: '1948-03-01' });
    await storage.registry.admit({ patientId: patient.id, wardId, pathway: PATHWAYS[p % PATHWAYS.length] as Pathway });
    seeded.push({ id: patient.id, name: `${patient.givenName} ${patient.familyName}`, nhsNumber: nhs.value });
    for (let a = 0; a < perPatient; a++) {
      const kind = ALERTS[a % ALERTS.length] as (typeof ALERTS)[number];
      const measuredAt = new Date(now.getTime() - (5 + p + a * 7) * 60_000);
      const value = kind.value === null ? null : kind.value - (p % 3);
      await storage.alerts.raise({
        patientId: patient.id,
        wardId,
        rule: kind.rule,
        subject: kind.subject,
        severity: bands[Math.max(0, (p % bands.length) - a)] as AlertSeverityBand, // the first alert sets the patient's band
        explanation: kind.explanation(value ?? 0),
        details: kind.details(value ?? 0),
        latestValue: value,
        measuredAt,
        readingIds: [],
        evidenceReceivedAt: measuredAt,
        at: new Date(now.getTime() - (p + a) * 1000),
        escalationDueAt: null,
        nextReminderAt: null,
        by: { type: 'system', id: 'browser-test-seed' },
      });
    }
  }
  return seeded;
}
