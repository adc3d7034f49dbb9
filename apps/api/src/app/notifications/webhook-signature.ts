import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-homeward-signature';
export const TIMESTAMP_HEADER = 'x-homeward-timestamp';
export const DELIVERY_HEADER = 'x-homeward-delivery';

/** `sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>`, as GitHub signs its webhooks. */
export function signWebhookBody(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** What a receiver does: recompute over the raw bytes and compare in constant time. */
export function verifyWebhookSignature(rawBody: string | Buffer, secret: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(rawBody, secret));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function sha256Hex(rawBody: string | Buffer): string {
  return createHash('sha256').update(rawBody).digest('hex');
}
