import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sha256Hex, signWebhookBody } from './webhook-signature';
import { isRetryableStatus, parseRetryAfter } from './delivery-schedule';
import type { EscalationNotification, NotificationChannel, SendOutcome } from './notification-channel';
import { webhookBody } from './webhook-body';

/**
 * An HTTP POST of the escalation as JSON, signed with the contact's secret (HMAC-SHA256 of the raw
 * body). One attempt per call; redirects are not followed (a signed body goes only where the admin
 * pointed it). Any 2xx is delivered.
 */
export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook' as const;

  constructor(private readonly options: { readonly timeoutMs: number; readonly publicUrl?: string | undefined }) {}

  async send(notification: EscalationNotification): Promise<SendOutcome> {
    const { url, secret } = notification;
    if (!url || !secret) return { ok: false, retryable: false, statusCode: null, error: 'the contact has no webhook URL or secret', payloadHash: null };
    const body = JSON.stringify(webhookBody(notification.deliveryId, notification.snapshot, this.options.publicUrl));
    const payloadHash = sha256Hex(body);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Homeward-Webhook/1',
          [SIGNATURE_HEADER]: signWebhookBody(body, secret),
          [TIMESTAMP_HEADER]: String(Math.floor(notification.at.getTime() / 1000)),
          [DELIVERY_HEADER]: notification.deliveryId,
        },
        body,
      });
    } catch (error) {
      return { ok: false, retryable: true, statusCode: null, error: networkError(error, this.options.timeoutMs), payloadHash };
    }
    // The answer's body is not needed; read it away so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, retryable: false, statusCode: response.status, error: null, payloadHash };
    return {
      ok: false,
      retryable: isRetryableStatus(response.status),
      statusCode: response.status,
      error: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), notification.at),
      payloadHash,
    };
  }
}

/** A short reason (ECONNREFUSED, timeout) without the URL, which may carry a token. */
function networkError(error: unknown, timeoutMs: number): string {
  // Read by shape, not instanceof: fetch's errors may come from another realm (a VM context).
  const failure = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  if (typeof failure.cause?.code === 'string') return `network error: ${failure.cause.code}`;
  // fetch's own refusals (a port browsers block, a bad address) say why in the cause.
  if (typeof failure.cause?.message === 'string') return `network error: ${failure.cause.message}`;
  return `network error: ${typeof failure.message === 'string' ? failure.message : String(error)}`;
}
