import type { AlertSeverityBand, WorklistItem } from '@homeward/contracts';

/**
 * Whether a live alert event should catch a nurse's attention on another tab: a top-severity
 * (high) alert that is open and is new to this tab, or has just worsened to high. An
 * acknowledged or repeated alert already seen does not cue again.
 */
export function isNewTopSeverity(event: WorklistItem, alreadyCued: ReadonlySet<string>): boolean {
  const { alert } = event;
  if (alert.severity !== 'high' || alert.state !== 'open') return false;
  return !alreadyCued.has(cueKey(alert));
}

/** An alert cues once, and once more for each time it worsens (a new worsenedAt). */
export function cueKey(alert: { readonly id: string; readonly worsenedAt: string | null }): string {
  return `${alert.id}@${alert.worsenedAt ?? ''}`;
}

/** "(2) High alert – Worklist – Homeward" while unseen top-severity alerts wait; the plain title otherwise. */
export function attentionTitle(baseTitle: string, unseenTopAlerts: number): string {
  return unseenTopAlerts > 0 ? `(${unseenTopAlerts}) ${unseenTopAlerts === 1 ? 'High alert' : 'High alerts'} – ${baseTitle}` : baseTitle;
}

/** What a screen reader hears for a new alert row: the severity in words, who, and why. */
export function announcement(event: WorklistItem, severityName: (band: AlertSeverityBand) => string): string {
  const who = event.patient?.name ?? 'an unknown patient';
  return `New ${severityName(event.alert.severity)} severity alert for ${who}: ${firstSentence(event.alert.explanation)}`;
}

/** The first sentence of an explanation: the worklist shows one line, the alert page the rest. */
export function firstSentence(text: string): string {
  const match = /^(.+?[.!?])(\s|$)/.exec(text.trim());
  return match?.[1] ?? text.trim();
}
