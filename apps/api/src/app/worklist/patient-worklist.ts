import {
  PATIENT_WORKLIST_DEFAULT_PAGE_SIZE,
  type PatientWorklistAlert,
  type PatientWorklistPage,
  type PatientWorklistQueryDto,
  type PatientWorklistRow,
  type PatientWorklistSort,
} from '@homeward/contracts';
import { ALERT_SEVERITY_BANDS, type AlertSeverityBand, VITAL_SIGNS, alertSeverityRank, isVitalKey } from '@homeward/domain';
import { alertKind } from '@homeward/rules';
import type { WorklistEntry } from '@homeward/storage';

/**
 * The worklist by patient, decided in pure code over every unresolved alert of the wards: filter
 * the alerts, group what passes by patient (the row takes the highest severity among them), count
 * per severity, sort and page. Nothing is cut off: the page says how many rows and alerts exist.
 */
export function patientWorklist(entries: readonly WorklistEntry[], query: PatientWorklistQueryDto, userId: string, now: Date): PatientWorklistPage {
  const search = searchOf(query.q);
  const passing = entries.filter((entry) => passesFilters(entry, query, userId, search));
  const allRows = groupByPatient(passing, now);
  const counts = Object.fromEntries(ALERT_SEVERITY_BANDS.map((band) => [band, 0])) as Record<AlertSeverityBand, number>;
  for (const row of allRows) counts[row.severity] += 1;
  const severities = query.severity && query.severity.length > 0 ? new Set(query.severity) : null;
  // A severity filter keeps the patients whose row (their highest severity) is one of those asked.
  const rows = (severities ? allRows.filter((row) => severities.has(row.severity)) : allRows).sort(COMPARE[query.sort ?? 'severity']);
  const pageSize = query.pageSize ?? PATIENT_WORKLIST_DEFAULT_PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const page = Math.min(query.page ?? 1, pages);
  return {
    rows: rows.slice((page - 1) * pageSize, page * pageSize),
    total: rows.length,
    alertTotal: rows.reduce((sum, row) => sum + row.alerts.length, 0),
    page,
    pageSize,
    pages,
    counts,
    generatedAt: now.toISOString(),
  };
}

interface Search {
  readonly words: readonly string[];
  readonly digits: string | null;
}

function searchOf(q: string | undefined): Search | null {
  const text = q?.trim().toLowerCase() ?? '';
  if (!text) return null;
  const compact = text.replace(/[\s-]/g, '');
  return /^\d{3,10}$/.test(compact) ? { words: [], digits: compact } : { words: text.split(/\s+/), digits: null };
}

function passesFilters(entry: WorklistEntry, query: PatientWorklistQueryDto, userId: string, search: Search | null): boolean {
  const { alert, patient } = entry;
  if (query.kind !== undefined && alertKind(alert) !== query.kind) return false;
  if (query.pathway !== undefined && patient?.pathway !== query.pathway) return false;
  if (query.mine === true && alert.ownerId !== userId) return false;
  if (query.escalated === true && alert.state !== 'escalated') return false;
  if (search) {
    if (!patient) return false;
    if (search.digits !== null) return patient.nhsNumber.includes(search.digits);
    const name = patient.name.toLowerCase();
    return search.words.every((word) => name.includes(word));
  }
  return true;
}

function groupByPatient(entries: readonly WorklistEntry[], now: Date): PatientWorklistRow[] {
  const groups = new Map<string, WorklistEntry[]>();
  for (const entry of entries) {
    const group = groups.get(entry.alert.patientId);
    if (group) group.push(entry);
    else groups.set(entry.alert.patientId, [entry]);
  }
  return [...groups.entries()].map(([patientId, group]) => rowOf(patientId, group, now));
}

function rowOf(patientId: string, group: readonly WorklistEntry[], now: Date): PatientWorklistRow {
  const ordered = [...group].sort((a, b) => alertSeverityRank(b.alert.severity) - alertSeverityRank(a.alert.severity) || a.alert.openedAt.getTime() - b.alert.openedAt.getTime() || a.alert.id.localeCompare(b.alert.id));
  const top = ordered[0] as WorklistEntry;
  const oldest = Math.min(...group.map((entry) => entry.alert.openedAt.getTime()));
  const assignees = new Map<string, string>();
  for (const { alert, ownerName } of ordered) if (alert.ownerId) assignees.set(alert.ownerId, ownerName ?? 'a colleague');
  return {
    patient: top.patient ? { id: patientId, ...top.patient } : { id: patientId, name: 'Unknown patient', nhsNumber: '', pathway: null },
    severity: top.alert.severity,
    alerts: ordered.map(alertOf),
    waitingSince: new Date(oldest).toISOString(),
    waitingMinutes: Math.max(0, Math.floor((now.getTime() - oldest) / 60_000)),
    escalated: group.some((entry) => entry.alert.state === 'escalated'),
    worsened: group.some((entry) => entry.alert.worsenedAt !== null),
    assignees: [...assignees.entries()].map(([id, displayName]) => ({ id, displayName })),
  };
}

function alertOf({ alert, ownerName }: WorklistEntry): PatientWorklistAlert {
  const vital = vitalOf(alert.details, alert.subject, alert.rule);
  return {
    id: alert.id,
    rule: alert.rule,
    kind: alertKind(alert),
    severity: alert.severity,
    state: alert.state === 'resolved' ? 'open' : alert.state,
    explanation: alert.explanation,
    value: alert.latestValue,
    unit: vital && isVitalKey(vital) ? VITAL_SIGNS[vital].unit : null,
    vital,
    measuredAt: alert.latestMeasuredAt.toISOString(),
    openedAt: alert.openedAt.toISOString(),
    escalatedAt: alert.escalatedAt?.toISOString() ?? null,
    escalationDueAt: alert.state === 'open' ? (alert.escalationDueAt?.toISOString() ?? null) : null,
    worsenedAt: alert.worsenedAt?.toISOString() ?? null,
    worsenedFrom: alert.worsenedFrom,
    owner: alert.ownerId ? { id: alert.ownerId, displayName: ownerName ?? 'a colleague' } : null,
  };
}

/** Which vital the alert's value is: the rule's own detail, else its subject ("spo2:baseline-drop"); NEWS2 is its score. */
function vitalOf(details: Readonly<Record<string, unknown>>, subject: string, rule: string): string | null {
  if (rule === 'news2-band' || subject === 'news2') return 'news2_score';
  const named = details['vital'];
  if (typeof named === 'string' && isVitalKey(named)) return named;
  const prefix = subject.split(':')[0] ?? '';
  return isVitalKey(prefix) ? prefix : null;
}

const bySeverity = (a: PatientWorklistRow, b: PatientWorklistRow) => alertSeverityRank(b.severity) - alertSeverityRank(a.severity);
const byWaiting = (a: PatientWorklistRow, b: PatientWorklistRow) => Date.parse(a.waitingSince) - Date.parse(b.waitingSince);
const byName = (a: PatientWorklistRow, b: PatientWorklistRow) => a.patient.name.localeCompare(b.patient.name, 'en-GB') || a.patient.id.localeCompare(b.patient.id);
const latestMeasured = (row: PatientWorklistRow) => Math.max(...row.alerts.map((alert) => Date.parse(alert.measuredAt)));

/** Each sort falls back on the worklist's own order (most severe, then longest waiting) and the patient id, so pages never shuffle. */
const COMPARE: Readonly<Record<PatientWorklistSort, (a: PatientWorklistRow, b: PatientWorklistRow) => number>> = {
  severity: (a, b) => bySeverity(a, b) || byWaiting(a, b) || a.patient.id.localeCompare(b.patient.id),
  waiting: (a, b) => byWaiting(a, b) || bySeverity(a, b) || a.patient.id.localeCompare(b.patient.id),
  measured: (a, b) => latestMeasured(b) - latestMeasured(a) || bySeverity(a, b) || a.patient.id.localeCompare(b.patient.id),
  name: (a, b) => byName(a, b),
};
