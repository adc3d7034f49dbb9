import type { EscalationDeliveryView } from '@homeward/contracts';
import { channelName, describeDelivery } from './deliveries';

const base: EscalationDeliveryView = {
  id: 'd1',
  contactName: 'Dr On Call',
  contactRole: 'registrar',
  channel: 'webhook',
  status: 'pending',
  attempts: 0,
  createdAt: '2026-12-03T08:00:00Z',
  lastAttemptAt: null,
  lastStatusCode: null,
  lastError: null,
  nextAttemptAt: '2026-12-03T08:00:00Z',
  deliveredAt: null,
};

describe('escalation deliveries on the alert page', () => {
  it.each<[string, Partial<EscalationDeliveryView>, string]>([
    ['queued', {}, 'sending…'],
    ['delivered at once', { status: 'delivered', attempts: 1, deliveredAt: '2026-12-03T08:00:05Z', nextAttemptAt: null }, 'delivered 3 Dec 2026, 08:00'],
    ['delivered on a retry', { status: 'delivered', attempts: 3, deliveredAt: '2026-12-03T08:02:20Z', nextAttemptAt: null }, 'delivered 3 Dec 2026, 08:02 (after 3 attempts)'],
    ['retrying', { attempts: 1, lastStatusCode: 500, nextAttemptAt: '2026-12-03T08:00:45Z' }, 'retrying (1 attempt so far), next 3 Dec 2026, 08:00'],
    ['given up', { status: 'failed', attempts: 8, nextAttemptAt: null }, 'not delivered: gave up after 8 attempts'],
  ])('says %s', (_label, change, text) => {
    expect(describeDelivery({ ...base, ...change }, 'UTC')).toBe(text);
  });

  it('names the channels', () => {
    expect(channelName('webhook')).toBe('webhook');
    expect(channelName('stream')).toBe('live stream');
  });
});
