import type { AlertSeverityBand, WorklistItem } from '@homeward/contracts';

/** Most severe first (as the API orders GET /api/worklist). */
const SEVERITY_ORDER: Readonly<Record<AlertSeverityBand, number>> = { high: 0, medium: 1, 'low-medium': 2, low: 3 };

/** The worklist order: most severe first, then the one that has waited longest. */
export function compareWorklistItems(a: WorklistItem, b: WorklistItem): number {
  return (
    (SEVERITY_ORDER[a.alert.severity] ?? 9) - (SEVERITY_ORDER[b.alert.severity] ?? 9) ||
    Date.parse(a.alert.openedAt) - Date.parse(b.alert.openedAt) ||
    a.alert.id.localeCompare(b.alert.id)
  );
}

/**
 * Applies one `alert` event of the live stream to the worklist: a new alert joins it, a changed
 * one replaces its older copy (events can arrive out of order after a reconnect, so a copy older
 * than the one shown is ignored), a resolved one leaves. Returns a new, ordered array.
 */
export function applyAlertEvent(items: readonly WorklistItem[], event: WorklistItem): WorklistItem[] {
  const existing = items.find((item) => item.alert.id === event.alert.id);
  if (existing && Date.parse(existing.alert.updatedAt) > Date.parse(event.alert.updatedAt)) return [...items];
  const others = items.filter((item) => item.alert.id !== event.alert.id);
  if (event.alert.state === 'resolved') return others;
  return [...others, event].sort(compareWorklistItems);
}

/** Replaces the worklist with a fresh GET (after a reconnect or a `resync`), ordered. */
export function replaceWorklist(items: readonly WorklistItem[]): WorklistItem[] {
  return items.filter((item) => item.alert.state !== 'resolved').sort(compareWorklistItems);
}

/**
 * A fresh GET of the worklist, with the stream events that arrived while it was in flight applied
 * on top: the GET may have been answered from a moment before them, and they must not be lost.
 * (Events older than what the GET returned are ignored by applyAlertEvent.)
 */
export function mergeFetchedWorklist(fetched: readonly WorklistItem[], eventsDuringFetch: readonly WorklistItem[]): WorklistItem[] {
  return eventsDuringFetch.reduce<WorklistItem[]>((items, event) => applyAlertEvent(items, event), replaceWorklist(fetched));
}
