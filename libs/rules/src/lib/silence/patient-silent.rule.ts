import { type AlertCandidate, type AlertSeverity, highestSeverity } from '../model/alert-candidate.model';
import { isConnectingDevice } from '../model/device-contact.model';
import { HOUR_MS } from '../shared/reading-window';
import { DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT, isDeviceOffline } from './device-offline.policy';
import type { SilenceInput } from './silence-input.model';
import { READING_NAMES, hours, latestSeen, when } from './silence.wording';

export const PATIENT_SILENT_RULE = 'patient-silent';
export const PATIENT_SILENT_SUBJECT = 'patient-silent';

/**
 * Patient silent: the hub or app is online (or the patient has none: manual entry), yet nothing
 * at all has been measured for longer than an expected reading's interval plus grace. Nothing is
 * stuck on the way, so the patient is not measuring: phone them. One alert per patient, naming the
 * missing readings; each further interval missed moves `measuredAt` on (a further occurrence).
 * Severity: the expected readings' (the pathway's silence severity: medium on high-risk pathways),
 * or `settings.severity`. Resolves when readings resume (patientSilenceResolved).
 *
 * Activity is any reading measured, or a measuring device in contact, after admission. A hub that
 * is offline is the hub-offline rule's alert, not this one: readings may be waiting on it.
 */
export function patientSilentRule(input: SilenceInput, settings: { readonly severity?: AlertSeverity } = {}): AlertCandidate[] {
  const { now } = input;
  if (input.expected.length === 0) return [];
  const offlineAfterMs = (input.offlineAfterMinutes ?? DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT) * 60_000;
  const connectors = input.devices.filter(isConnectingDevice);
  const online = connectors.filter((d) => !isDeviceOffline(d.lastSeenAt, d.connection, now, offlineAfterMs));
  if (connectors.length > 0 && online.length === 0) return [];

  const activityTimes = [
    input.admittedAt.getTime(),
    ...input.latest.filter((r) => r.patientId === input.patientId).map((r) => r.measuredAt.getTime()),
    ...input.devices.flatMap((d) => (!isConnectingDevice(d) && d.lastSeenAt ? [d.lastSeenAt.getTime()] : [])),
  ].filter((t) => t <= now.getTime());
  // Admitted after now (the admitting host's clock a little ahead of the engine's), and nothing
  // since: nothing is due yet. (Math.max of nothing is -Infinity: an Invalid Date that failed the
  // whole timer pass when its details were written.)
  if (activityTimes.length === 0) return [];
  const lastActivity = new Date(Math.max(...activityTimes));
  const overdue = input.expected.flatMap((e) => {
    const missed = Math.floor((now.getTime() - lastActivity.getTime() - e.graceHours * HOUR_MS) / (e.everyHours * HOUR_MS));
    return missed < 1 ? [] : [{ expected: e, missed, dueAt: new Date(lastActivity.getTime() + (missed * e.everyHours + e.graceHours) * HOUR_MS) }];
  });
  if (overdue.length === 0) return [];

  const dueAt = new Date(Math.max(...overdue.map((o) => o.dueAt.getTime())));
  const names = [...new Set(overdue.map((o) => `${READING_NAMES[o.expected.vital]} every ${hours(o.expected.everyHours)}`))];
  const measuredBefore = input.latest.some((r) => r.measuredAt.getTime() === lastActivity.getTime());
  const lastText = measuredBefore ? `nothing measured since ${when(lastActivity, now)}` : `nothing measured since admission ${when(input.admittedAt, now)}`;
  const [connected] = online;
  const heard = latestSeen(online);
  const hub = connected && heard ? ` The ${connected.type === 'hub' ? 'home hub' : 'patient app'} is online (last heard from ${when(heard, now)}), so no readings are stuck on the way.` : '';
  return [
    {
      rule: PATIENT_SILENT_RULE,
      severity: settings.severity ?? highestSeverity(overdue.map((o) => o.expected.severity)) ?? 'low',
      patientId: input.patientId,
      subject: PATIENT_SILENT_SUBJECT,
      readings: [],
      readingIds: [],
      measuredAt: dueAt,
      explanation: `Patient silent: ${lastText}; expected ${names.join(', ')}.${hub} Phone the patient: check they are well and remind them to measure.`,
      details: {
        lastActivityAt: lastActivity.toISOString(),
        dueAt: dueAt.toISOString(),
        missing: overdue.map((o) => ({ vital: o.expected.vital, everyHours: o.expected.everyHours, graceHours: o.expected.graceHours, missedIntervals: o.missed })),
        connectedDeviceIds: online.map((d) => d.id),
      },
    },
  ];
}

/** Resolve condition: readings resume (the patient is no longer silent by the same definition). */
export function patientSilenceResolved(input: SilenceInput): boolean {
  return patientSilentRule(input).length === 0;
}
