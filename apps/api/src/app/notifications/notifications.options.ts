import type { Clock } from '../clock';
import type { RetryPolicy } from './delivery-schedule';

export interface NotificationOptions {
  /** Run the deliverer loop in this process (default true); tests may drive it with runDue(). */
  readonly enabled?: boolean;
  readonly clock?: Clock;
  /** Look for due deliveries this often anyway (default 5 s); queued ones wake it at once. */
  readonly pollIntervalMs?: number;
  /** Attempts, first included, and the backoff between them (defaults: DEFAULT_RETRY_POLICY). */
  readonly retry?: Partial<RetryPolicy>;
  /** A webhook request that has not answered after this long counts as failed (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** A claimed delivery not recorded after this long is due again (a deliverer that died mid-send). */
  readonly leaseMs?: number;
  /** Where the dashboard is reached from outside, for the link in a webhook (default: a path only). */
  readonly publicUrl?: string;
  /** Jitter source, injectable so a test can pin the schedule (default Math.random). */
  readonly random?: () => number;
}

export const NOTIFICATIONS_OPTIONS = Symbol('homeward.notifications.options');
export const NOTIFICATIONS_STORAGE = Symbol('homeward.notifications.storage');
