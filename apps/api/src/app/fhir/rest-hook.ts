import type { Resource } from '@medplum/fhirtypes';
import { FHIR_JSON } from '@homeward/fhir';
import { isRetryableStatus, parseRetryAfter } from '../notifications/delivery-schedule';
import type { SendOutcome } from '../notifications/notification-channel';

/** One rest-hook notification: the subscription's channel and the resource it is about. */
export interface RestHookNotification {
  readonly endpoint: string;
  /** channel.header, "Name: value" each. */
  readonly headers: readonly string[];
  /** channel.payload: the resource is sent; null: its id only. */
  readonly payload: string | null;
  readonly resource: Resource & { readonly id: string };
  readonly at: Date;
}

/**
 * Sends one notification once (retries are the deliverer's): with a payload, PUT
 * <endpoint>/<type>/<id> carrying the resource; without, POST <endpoint> with no body, the
 * resource named in X-Subscription-Resource. A 2xx is delivered; network errors, timeouts, 5xx,
 * 429 and 408 are worth another attempt (isRetryableStatus, as for escalation webhooks).
 */
export async function sendRestHook(notification: RestHookNotification, timeoutMs: number): Promise<SendOutcome> {
  const { resource } = notification;
  const name = `${resource.resourceType}/${resource.id}`;
  const headers: Record<string, string> = { 'x-subscription-resource': name };
  for (const header of notification.headers) {
    const colon = header.indexOf(':');
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  const withPayload = notification.payload !== null;
  const url = withPayload ? `${notification.endpoint.replace(/\/+$/, '')}/${name}` : notification.endpoint;
  const body = withPayload ? JSON.stringify(resource) : undefined;
  if (body !== undefined) headers['content-type'] = `${FHIR_JSON}; charset=utf-8`;
  try {
    const response = await fetch(url, { method: withPayload ? 'PUT' : 'POST', headers, ...(body === undefined ? {} : { body }), redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, retryable: false, statusCode: response.status, error: null, payloadHash: null };
    return {
      ok: false,
      retryable: isRetryableStatus(response.status),
      statusCode: response.status,
      error: `the endpoint answered ${response.status}`,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), notification.at),
      payloadHash: null,
    };
  } catch (error) {
    // The endpoint's URL may carry a token: the reason, never the address.
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, retryable: true, statusCode: null, error: `could not reach the endpoint (${cause ?? (error instanceof Error ? error.name : 'error')})`, payloadHash: null };
  }
}
