import type { EscalationDeliveryView } from '@homeward/contracts';
import type { EscalationDelivery } from '@homeward/storage';

/** A delivery as the alert detail shows it: who, how it went; no address, no secret, no body. */
export function deliveryView(delivery: EscalationDelivery): EscalationDeliveryView {
  const iso = (date: Date | null) => (date === null ? null : date.toISOString());
  return {
    id: delivery.id,
    contactName: delivery.contactName,
    contactRole: delivery.contactRole,
    channel: delivery.channel,
    status: delivery.status,
    attempts: delivery.attempts,
    createdAt: delivery.createdAt.toISOString(),
    lastAttemptAt: iso(delivery.lastAttemptAt),
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    nextAttemptAt: iso(delivery.nextAttemptAt),
    deliveredAt: iso(delivery.deliveredAt),
  };
}
