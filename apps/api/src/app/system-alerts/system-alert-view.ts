import type { SystemAlertEventView, SystemAlertView } from '@homeward/contracts';
import type { SystemAlert, SystemAlertEvent } from '@homeward/storage';

export function systemAlertView(alert: SystemAlert): SystemAlertView {
  return {
    id: alert.id,
    kind: alert.kind,
    source: alert.source,
    state: alert.state,
    summary: alert.summary,
    details: alert.details,
    occurrences: alert.occurrences,
    openedAt: alert.openedAt.toISOString(),
    lastSeenAt: alert.lastSeenAt.toISOString(),
    acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: alert.acknowledgedBy,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    resolvedBy: alert.resolvedBy,
  };
}

export function systemAlertEventView(event: SystemAlertEvent): SystemAlertEventView {
  return { ...event, at: event.at.toISOString() };
}
