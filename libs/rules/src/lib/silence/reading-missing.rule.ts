import type { VitalKey } from '@homeward/domain';
import { type AlertCandidate, type AlertSeverity, highestSeverity } from '../model/alert-candidate.model';
import { isConnectingDevice } from '../model/device-contact.model';
import { deviceUnusedRule } from './device-unused.rule';
import { DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT, isDeviceOffline } from './device-offline.policy';
import { overdueReadings } from './expected-readings.schedule';
import { patientSilentRule } from './patient-silent.rule';
import type { SilenceInput } from './silence-input.model';
import { READING_NAMES, when } from './silence.wording';

export const READING_MISSING_RULE = 'reading-missing';
export const READING_MISSING_SUBJECT = 'reading-missing';

/**
 * An expected reading missing while the patient measures others (CLINICAL.md, "Overdue readings":
 * a missing reading is an alert of its own, distinct from a silent hub and an unused device): the
 * expected readings overdue past their interval plus grace that no other silence explains — not
 * when the patient measures nothing at all (patient-silent), not while every hub or app is offline
 * (hub-offline), not a vital whose device is unused (device-unused). What is left is a reading the
 * patient skips, or one a device in use fails to deliver (a cuff whose frames are refused). One
 * alert per patient naming the readings; severity of those readings (or `settings.severity`).
 * Resolves when they arrive (readingMissingResolved).
 */
export function readingMissingRule(input: SilenceInput, settings: { readonly severity?: AlertSeverity } = {}): AlertCandidate[] {
  const { now } = input;
  if (input.expected.length === 0 || patientSilentRule(input).length > 0) return [];
  const offlineAfterMs = (input.offlineAfterMinutes ?? DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT) * 60_000;
  const connectors = input.devices.filter(isConnectingDevice);
  if (connectors.length > 0 && connectors.every((d) => isDeviceOffline(d.lastSeenAt, d.connection, now, offlineAfterMs))) return [];
  const unusedDevices = new Set<VitalKey>(deviceUnusedRule(input).flatMap((c) => (c.details['vitals'] as VitalKey[] | undefined) ?? []));
  const missing = overdueReadings(input.expected, input.latest, input.admittedAt, now).filter((o) => !unusedDevices.has(o.expected.vital));
  if (missing.length === 0) return [];

  const dueAt = new Date(Math.max(...missing.map((o) => o.dueAt.getTime())));
  const names = [...new Set(missing.map((o) => READING_NAMES[o.expected.vital]))];
  const lastOf = missing.map((o) => `${READING_NAMES[o.expected.vital]} ${o.last ? `last ${when(o.since, now)}` : 'not since admission'}`);
  return [
    {
      rule: READING_MISSING_RULE,
      severity: settings.severity ?? highestSeverity(missing.map((o) => o.expected.severity)) ?? 'low',
      patientId: input.patientId,
      subject: READING_MISSING_SUBJECT,
      readings: [],
      readingIds: [],
      measuredAt: dueAt,
      explanation: `Reading missing: no ${names.join(' or ')} (${[...new Set(lastOf)].join('; ')}), while other readings arrive. Ask whether the patient can take it and whether the device works.`,
      details: { missing: missing.map((o) => ({ vital: o.expected.vital, everyHours: o.expected.everyHours, graceHours: o.expected.graceHours, since: o.since.toISOString(), missedIntervals: o.missedIntervals })) },
    },
  ];
}

/** Resolve condition: the missing readings arrived (or another silence now explains them). */
export function readingMissingResolved(input: SilenceInput): boolean {
  return readingMissingRule(input).length === 0;
}
