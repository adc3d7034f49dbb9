import type { EscalationDeliveryView } from '@homeward/contracts';
import { formatDateTime } from './format';

/** How an escalation's delivery to one contact went, in words a nurse reads at a glance. */
export function describeDelivery(delivery: EscalationDeliveryView, timeZone?: string): string {
  const tries = `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`;
  switch (delivery.status) {
    case 'delivered':
      return `delivered ${formatDateTime(delivery.deliveredAt, timeZone)}${delivery.attempts > 1 ? ` (after ${tries})` : ''}`;
    case 'failed':
      return `not delivered: gave up after ${tries}`;
    case 'pending':
      return delivery.attempts === 0 ? 'sending…' : `retrying (${tries} so far), next ${formatDateTime(delivery.nextAttemptAt, timeZone)}`;
  }
}

/** The channel as people name it. */
export function channelName(channel: EscalationDeliveryView['channel']): string {
  return channel === 'webhook' ? 'webhook' : 'live stream';
}
