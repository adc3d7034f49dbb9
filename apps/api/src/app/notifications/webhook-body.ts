import type { EscalationWebhookBody } from '@homeward/contracts';
import type { EscalationSnapshot } from '@homeward/storage';

/**
 * The webhook's JSON body from the snapshot queued with the delivery: the same bytes on every
 * retry (the receiver may drop repeats by deliveryId). The link is a path unless a public URL
 * of the dashboard is configured.
 */
export function webhookBody(deliveryId: string, snapshot: EscalationSnapshot, publicUrl: string | undefined): EscalationWebhookBody {
  const path = `/alerts/${snapshot.alert.id}`;
  return {
    type: 'alert.escalated',
    deliveryId,
    escalatedAt: snapshot.alert.escalatedAt,
    escalatedBy: snapshot.escalatedBy,
    alert: {
      id: snapshot.alert.id,
      severity: snapshot.alert.severity,
      rule: snapshot.alert.rule,
      subject: snapshot.alert.subject,
      explanation: snapshot.alert.explanation,
      openedAt: snapshot.alert.openedAt,
    },
    ward: { id: snapshot.ward.id, name: snapshot.ward.name },
    contact: { name: snapshot.contact.name, role: snapshot.contact.role },
    link: publicUrl ? `${publicUrl.replace(/\/+$/, '')}${path}` : path,
  };
}
