import type { EscalationChannelKind, EscalationSnapshot } from '@homeward/storage';

/** One delivery's attempt, as the deliverer hands it to a channel. */
export interface EscalationNotification {
  readonly deliveryId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The deliverer's clock at the start of the attempt. */
  readonly at: Date;
  readonly snapshot: EscalationSnapshot;
  /** The contact's address and signing key (webhook); null on channels that have none. */
  readonly url: string | null;
  readonly secret: string | null;
}

export interface SendOutcome {
  readonly ok: boolean;
  /** Worth another attempt (network error, timeout, 5xx, 429, 408). */
  readonly retryable: boolean;
  readonly statusCode: number | null;
  /** Why it failed, for the record and the alert page; never contains the secret. */
  readonly error: string | null;
  readonly retryAfterMs?: number | undefined;
  /** SHA-256 (hex) of the body sent, when a body was sent. */
  readonly payloadHash: string | null;
}

/** The port every way of telling a contact implements: send once, report what happened. Retries are the deliverer's. */
export interface NotificationChannel {
  readonly kind: EscalationChannelKind;
  send(notification: EscalationNotification): Promise<SendOutcome>;
}
