import type { WardOverview } from '@homeward/contracts';
import { ALERT_SEVERITY_BANDS, type AlertSeverityBand } from '@homeward/domain';
import { alertKind, mapCarePlan } from '@homeward/rules';
import type { WardHandoverRow, WorklistEntry } from '@homeward/storage';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far back the overview looks for admissions and discharges. */
export const OVERVIEW_RECENT_DAYS = 7;
const REVIEW_SOON_DAYS = 2;

/** The ward at a glance for handover, decided in pure code from the worklist's alerts and the ward's admissions. */
export function wardOverview(entries: readonly WorklistEntry[], people: readonly WardHandoverRow[], now: Date): WardOverview {
  const zero = () => Object.fromEntries(ALERT_SEVERITY_BANDS.map((b) => [b, 0])) as Record<AlertSeverityBand, number>;
  const openAlerts = { clinical: zero(), silence: zero(), technical: zero() };
  for (const { alert } of entries) openAlerts[alertKind(alert)][alert.severity] += 1;
  const current = people.filter((p) => p.dischargedAt === null);
  const recent = now.getTime() - OVERVIEW_RECENT_DAYS * DAY;
  return {
    generatedAt: now.toISOString(),
    openAlerts,
    escalated: entries
      .filter((e) => e.alert.state === 'escalated')
      .sort((a, b) => (a.alert.escalatedAt?.getTime() ?? 0) - (b.alert.escalatedAt?.getTime() ?? 0))
      .map(({ alert, patient }) => ({ alertId: alert.id, patientId: alert.patientId, patientName: patient?.name ?? 'Unknown patient', severity: alert.severity, explanation: alert.explanation, escalatedAt: alert.escalatedAt?.toISOString() ?? null })),
    noRecentReadings: current
      .filter((p) => p.lastMeasuredAt === null || p.lastMeasuredAt.getTime() < now.getTime() - DAY)
      .map((p) => ({ patientId: p.patientId, patientName: p.name, lastMeasuredAt: p.lastMeasuredAt?.toISOString() ?? null })),
    dueForReview: current.flatMap((p) => {
      const overrides = mapCarePlan({ patientId: p.patientId, pathway: p.pathway, carePlan: p.carePlan }).carePlan.thresholdOverrides ?? [];
      const first = overrides.map((o) => o.reviewBy).sort((a, b) => a.getTime() - b.getTime())[0];
      if (!first || first.getTime() > now.getTime() + REVIEW_SOON_DAYS * DAY) return [];
      return [{ patientId: p.patientId, patientName: p.name, reviewBy: first.toISOString().slice(0, 10), overdue: first.getTime() < now.getTime() }];
    }),
    admissions: people.filter((p) => p.admittedAt.getTime() >= recent).map((p) => ({ patientId: p.patientId, patientName: p.name, pathway: p.pathway, at: p.admittedAt.toISOString() })),
    discharges: people.filter((p) => p.dischargedAt !== null && p.dischargedAt.getTime() >= recent).map((p) => ({ patientId: p.patientId, patientName: p.name, at: (p.dischargedAt as Date).toISOString(), reason: p.dischargeReason })),
  };
}
