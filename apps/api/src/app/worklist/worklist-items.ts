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
export async function worklistItems(storage: Storage, alerts: readonly Alert[], now = new Date()): Promise<WorklistItem[]> {
  const patients = new Map<string, WorklistItem['patient']>();
  for (const id of new Set(alerts.map((a) => a.patientId))) {
    const p = await storage.registry.getPatient(id);
    patients.set(id, p ? { id: p.id, name: `${p.givenName} ${p.familyName}`, nhsNumber: p.nhsNumber } : null);
  }
  return alerts.map((alert) => ({
    alert,
    patient: patients.get(alert.patientId) ?? null,
    waitingMinutes: Math.max(0, Math.floor((now.getTime() - alert.openedAt.getTime()) / 60_000)),
    kind: alertKind(alert),
  }));
}
