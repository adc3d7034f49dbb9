import type { WorklistKind } from '@homeward/contracts';
import type { Alert } from '@homeward/domain';
import { alertKind } from '@homeward/rules';
import type { Storage } from '@homeward/storage';

export interface WorklistItem {
  readonly alert: Alert;
  readonly patient: { readonly id: string; readonly name: string; readonly nhsNumber: string } | null;
  /** Whole minutes since the alert was opened, when the item was made. */
  readonly waitingMinutes: number;
  /** Clinical, silence or technical (alertKind): only clinical items count as clinical alerts. */
  readonly kind: WorklistKind;
}

/** Alerts with the patient a nurse needs to recognise (name, NHS number) and how long each has waited. */
export async function worklistItems(storage: Storage, alerts: readonly Alert[], now: Date): Promise<WorklistItem[]> {
  // One query for every patient behind the alerts (the live stream flushes a batch of changes at once).
  const found = await storage.registry.getPatients(alerts.map((a) => a.patientId));
  const patientOf = (id: string): WorklistItem['patient'] => {
    const p = found.get(id);
    return p ? { id: p.id, name: `${p.givenName} ${p.familyName}`, nhsNumber: p.nhsNumber } : null;
  };
  return alerts.map((alert) => ({
    alert,
    patient: patientOf(alert.patientId),
    waitingMinutes: Math.max(0, Math.floor((now.getTime() - alert.openedAt.getTime()) / 60_000)),
    kind: alertKind(alert),
  }));
}
