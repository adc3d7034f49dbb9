import type { Reading } from '@homeward/domain';
import type { AlertSeverity } from '../model/alert-candidate.model';
import { HOUR_MS } from '../shared/reading-window';
import { PATIENT_SILENT_RULE } from '../silence/patient-silent.rule';
import { HUB_OFFLINE_RULE } from '../silence/hub-offline.rule';
import { DEVICE_UNUSED_RULE } from '../silence/device-unused.rule';
import { READING_MISSING_RULE } from '../silence/reading-missing.rule';
import { OVERDUE_RULE } from '../silence/overdue-reading.rule';
import { when } from '../silence/silence.wording';

/**
 * Technical problems shown to staff (issue 15 item 6): each its own rule id, one alert per device,
 * `details.technical: true` (as the pipeline-stalled alert), severity low: kept apart from the
 * clinical bands (CLINICAL.md) and never counted as a clinical alert (alertKind).
 */
export const DEVICE_CLOCK_OFF_RULE = 'device-clock-off';
export const LATE_DELIVERY_RULE = 'late-delivery';
export const MALFORMED_FRAMES_RULE = 'malformed-frames';
export const LOW_BATTERY_RULE = 'low-battery';
export const TECHNICAL_RULES: readonly string[] = [DEVICE_CLOCK_OFF_RULE, LATE_DELIVERY_RULE, MALFORMED_FRAMES_RULE, LOW_BATTERY_RULE];
export const TECHNICAL_SEVERITY: AlertSeverity = 'low';

/** A device clock further off than this needs setting (the issue: "off by more than an hour"). */
export const CLOCK_OFF_LIMIT_MS = HOUR_MS;
/** Readings arriving later than this after they were measured: a hub or app holding them back. */
export const LATE_DELIVERY_LIMIT_MS = 6 * HOUR_MS;
/** At or below this battery a device may die before its next reading. */
export const LOW_BATTERY_LIMIT_PERCENT = 20;
/** Malformed frames received in this period keep the alert open. */
export const MALFORMED_FRAMES_WINDOW_MS = 24 * HOUR_MS;

export type AlertKind = 'clinical' | 'silence' | 'technical';
const SILENCE_RULES: readonly string[] = [PATIENT_SILENT_RULE, HUB_OFFLINE_RULE, DEVICE_UNUSED_RULE, READING_MISSING_RULE, OVERDUE_RULE];

/**
 * What kind of item an alert is on the worklist: one of the three silences (patient silent, hub
 * or app offline, device unused), a technical problem (these rules, or any alert marked
 * `details.technical`, such as pipeline-stalled), else clinical. Only clinical alerts count as such.
 */
export function alertKind(alert: { readonly rule: string; readonly details?: Readonly<Record<string, unknown>> | null }): AlertKind {
  if (SILENCE_RULES.includes(alert.rule)) return 'silence';
  if (TECHNICAL_RULES.includes(alert.rule) || alert.details?.['technical'] === true) return 'technical';
  return 'clinical';
}

/** A technical alert proposed for one device. `measuredAt` is when the problem last showed. */
export interface TechnicalFinding {
  readonly rule: string;
  readonly severity: AlertSeverity;
  readonly patientId: string;
  readonly subject: string;
  readonly deviceId: string;
  readonly readingIds: readonly string[];
  readonly measuredAt: Date;
  /**
   * When the evidence reached Homeward (at most `now`): a problem a person closed comes back only
   * with evidence received after that. For a reading problem the latest receipt, not measurement:
   * a second outage's backlog was measured long ago but is new.
   */
  readonly receivedAt: Date;
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export function technicalSubject(rule: string, deviceId: string): string {
  return `${rule}:${deviceId}`;
}

/** How far the device's own time was from the measurement time Homeward settled on (ms, absolute). */
export function clockOffsetMs(reading: Reading): number | null {
  return reading.deviceTime === null ? null : Math.abs(reading.deviceTime.getTime() - reading.measuredAt.getTime());
}

/**
 * How late a reading arrived. A receipt stamped after `now` (another process's clock ahead of the
 * engine's, or a replay running on its own clock) is taken as received now: the engine cannot
 * have seen it later than that.
 */
export function deliveryDelayMs(reading: Reading, now: Date): number {
  return Math.min(reading.receivedAt.getTime(), now.getTime()) - reading.measuredAt.getTime();
}

export function isClockOff(reading: Reading): boolean {
  return (clockOffsetMs(reading) ?? 0) > CLOCK_OFF_LIMIT_MS;
}

export function isDeliveredLate(reading: Reading, now: Date): boolean {
  return deliveryDelayMs(reading, now) > LATE_DELIVERY_LIMIT_MS;
}

/**
 * Clock and delivery problems in newly stored readings, one finding per device and problem:
 * the device's clock off by more than an hour, readings arriving more than 6 h after measurement.
 * Manual readings (no device) are not technical problems.
 */
export function readingProblems(patientId: string, fresh: readonly Reading[], now: Date): TechnicalFinding[] {
  const findings: TechnicalFinding[] = [];
  for (const [deviceId, readings] of byDevice(fresh)) {
    const off = readings.filter(isClockOff);
    if (off.length > 0) {
      const worst = Math.max(...off.map((r) => clockOffsetMs(r) ?? 0));
      const latest = latestMeasured(off);
      const ahead = latest.deviceTime !== null && latest.deviceTime > latest.measuredAt;
      findings.push({
        rule: DEVICE_CLOCK_OFF_RULE,
        severity: TECHNICAL_SEVERITY,
        patientId,
        subject: technicalSubject(DEVICE_CLOCK_OFF_RULE, deviceId),
        deviceId,
        readingIds: ids(off),
        measuredAt: latest.measuredAt,
        receivedAt: latestReceipt(off, now),
        explanation:
          `Technical: a device's clock is ${ahead ? 'ahead' : 'behind'} by about ${hoursText(worst)}. Homeward placed its readings at the time it worked out, ` +
          'but check their times on the chart, and ask the patient or carer to set the device clock (or let the hub set it).',
        details: { technical: true, deviceId, worstOffsetMinutes: Math.round(worst / 60_000), readings: off.length, flags: [...new Set(off.flatMap((r) => r.status))] },
      });
    }
    const late = readings.filter((r) => isDeliveredLate(r, now));
    if (late.length > 0) {
      const worst = Math.max(...late.map((r) => deliveryDelayMs(r, now)));
      const latest = latestMeasured(late);
      findings.push({
        rule: LATE_DELIVERY_RULE,
        severity: TECHNICAL_SEVERITY,
        patientId,
        subject: technicalSubject(LATE_DELIVERY_RULE, deviceId),
        deviceId,
        readingIds: ids(late),
        measuredAt: latest.measuredAt,
        receivedAt: latestReceipt(late, now),
        explanation:
          `Technical: ${late.length} reading${late.length === 1 ? '' : 's'} arrived up to ${hoursText(worst)} after ${late.length === 1 ? 'it was' : 'they were'} measured ` +
          `(latest measured ${when(latest.measuredAt, now)}). Alerts on them came late too: review them, and ask whether the hub or app was off or without signal.`,
        details: { technical: true, deviceId, worstDelayMinutes: Math.round(worst / 60_000), readings: late.length },
      });
    }
  }
  return findings;
}

/**
 * Which of a device's open clock or delivery alerts its newest readings clear: the latest one
 * received (of those just stored) is on time and its clock is right.
 */
export function readingProblemsCleared(fresh: readonly Reading[], now: Date): Set<string> {
  const cleared = new Set<string>();
  for (const [deviceId, readings] of byDevice(fresh)) {
    const newest = readings.reduce((a, b) => (b.receivedAt > a.receivedAt || (b.receivedAt.getTime() === a.receivedAt.getTime() && b.measuredAt > a.measuredAt) ? b : a));
    if (!isClockOff(newest)) cleared.add(technicalSubject(DEVICE_CLOCK_OFF_RULE, deviceId));
    if (!isDeliveredLate(newest, now)) cleared.add(technicalSubject(LATE_DELIVERY_RULE, deviceId));
  }
  return cleared;
}

/** A device as the device findings need it. */
export interface DeviceFacts {
  readonly id: string;
  readonly type: string;
  readonly batteryLevel: number | null;
  readonly batteryAt: Date | null;
}

/** Malformed frames of one device in the window (rejected_messages with a GATT reason). */
export interface MalformedFramesFact {
  readonly deviceId: string;
  readonly count: number;
  readonly lastAt: Date;
  readonly codes: readonly string[];
}

/**
 * Device problems judged on each timer pass: battery at or below 20 %, frames refused by a GATT
 * decoder in the last 24 hours. An alert not proposed again is cleared (battery changed, frames
 * decoding again for a day).
 */
export function deviceProblems(patientId: string, devices: readonly DeviceFacts[], malformed: readonly MalformedFramesFact[], now: Date): TechnicalFinding[] {
  const findings: TechnicalFinding[] = [];
  for (const device of devices) {
    const name = device.type.replace(/-/g, ' ');
    if (device.batteryLevel !== null && device.batteryLevel <= LOW_BATTERY_LIMIT_PERCENT) {
      const at = earliest(device.batteryAt ?? now, now);
      findings.push({
        rule: LOW_BATTERY_RULE,
        severity: TECHNICAL_SEVERITY,
        patientId,
        subject: technicalSubject(LOW_BATTERY_RULE, device.id),
        deviceId: device.id,
        readingIds: [],
        measuredAt: at,
        receivedAt: at,
        explanation: `Technical: the ${name}'s battery was at ${device.batteryLevel} % (${when(at, now)}). It may stop before the next reading: ask the patient or carer to charge or replace it.`,
        details: { technical: true, deviceId: device.id, deviceType: device.type, batteryLevel: device.batteryLevel, batteryAt: at.toISOString() },
      });
    }
    const frames = malformed.find((m) => m.deviceId === device.id);
    if (frames && frames.count > 0) {
      const lastAt = earliest(frames.lastAt, now);
      findings.push({
        rule: MALFORMED_FRAMES_RULE,
        severity: TECHNICAL_SEVERITY,
        patientId,
        subject: technicalSubject(MALFORMED_FRAMES_RULE, device.id),
        deviceId: device.id,
        readingIds: [],
        measuredAt: lastAt,
        receivedAt: lastAt,
        explanation:
          `Technical: ${frames.count} message${frames.count === 1 ? '' : 's'} from the ${name} in the last 24 hours held measurement frames Homeward could not read (${frames.codes.join(', ')}), ` +
          `latest ${when(lastAt, now)}. Those readings are missing: check the patient's latest values another way and tell the device support team.`,
        details: { technical: true, deviceId: device.id, deviceType: device.type, messages: frames.count, codes: [...frames.codes], lastAt: lastAt.toISOString() },
      });
    }
  }
  return findings;
}

/** A time stamped by another clock ahead of `now` is taken as now. */
function earliest(time: Date, now: Date): Date {
  return time > now ? now : time;
}

function byDevice(readings: readonly Reading[]): Map<string, Reading[]> {
  const groups = new Map<string, Reading[]>();
  for (const r of readings) {
    if (r.deviceId === null) continue;
    groups.set(r.deviceId, [...(groups.get(r.deviceId) ?? []), r]);
  }
  return groups;
}

function latestMeasured(readings: readonly Reading[]): Reading {
  return readings.reduce((a, b) => (b.measuredAt > a.measuredAt ? b : a));
}

function latestReceipt(readings: readonly Reading[], now: Date): Date {
  return earliest(new Date(Math.max(...readings.map((r) => r.receivedAt.getTime()))), now);
}

function ids(readings: readonly Reading[]): string[] {
  return readings.flatMap((r) => (r.id === undefined ? [] : [r.id]));
}

function hoursText(ms: number): string {
  const hours = ms / HOUR_MS;
  if (hours >= 48) return `${Math.round(hours / 24)} days`;
  return `${Math.round(hours * 10) / 10} hours`;
}
